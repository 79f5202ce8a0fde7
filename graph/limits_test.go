package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	gqlcomplexity "github.com/99designs/gqlgen/complexity"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// chain is a document of n fragments, each spreading the next one twice: it expands to 2^n
// fields.
func chain(n int) string {
	var b strings.Builder
	b.WriteString("{ ...F0 }\n")
	fmt.Fprintf(&b, "fragment F%d on Query { __typename }\n", n)
	for i := n - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F%d a%d: __typename ...F%d }\n", i, i+1, i, i+1)
	}
	return b.String()
}

func measureDoc(t testing.TB, q string) (shape, error) {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Input: q})
	if err != nil {
		t.Fatal(err)
	}
	m := measurer{fragments: doc.Fragments, memo: map[string]*shape{}}
	return m.set(doc.Operations[0].SelectionSet)
}

// TestMeasureMemoises: each fragment is measured once, so a 2,000-level chain (2^2000 fields
// expanded) is measured at all, and its counts saturate instead of overflowing.
func TestMeasureMemoises(t *testing.T) {
	s, err := measureDoc(t, chain(2000))
	if err != nil {
		t.Fatal(err)
	}
	if s.fields != saturate || s.aliases != saturate || s.depth != 1 {
		t.Errorf("chain(2000): %+v", s)
	}
	s, _ = measureDoc(t, chain(3))
	if s.fields != 30 || s.aliases != 7 {
		t.Errorf("chain(3): %+v, want 30 selections (8 fields, 7 aliased ones, 15 spreads) and 7 aliases", s)
	}
}

func TestMeasureCountsLookups(t *testing.T) {
	for q, want := range map[string]int{
		`{ applications(phone: "x") { seqNo applications: seqNo } }`:                        1, // nested names are not lookups
		`{ a: applications(phone: "x") { seqNo } ... on Query { applications { seqNo } } }`: 2,
		`{ ...F ...F } fragment F on Query { applications { seqNo } }`:                      2,
		`{ __typename }`: 0,
	} {
		s, err := measureDoc(t, q)
		if err != nil || s.lookups != want {
			t.Errorf("%s: %d lookups (%v), want %d", q, s.lookups, err, want)
		}
	}
}

func TestLegacyDocumentShape(t *testing.T) {
	b, err := os.ReadFile("../internal/legacy/getcreateinfo.graphql")
	if err != nil {
		t.Fatal(err)
	}
	s, err := measureDoc(t, string(b))
	// The figures Limits' doc comment gives: depth 5, no aliases, 313 expanded selections (311
	// fields and 2 fragment spreads).
	if err != nil || s.lookups != 1 || s.aliases != 0 || s.depth != 5 || s.fields != 313 {
		t.Errorf("legacy document: %+v %v, want depth 5, 313 selections, no aliases, one lookup", s, err)
	}
	if s.depth > DefaultLimits.MaxDepth || s.fields > DefaultLimits.MaxFields {
		t.Errorf("the legacy document is over the limits %+v", DefaultLimits)
	}
}

// BenchmarkDocumentLimit measures the pre-validation pass on fragment chains: its time grows
// with the chain's length, not with 2^length.
func BenchmarkDocumentLimit(b *testing.B) {
	for _, n := range []int{20, 40, 80} {
		q := chain(n)
		b.Run(fmt.Sprint("chain", n), func(b *testing.B) {
			l := newDocumentLimit(DefaultLimits)
			for b.Loop() {
				doc, _ := parser.ParseQuery(&ast.Source{Input: q})
				if l.check(doc) == nil {
					b.Fatal("not refused")
				}
			}
		})
	}
}

// heavyDoc is inside every shape limit (one lookup, 20 aliases, depth 5, 222 fields) but
// three lists deep: it weighs about 25,000, over MaxComplexity.
func heavyDoc(name string) string {
	var b strings.Builder
	b.WriteString("query " + name + `($phone: String) { applications(phone: $phone) { manualReviewFlags {`)
	for i := range 20 {
		fmt.Fprintf(&b, " p%c: payTaxes { IDNO createdDate createdTime seqNo taxesNo updateDate updateTime countryCode { code name } }", 'a'+i)
	}
	b.WriteString(" } } }\n")
	return b.String()
}

// TestComplexityIgnoresVariables: an operation's complexity is the same whatever its
// variables, those of the lookup fields included, so that complexityLimit may measure it once
// for every request of its text.
func TestComplexityIgnoresVariables(t *testing.T) {
	es := NewSchema(Options{})
	legacyDoc, err := os.ReadFile("../internal/legacy/getcreateinfo.graphql")
	if err != nil {
		t.Fatal(err)
	}
	reveal := `query R($s: String!, $r: RevealReason!) { revealApplication(seqNo: $s, reason: $r) { seqNo manualReviewFlags { payTaxes { seqNo } } } }`
	literal := `{ applications(idno: "A123456789", seqNo: "1") { seqNo manualReviewFlags { special } } }`
	for _, c := range []struct {
		q    string
		vars []map[string]any
	}{
		{string(legacyDoc), []map[string]any{{"phone": "0988123456"}, {"idno": "A123456789", "seqNo": "x"}, {"phone": nil}, {}}},
		{heavyDoc("H"), []map[string]any{{"phone": "0988123456"}, {"phone": ""}}},
		{reveal, []map[string]any{{"s": "S1", "r": "COMPLAINT_HANDLING"}, {"s": "", "r": "CUSTOMER_REQUEST"}}},
		{literal, []map[string]any{{}}},
	} {
		doc, errs := gqlparser.LoadQuery(es.Schema(), c.q)
		if errs != nil {
			t.Fatalf("%.40q: %v", c.q, errs)
		}
		op := doc.Operations[0]
		without := gqlcomplexity.Calculate(context.Background(), es, op, nil)
		if without <= 1 {
			t.Errorf("%.40q: complexity %d", c.q, without)
		}
		for _, vars := range c.vars {
			if n := gqlcomplexity.Calculate(context.Background(), es, op, vars); n != without {
				t.Errorf("%.40q with %v: complexity %d, %d without variables", c.q, vars, n, without)
			}
		}
	}
}

// TestComplexityLimitPerOperation: the measure is remembered per operation, not per text. A
// document whose light operation was run first still has its heavy one refused, every time;
// the heavy one alone is refused on every request too.
func TestComplexityLimitPerOperation(t *testing.T) {
	h := NewHandler(NewSchema(Options{}), Options{})
	both := "query Light { __typename }\n" + heavyDoc("Heavy")
	send := func(q, op string) (int, string) {
		b, _ := json.Marshal(map[string]any{"query": q, "operationName": op, "variables": map[string]any{"phone": "0988123456"}})
		r := httptest.NewRequest("POST", "/graphql", bytes.NewReader(b))
		r.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec.Code, rec.Body.String()
	}
	refused := func(status int, answer string) bool {
		return status == http.StatusOK && strings.Contains(answer, `{"errors":[{"message":"operation has complexity `) &&
			strings.Contains(answer, `exceeds the limit of 10000","extensions":{"code":"INVALID_REQUEST"}}],"data":null}`)
	}
	for range 3 {
		if status, answer := send(both, "Light"); status != http.StatusOK || answer != `{"data":{"__typename":"Query"}}` {
			t.Errorf("light: %d %s", status, answer)
		}
		if status, answer := send(both, "Heavy"); !refused(status, answer) {
			t.Errorf("heavy after light: %d %s", status, answer)
		}
		if status, answer := send(heavyDoc("Heavy"), ""); !refused(status, answer) {
			t.Errorf("heavy alone: %d %s", status, answer)
		}
	}
}
