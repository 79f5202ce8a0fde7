package graph

import (
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"createinfo/models"
)

// planOf plans the priming of query's first root field and lists the selected edges as
// paths, e.g. "createDetails/industry" (an edge is named by its first field; one read sooner,
// at the level above its parent's, is marked "(sooner)").
func planOf(t *testing.T, query string, vars map[string]any) ([]string, *planner) {
	t.Helper()
	schema := NewExecutableSchema(Config{Resolvers: &Resolver{}}).Schema()
	doc, errs := gqlparser.LoadQuery(schema, query)
	if len(errs) > 0 {
		t.Fatalf("query does not validate: %v", errs)
	}
	op := &graphql.OperationContext{Doc: doc, Variables: vars}
	p := newPlanner(op)
	root := doc.Operations[0].SelectionSet[0].(*ast.Field)
	var paths []string
	var list func(prefix string, steps []step)
	list = func(prefix string, steps []step) {
		for _, s := range steps {
			path := prefix + s.edge.fields[0]
			if _, ok := s.edge.rel.(*early); ok {
				path += " (sooner)"
			}
			paths = append(paths, path)
			list(path+"/", s.below)
		}
	}
	list("", p.plan("Application", []ast.SelectionSet{root.SelectionSet}))
	slices.Sort(paths)
	return paths, p
}

func TestPlanFollowsTheSelection(t *testing.T) {
	cases := []struct {
		name  string
		query string
		vars  map[string]any
		want  []string
	}{
		{"scalars only", `{ applications(phone: "0988123456") { seqNo status } }`, nil, nil},
		{"one relation", `{ applications(phone: "0988123456") { seqNo abnormalPid } }`, nil,
			[]string{"abnormalPid"}},
		{"nested", `{ applications(phone: "0988123456") { createDetails { seqNo industry { name } } } }`, nil,
			[]string{"createDetails", "createDetails/industry"}},
		{"aliases merge", `{ applications(phone: "0988123456") {
			a: createDetails { job { name } }
			b: createDetails { industry { name } } } }`, nil,
			[]string{"createDetails", "createDetails/industry", "createDetails/job"}},
		{"the same field twice merges", `{ applications(phone: "0988123456") {
			createDetails { job { code } }
			createDetails { idIssueCity { code } } } }`, nil,
			[]string{"createDetails", "createDetails/idIssueCity", "createDetails/job"}},
		{"named and inline fragments", `
			query { applications(phone: "0988123456") { ...A ... on Application { tellerCheckRecords { seqNo } } } }
			fragment A on Application { stepBreakPoint { seqNo } documentResends { ...R } }
			fragment R on DocumentResend { resendContent }`, nil,
			[]string{"documentResends", "stepBreakPoint", "tellerCheckRecords"}},
		{"@skip and @include, literal and variable", `
			query($on: Boolean!, $off: Boolean!) { applications(phone: "0988123456") {
				stepBreakPoint @skip(if: true) { seqNo }
				createDetails @include(if: $off) { seqNo }
				tellerCheckRecords @include(if: $on) { seqNo }
				...F @skip(if: $on)
				... @include(if: $on) { abnormalPid }
			} }
			fragment F on Application { documentResends { seqNo } }`,
			map[string]any{"on": true, "off": false},
			[]string{"abnormalPid", "tellerCheckRecords"}},
		{"a fragment skipped at one spread and included at another", `
			query { applications(phone: "0988123456") { ...F @skip(if: true) ...F } }
			fragment F on Application { abnormalPid }`, nil,
			[]string{"abnormalPid"}},
		{"manualReviewFlag alone reads the flags loader", `{ applications(phone: "0988123456") {
			manualReviewFlag { amlFlagDetail { seqNo } } } }`, nil,
			[]string{"manualReviewFlags", "manualReviewFlags/amlFlagDetail"}},
		{"manualReviewFlag with manualReviewFlags: one edge, selections merged", `{ applications(phone: "0988123456") {
			manualReviewFlags { payTaxes { countryCode { name } } }
			manualReviewFlag { ocrFlagDetail { idIssueWay { name } } } } }`, nil,
			[]string{"manualReviewFlags", "manualReviewFlags/ocrFlagDetail", "manualReviewFlags/ocrFlagDetail/idIssueWay",
				"payTaxes (sooner)", "payTaxes (sooner)/countryCode"}},
		{"pay taxes alone under the newest flag: read with the flags", `{ applications(phone: "0988123456") {
			manualReviewFlag { payTaxes { IDNO } } } }`, nil,
			[]string{"manualReviewFlags", "payTaxes (sooner)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, _ := planOf(t, c.query, c.vars)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("plan = %q\nwant  %q", got, c.want)
			}
		})
	}
}

