package graph

import (
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// loadDoc parses and validates query against the service's schema.
func loadDoc(t *testing.T, query string) *ast.QueryDocument {
	t.Helper()
	doc, errs := gqlparser.LoadQuery(NewExecutableSchema(Config{Resolvers: &Resolver{}}).Schema(), query)
	if len(errs) > 0 {
		t.Fatalf("query does not validate: %v", errs)
	}
	return doc
}

// implementorsOf gives each object type one implementors slice, as the generated code does.
var implementorsOf = map[string][]string{"Query": queryImplementors}

func implementors(name string) []string {
	if _, ok := implementorsOf[name]; !ok {
		implementorsOf[name] = []string{name}
	}
	return implementorsOf[name]
}

// describe writes fields as "alias:name" each followed by the identities of its selections,
// which is what the generated marshalers read.
func describe(fields []graphql.CollectedField) string {
	var b strings.Builder
	for _, f := range fields {
		b.WriteString(f.Alias + ":" + f.Name + "[")
		for _, s := range f.Selections {
			switch s := s.(type) {
			case *ast.Field:
				b.WriteString(s.Alias + " ")
			default:
				b.WriteString("? ")
			}
		}
		b.WriteString("] ")
	}
	return b.String()
}

// walk collects every level of doc's operation as the generated code does (each level's sets
// are the collected fields' selections), twice through collectFields (the second from the
// cache when cacheable), and compares each with graphql.CollectFields in a fresh operation
// context; it returns the collected tree for the test to check.
func walk(t *testing.T, doc *ast.QueryDocument, vars map[string]any) string {
	t.Helper()
	var out strings.Builder
	var level func(sel ast.SelectionSet, typ string, depth int)
	level = func(sel ast.SelectionSet, typ string, depth int) {
		impl := implementors(typ)
		op := &graphql.OperationContext{Doc: doc, Variables: vars, Operation: doc.Operations[0]}
		want := graphql.CollectFields(&graphql.OperationContext{Doc: doc, Variables: vars, Operation: doc.Operations[0]}, sel, impl)
		first, second := collectFields(op, sel, impl), collectFields(op, sel, impl)
		for _, got := range [][]graphql.CollectedField{first, second} {
			if len(got) != len(want) {
				t.Fatalf("%s: %d fields, want %d: %s, want %s", typ, len(got), len(want), describe(got), describe(want))
			}
			for i := range got {
				if got[i].Field != want[i].Field || got[i].Alias != want[i].Alias || !slices.Equal(got[i].Selections, want[i].Selections) ||
					got[i].IsDeferred() != want[i].IsDeferred() {
					t.Fatalf("%s: field %d is %s, want %s", typ, i, describe(got[i:i+1]), describe(want[i:i+1]))
				}
			}
		}
		out.WriteString(strings.Repeat(" ", depth) + typ + ": " + describe(first) + "\n")
		for _, f := range first {
			if len(f.Selections) > 0 {
				level(f.Selections, f.Definition.Type.Name(), depth+1)
			}
		}
	}
	level(doc.Operations[0].SelectionSet, "Query", 0)
	return out.String()
}

func readDoc(t *testing.T, path string) *ast.QueryDocument {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return loadDoc(t, string(b))
}

func TestCollectFieldsOfTheServiceDocuments(t *testing.T) {
	for _, path := range []string{"../internal/legacy/getcreateinfo.graphql", "../internal/console/documents/lookup.graphql"} {
		t.Run(path, func(t *testing.T) {
			doc := readDoc(t, path)
			vars := map[string]any{"phone": "0988123456"}
			tree := walk(t, doc, vars)
			if !strings.Contains(tree, "Application: ") {
				t.Fatalf("no Application level collected:\n%s", tree)
			}
			// The next request with the same document (other variables, which no directive reads):
			// its Application fields from the cache.
			op := &graphql.OperationContext{Doc: doc, Variables: vars, Operation: doc.Operations[0]}
			root := collectFields(op, doc.Operations[0].SelectionSet, queryImplementors)
			apps := collectFields(op, root[0].Selections, implementors("Application"))
			next := &graphql.OperationContext{Doc: doc, Variables: map[string]any{"idno": "A123456789"}, Operation: doc.Operations[0]}
			if again := collectFields(next, root[0].Selections, implementors("Application")); &again[0] != &apps[0] {
				t.Error("a fixed document's Application fields were collected again")
			}
		})
	}
}

func TestCollectFieldsFragmentsAndAliases(t *testing.T) {
	doc := loadDoc(t, `
query {
  applications(phone: "0988123456") {
    a: seqNo
    seqNo
    ... on Application { idno b: name }
    ... { name }
    ...F
    createDetails @include(if: false) { psdHint: job { name } }
    stepBreakPoint @skip(if: true) { seqNo }
    ...G @include(if: false)
  }
}
fragment F on Application { a: seqNo createDetails { job { name } } ...F2 }
fragment F2 on Application { status createDetails { j: job { name } } }
fragment G on Application { rejectMemo }
`)
	got := walk(t, doc, nil)
	want := `Query: applications:applications[a seqNo ? ? ? createDetails stepBreakPoint ? ] 
 Application: a:seqNo[] seqNo:seqNo[] idno:idno[] b:name[] name:name[] createDetails:createDetails[job j ] status:status[] 
  CreateDetail: job:job[name ] j:job[name ] 
   CodeName: name:name[] 
   CodeName: name:name[] 
`
	if got != want {
		t.Errorf("collected\n%s\nwant\n%s", got, want)
	}
}

func TestCollectFieldsByVariableNotCached(t *testing.T) {
	for _, query := range []string{
		`query($v: Boolean!) { applications(phone: "0988123456") { seqNo idno @skip(if: $v) } }`,
		`query($v: Boolean!) { applications(phone: "0988123456") { seqNo ... @include(if: $v) { idno } } }`,
		`query($v: Boolean!) { applications(phone: "0988123456") { seqNo ...F } } fragment F on Application { ... on Application { idno @include(if: $v) } }`,
		`query($v: Boolean!) { applications(phone: "0988123456") { seqNo ...F @include(if: $v) } } fragment F on Application { idno }`,
	} {
		doc := loadDoc(t, query)
		for _, v := range []bool{true, false, true} {
			tree := walk(t, doc, map[string]any{"v": v})
			if hasIdno := strings.Contains(tree, "idno:idno"); hasIdno == v == strings.Contains(query, "@skip") {
				t.Errorf("%s with v=%v collected\n%s", query, v, tree)
			}
		}
	}
}

// A hit must be the set the entry was made from: an entry whose key matches a new document's
// set (its memory reused at the same address) but which holds another slice is not served.
func TestCollectFieldsComparesTheHeldSet(t *testing.T) {
	old := loadDoc(t, `{ applications(phone: "0988123456") { seqNo } }`)
	doc := loadDoc(t, `{ applications(phone: "0988123456") { idno name } }`)
	op := &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0]}
	sel := doc.Operations[0].SelectionSet[0].(*ast.Field).SelectionSet
	impl := implementors("Application")
	prefix := doc.Operations[0].SelectionSet[0].(*ast.Field).SelectionSet[:1:1]
	oldSel := old.Operations[0].SelectionSet[0].(*ast.Field).SelectionSet
	collected.mu.Lock()
	collected.m[collectKey{&sel[0], len(sel), &impl[0], len(impl)}] = collectedSet{
		sel:    oldSel,
		fields: graphql.CollectFields(&graphql.OperationContext{Doc: old}, oldSel, impl),
	}
	collected.mu.Unlock()
	if got := describe(collectFields(op, sel, impl)); got != "idno:idno[] name:name[] " {
		t.Errorf("a stale entry was served: %s", got)
	}
	// The same first element with another length is another set.
	if got := describe(collectFields(op, prefix, impl)); got != "idno:idno[] " {
		t.Errorf("a set's prefix got %s", got)
	}
	if got := describe(collectFields(op, sel, impl)); got != "idno:idno[] name:name[] " {
		t.Errorf("after its prefix, the set got %s", got)
	}
}

