package graph

import (
	"fmt"
	"os"
	"strings"
	"testing"

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
