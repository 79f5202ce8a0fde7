package graph

import (
	"sync"
	"unsafe"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// collectFields is graphql.CollectFields with a cache that outlives the request. The
// generated marshaler of every object, the root Query's included, calls it once per instance
// (tools/cmd/gqlgen, lean.go); gqlgen's own cache lives in one OperationContext, builds its key
// by reflection and an fnv hash on each call, and collects afresh in every request.
//
// Only a selection set whose fields cannot depend on the request is cached: none of the
// directives that collecting reads (its own selections', its inline fragments', its fragment
// spreads' and their definitions', recursively, as gqlgen walks them) takes a variable.
// Whether a set is such is a fact of its document, so it is remembered either way; a set that
// is not is collected by graphql.CollectFields on every call.
//
// The key is the set's identity (its first element's address and its length) and the
// implementors slice's. A parsed document leaves gqlgen's query cache (an LRU) when it is
// evicted, and its memory could then be reused at the same address by another document, which
// would hit a stale entry: an entry therefore holds the ast.SelectionSet it was made from, so
// that this memory cannot be freed while the entry exists, and a hit compares the held slice
// with the caller's (same address and length). The returned fields are shared by every
// request: no caller mutates them (the generated code reads them; graph.object only writes
// their aliases out).
//
// A set collected by gqlgen (not cacheable) has fresh Selections in each of its fields, so the
// sets below it are new slices in each request and fill the cache with entries that are never
// hit again: the cache is cleared when it holds maxCollected entries, like prime.go's plans.
func collectFields(op *graphql.OperationContext, sel ast.SelectionSet, implementors []string) []graphql.CollectedField {
	if len(sel) == 0 || len(implementors) == 0 {
		return graphql.CollectFields(op, sel, implementors)
	}
	k := collectKey{&sel[0], len(sel), &implementors[0], len(implementors)}
	collected.mu.RLock()
	e, ok := collected.m[k]
	collected.mu.RUnlock()
	if ok && sameSet(e.sel, sel) {
		if e.variable {
			return graphql.CollectFields(op, sel, implementors)
		}
		return e.fields
	}
	e = collectedSet{sel: sel, variable: dependsOnVariables(op.Doc, sel, map[string]bool{})}
	fields := graphql.CollectFields(op, sel, implementors)
	if !e.variable {
		e.fields = fields
	}
	collected.mu.Lock()
	if len(collected.m) >= maxCollected {
		clear(collected.m)
	}
	collected.m[k] = e
	collected.mu.Unlock()
	return fields
}

const maxCollected = 4096

var collected = struct {
	mu sync.RWMutex
	m  map[collectKey]collectedSet
}{m: make(map[collectKey]collectedSet)}

type collectKey struct {
	first        *ast.Selection
	n            int
	implementors *string
	nImpl        int
}

type collectedSet struct {
	sel      ast.SelectionSet // what the entry was made from: kept alive, compared on a hit
	variable bool             // a directive that collecting reads takes a variable
	fields   []graphql.CollectedField
}

func sameSet(a, b ast.SelectionSet) bool {
	return len(a) == len(b) && unsafe.SliceData(a) == unsafe.SliceData(b)
}

// dependsOnVariables reports whether a directive that graphql.CollectFields reads on sel takes
// a variable: a field's, an inline fragment's, a fragment spread's, recursively through
// inline fragments and the definitions of spread fragments (each once, as gqlgen visits them).
// It errs on the side of "depends": any directive, any argument.
func dependsOnVariables(doc *ast.QueryDocument, sel ast.SelectionSet, visited map[string]bool) bool {
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			if variableIn(s.Directives) {
				return true
			}
		case *ast.InlineFragment:
			if variableIn(s.Directives) || dependsOnVariables(doc, s.SelectionSet, visited) {
				return true
			}
		case *ast.FragmentSpread:
			if variableIn(s.Directives) {
				return true
			}
			if visited[s.Name] {
				continue
			}
			visited[s.Name] = true
			var f *ast.FragmentDefinition
			if doc != nil {
				f = doc.Fragments.ForName(s.Name)
			}
			if f == nil || variableIn(f.Directives) || dependsOnVariables(doc, f.SelectionSet, visited) {
				return true
			}
		default:
			return true
		}
	}
	return false
}

func variableIn(ds ast.DirectiveList) bool {
	for _, d := range ds {
		for _, a := range d.Arguments {
			if valueHasVariable(a.Value) {
				return true
			}
		}
	}
	return false
}

func valueHasVariable(v *ast.Value) bool {
	if v == nil {
		return false
	}
	if v.Kind == ast.Variable {
		return true
	}
	for _, c := range v.Children {
		if valueHasVariable(c.Value) {
			return true
		}
	}
	return false
}