func TestCollectFieldsBounded(t *testing.T) {
	doc := loadDoc(t, `{ applications(phone: "0988123456") { seqNo } }`)
	op := &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0]}
	sel := doc.Operations[0].SelectionSet[0].(*ast.Field).SelectionSet
	for range maxCollected + 10 {
		collectFields(op, slices.Clone(sel), implementors("Application"))
	}
	collected.mu.RLock()
	n := len(collected.m)
	collected.mu.RUnlock()
	if n > maxCollected || n == 0 {
		t.Errorf("%d entries, want 1..%d", n, maxCollected)
	}
}

// Concurrent requests share the entries: run under -race, every goroutine gets the fields
// graphql.CollectFields gives, for a fixed set and a variable one.
func TestCollectFieldsConcurrently(t *testing.T) {
	doc := loadDoc(t, `query($v: Boolean!) { applications(phone: "0988123456") { seqNo idno @include(if: $v) createDetails { job { name } } } }`)
	sel := doc.Operations[0].SelectionSet[0].(*ast.Field).SelectionSet
	impl := implementors("Application")
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 200 {
				vars := map[string]any{"v": (i+j)%2 == 0}
				op := &graphql.OperationContext{Doc: doc, Variables: vars, Operation: doc.Operations[0]}
				want := describe(graphql.CollectFields(&graphql.OperationContext{Doc: doc, Variables: vars}, sel, impl))
				got := collectFields(op, sel, impl)
				if describe(got) != want {
					errs <- describe(got) + " want " + want
					return
				}
				if cd := got[len(got)-1]; cd.Name == "createDetails" {
					if below := describe(collectFields(op, cd.Selections, implementors("CreateDetail"))); below != "job:job[name ] " {
						errs <- "createDetails: " + below
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
