// Command gqlgen runs gqlgen's code generation (`make generate`) with three changes to what it
// emits: the fields of the non-root types resolve in the goroutine of their parent instead
// of one goroutine per resolver field; scalar fields read off the models are marshalled
// without a field context each, and lists below the root in order (lean.go).
//
// gqlgen starts a goroutine for every field that has a resolver or whose model method takes a
// context (the legacy date and time strings read the operation's zone from it), so a full
// legacy tree starts tens of goroutines per application, each growing its stack from 8 KB.
// Concurrency buys nothing there: by the time these fields run, the root resolver has primed
// every relation the query selects (graph/prime.go) and the code names come from the code
// cache, so each field finds its value in hand and never waits for a loader's batch. gqlgen
// v0.17.98 has no setting for this; its exec template already resolves the fields of a type
// marked DisableConcurrency (the mutation type) in sequence, so this command marks every
// non-root type so before the exec code is written. The root field (Query.applications) and
// the elements of lists are still resolved concurrently as before.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/config"

	"createinfo/internal/cli"
)

func main() {
	cli.Parse(flag.NewFlagSet("gqlgen", flag.ContinueOnError),
		"usage: gqlgen (from the module's root; make generate runs it)\n\nRuns gqlgen's code generation with gqlgen.yml, non-root fields resolved in their parent's goroutine.", os.Args[1:])
	cfg, err := config.LoadConfigFromDefaultLocations()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gqlgen:", err)
		os.Exit(1)
	}
	l := &lean{personalFile: "graph/mask.go"}
	if err := api.Generate(cfg, api.AddPlugin(sequential{}), api.AddPlugin(relationResolvers{}), api.AddPlugin(l)); err != nil {
		fmt.Fprintln(os.Stderr, "gqlgen:", err)
		os.Exit(1)
	}
	if err := l.rewrite(cfg.Exec.Filename); err != nil {
		fmt.Fprintln(os.Stderr, "gqlgen:", err)
		os.Exit(1)
	}
}

// sequential marks the non-root objects DisableConcurrency. api.Generate runs the plugins'
// GenerateCode on the built data before it writes the exec code from that same data.
type sequential struct{}

func (sequential) Name() string { return "sequential" }

func (sequential) GenerateCode(data *codegen.Data) error {
	for _, o := range data.Objects {
		if !o.Root {
			o.DisableConcurrency = true
		}
	}
	return nil
}

// relationResolvers writes the body of a new resolver below the root: the field is a line of
// the relation table (graph/relations.go), and resolve finds that line by the resolver method.
// A resolver already written (the root lookup, the fields derived by hand) keeps its body.
// A field that is not in the table then fails at start, naming itself.
type relationResolvers struct{}

func (relationResolvers) Name() string { return "relationresolvers" }

func (relationResolvers) Implement(prev string, f *codegen.Field) string {
	if prev != "" || f.Object.Root {
		return prev
	}
	return fmt.Sprintf("return resolve(ctx, %sResolver.%s, obj)", f.Object.Name, f.GoFieldName)
}