// TestLegacyTreeRounds: the statements of the legacy tree after the applications' run in one
// round, every relation it selects read at the applications' level (the flags' pay taxes too,
// soon; the resends' content is read in the resends' statement), and in two when the code
// tables are not cached. It was 2 and 3 when those waited for the flags and the resends.
func TestLegacyTreeRounds(t *testing.T) {
	b, err := os.ReadFile("../internal/legacy/getcreateinfo.graphql")
	if err != nil {
		t.Fatal(err)
	}
	schema := NewExecutableSchema(Config{Resolvers: &Resolver{}}).Schema()
	doc, errs := gqlparser.LoadQuery(schema, string(b))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	root := doc.Operations[0].SelectionSet[0].(*ast.Field)
	steps := newPlanner(&graphql.OperationContext{Doc: doc}).plan("Application", []ast.SelectionSet{root.SelectionSet})
	var rounds func(steps []step, codes bool) int
	rounds = func(steps []step, codes bool) int {
		n := 0
		for _, s := range steps {
			switch {
			case !codes && s.edge.childT == reflect.TypeFor[models.CodeName]():
			case s.edge.join != nil: // read in its parents' statement
				n = max(n, rounds(s.below, codes))
			default:
				n = max(n, 1+rounds(s.below, codes))
			}
		}
		return n
	}
	first := 0
	for _, s := range steps {
		if s.edge.childT != reflect.TypeFor[models.CodeName]() {
			first++
		}
	}
	// stepBreakPoint, createDetails, documentResends, manualReviewFlags, tellerCheckRecords,
	// abnormalPid and payTaxes.
	if r, c := rounds(steps, false), rounds(steps, true); r != 1 || c != 2 || first != 7 {
		t.Errorf("legacy tree: %d rounds, %d with the code tables, %d relations in the first; want 1, 2, 7", r, c, first)
	}
}

// TestPlanIsLinear spreads fragments so that expanding each spread would walk 2^depth
// selections: the planner, which walks each fragment once per level, stays linear.
func TestPlanIsLinear(t *testing.T) {
	for _, depth := range []int{10, 20} {
		var b strings.Builder
		b.WriteString(`query { applications(phone: "0988123456") { createDetails { ...F0 } } }` + "\n")
		for i := range depth {
			fmt.Fprintf(&b, "fragment F%d on CreateDetail { seqNo ...F%d ...F%d }\n", i, i+1, i+1)
		}
		fmt.Fprintf(&b, "fragment F%d on CreateDetail { job { name } }\n", depth)
		paths, p := planOf(t, b.String(), nil)
		if want := []string{"createDetails", "createDetails/job"}; !reflect.DeepEqual(paths, want) {
			t.Fatalf("depth %d: plan = %q", depth, paths)
		}
		// 3 selections per fragment, each fragment once, plus the few of the query: linear.
		if limit := 3*(depth+1) + 10; p.visits > limit {
			t.Errorf("depth %d: %d selections walked, want at most %d", depth, p.visits, limit)
		}
	}
}

// TestPlanCache: a document's plan is made once and reused; one whose @skip or @include
// takes a variable is planned per request, with that request's variables.
func TestPlanCache(t *testing.T) {
	schema := NewExecutableSchema(Config{Resolvers: &Resolver{}}).Schema()
	get := func(doc *ast.QueryDocument, vars map[string]any) []step {
		op := &graphql.OperationContext{Doc: doc, Variables: vars}
		root := doc.Operations[0].SelectionSet[0].(*ast.Field)
		return plans.get(op, graphql.CollectedField{Field: root, Selections: root.SelectionSet})
	}
	fixed, errs := gqlparser.LoadQuery(schema, `{ applications(phone: "0988123456") { abnormalPid createDetails @include(if: true) { job { name } } } }`)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	first, second := get(fixed, nil), get(fixed, nil)
	if len(first) != 2 || &first[0] != &second[0] {
		t.Errorf("fixed document planned again: %v, %v", first, second)
	}
	byVar, errs := gqlparser.LoadQuery(schema, `query($d: Boolean!) { applications(phone: "0988123456") { abnormalPid createDetails @include(if: $d) { job { name } } } }`)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if with, without := get(byVar, map[string]any{"d": true}), get(byVar, map[string]any{"d": false}); len(with) != 2 || len(without) != 1 {
		t.Errorf("variable @include: %d steps with, %d without, want 2 and 1", len(with), len(without))
	}
	if len(get(byVar, map[string]any{"d": true})) != 2 {
		t.Error("variable @include: a cached plan served another request's variables")
	}
}
