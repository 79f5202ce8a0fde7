package graph

import (
	"reflect"
	"strings"
	"testing"
)

// TestRelationsMatchSchema ties the relation graph to the schema and the generated resolver
// interfaces: every resolver field (one gqlgen generates a resolver method for) must be served
// by an edge, and every edge must name a field of its parent type whose type is the edge's
// child. Renaming a schema field, or adding a resolver without its edge, fails here instead of
// silently no longer priming.
func TestRelationsMatchSchema(t *testing.T) {
	schema := NewExecutableSchema(Config{Resolvers: &Resolver{}}).Schema()

	root := reflect.TypeFor[ResolverRoot]()
	resolverFields := 0
	for i := range root.NumMethod() {
		typeName := root.Method(i).Name
		if typeName == "Query" {
			continue // the root is the lookup itself, not a relation
		}
		iface := root.Method(i).Type.Out(0)
		for j := range iface.NumMethod() {
			method := iface.Method(j).Name
			resolverFields++
			if !hasEdge(typeName, method) {
				t.Errorf("%s.%s has a resolver but no edge in relations", typeName, method)
			}
		}
	}
	if resolverFields < 15 {
		t.Fatalf("found only %d resolver fields: is the reflection looking at the right interfaces?", resolverFields)
	}

	edges := 0
	for typeName, list := range relations {
		def := schema.Types[typeName]
		if def == nil {
			t.Errorf("relations: type %s is not in the schema", typeName)
			continue
		}
		for _, e := range list {
			edges++
			for _, f := range e.fields {
				fd := def.Fields.ForName(f)
				if fd == nil {
					t.Errorf("relations: %s.%s is not in the schema", typeName, f)
					continue
				}
				if e.child != "" && fd.Type.Name() != e.child {
					t.Errorf("relations: %s.%s is a %s, the edge says %s", typeName, f, fd.Type.Name(), e.child)
				}
				if e.child == "" && schema.Types[fd.Type.Name()].IsCompositeType() {
					t.Errorf("relations: %s.%s selects %s, the edge names no child type", typeName, f, fd.Type.Name())
				}
			}
			if e.child != "" && schema.Types[e.child] == nil {
				t.Errorf("relations: child type %s is not in the schema", e.child)
			}
		}
	}
	if edges == 0 {
		t.Fatal("no edges")
	}
}

// hasEdge reports whether an edge of typeName serves the field whose resolver method is method
// (gqlgen's method names are the field names with an upper-case start and initialisms: IDIssueWay).
func hasEdge(typeName, method string) bool {
	for _, e := range relations[typeName] {
		for _, f := range e.fields {
			if strings.EqualFold(f, method) {
				return true
			}
		}
	}
	return false
}
