package graph

import (
	"reflect"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/codegen/config"

	"createinfo/models"
)

// TestRelationsMatchSchema: the relation table as it stands passes the start-up check, and
// the resolver fields below the root (gqlgen generates one per schema field its model lacks)
// are exactly the fields the table's lines serve: none missing, none extra.
func TestRelationsMatchSchema(t *testing.T) {
	if err := checkRelations(parsedSchema); err != nil {
		t.Fatal(err)
	}
	generated := map[string]bool{}
	root := reflect.TypeFor[ResolverRoot]()
	for i := range root.NumMethod() {
		if root.Method(i).Name == "Query" {
			continue
		}
		iface := root.Method(i).Type.Out(0)
		for j := range iface.NumMethod() {
			generated[root.Method(i).Name+"."+iface.Method(j).Name] = true
		}
	}
	served := map[string]bool{}
	for _, list := range relations {
		for _, e := range list {
			for _, m := range e.methods {
				served[e.parent+"."+m] = true
			}
		}
	}
	if len(generated) == 0 || !reflect.DeepEqual(generated, served) {
		t.Errorf("resolver fields %v, the table serves %v", generated, served)
	}
}

// TestCheckRelationsNamesTheMissingPiece: the start-up check fails, naming what is wrong, on
// a resolver field without a line, a line whose field the schema lacks, and a line filed
// under a type whose rows are another model.
func TestCheckRelationsNamesTheMissingPiece(t *testing.T) {
	saved := relations
	t.Cleanup(func() { relations = saved; _ = checkRelations(parsedSchema) })
	pay := saved["PayTax"][0]
	// A line under a parent type whose rows are another model (a line whose key function
	// takes another model than its resolver's does not compile).
	bad := *pay
	bad.parentT = reflect.TypeFor[models.CreateDetail]()
	ghost := *pay
	ghost.methods, ghost.res, ghost.list, ghost.pcs = []string{"Nowhere"}, []any{nil}, []bool{false}, []uintptr{0}
	for _, c := range []struct {
		name  string
		lines []*edge // PayTax's lines
		want  string
	}{
		{"a resolver field without its line", nil, "PayTax.CountryCode has a resolver but no line"},
		{"a line under the wrong parent model", []*edge{&bad}, "PayTax rows are"},
		{"a line naming a field the schema lacks", []*edge{pay, &ghost}, "PayTax.Nowhere is not in the schema"},
	} {
		relations = map[string][]*edge{}
		for k, v := range saved {
			relations[k] = v
		}
		relations["PayTax"] = c.lines
		if err := checkRelations(parsedSchema); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

// TestGqlgenConfigListsNoRelation: gqlgen.yml names no resolver field by hand (gqlgen makes a
// resolver for every field the model lacks); a field forced to a resolver there must be a
// line of the table, and the failure names the one that is not.
func TestGqlgenConfigListsNoRelation(t *testing.T) {
	cfg, err := config.LoadConfig("../gqlgen.yml")
	if err != nil {
		t.Fatal(err)
	}
	for typeName, m := range cfg.Models {
		for field, f := range m.Fields {
			if !f.Resolver {
				continue
			}
			found := false
			for _, e := range relations[typeName] {
				for _, name := range e.fields {
					found = found || name == field
				}
			}
			if !found {
				t.Errorf("gqlgen.yml: %s.%s is a resolver field with no line in graph/relations.go", typeName, field)
			}
		}
	}
}

// TestResolveFindsEveryLine: every field a line resolves (all but the hand-written derived
// ones) is found by resolve, with the line's own resolver.
func TestResolveFindsEveryLine(t *testing.T) {
	n := 0
	for _, list := range relations {
		for _, e := range list {
			for i := range e.methods {
				if e.res[i] == nil {
					continue
				}
				n++
				if got := resolvers[e.pcs[i]]; got == nil || reflect.ValueOf(got).Pointer() != reflect.ValueOf(e.res[i]).Pointer() {
					t.Errorf("%s.%s: resolve finds %v", e.parent, e.methods[i], got)
				}
			}
		}
	}
	if n != len(resolvers) || n == 0 {
		t.Errorf("%d lines resolve a field, resolve knows %d", n, len(resolvers))
	}
}

// TestCheckRelationsRefusesSoonerFromTheWrongRows: a line read sooner (soon) keys the rows of
// the level above its parent; the start-up check fails, naming the line, when those rows are
// not the model its key function takes (here: flags' pay taxes keyed from create details).
func TestCheckRelationsRefusesSoonerFromTheWrongRows(t *testing.T) {
	saved := relations
	t.Cleanup(func() { relations = saved; _ = checkRelations(parsedSchema) })
	relations = map[string][]*edge{}
	for k, v := range saved {
		relations[k] = v
	}
	var lines []*edge
	found := false
	for _, e := range saved["ManualReviewFlag"] {
		if e.early != nil {
			bad := *e
			bad.early = &early{model: reflect.TypeFor[models.CreateDetail](), fillFrom: e.early.fillFrom}
			e, found = &bad, true
		}
		lines = append(lines, e)
	}
	if !found {
		t.Fatal("no line under ManualReviewFlag is read sooner")
	}
	relations["ManualReviewFlag"] = lines
	err := checkRelations(parsedSchema)
	if err == nil || !strings.Contains(err.Error(), "read sooner from models.CreateDetail rows, but ManualReviewFlag rows hang under models.Application rows") {
		t.Errorf("%v", err)
	}
}
