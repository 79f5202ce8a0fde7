package graph

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"createinfo/models"
)

// line is a line of the relation table: every kind of edge is one.
type line interface{ base() *edge }

func (e *edge) base() *edge { return e }

// table files the lines by the GraphQL type they hang under, for the priming walk.
func table(lines ...line) map[string][]*edge {
	t := make(map[string][]*edge)
	for _, l := range lines {
		e := l.base()
		t[e.parent] = append(t[e.parent], e)
	}
	return t
}

// everyEdge yields every line of the table, whatever its parent type (in no fixed order).
func everyEdge(yield func(*edge) bool) {
	for _, list := range relations {
		for _, e := range list {
			if !yield(e) {
				return
			}
		}
	}
}

// resolvers are the resolvers of the fields the table's edges serve, by the resolver
// method's code (resolve).
var resolvers = map[uintptr]any{}

// rootModel is the model of the root lookup's rows, where the priming walk starts.
var rootModel = reflect.TypeFor[models.Application]()

func init() {
	// A wrong line fails at start (and in every test of the package).
	if err := checkRelations(parsedSchema); err != nil {
		panic(err)
	}
	if err := joinAll(); err != nil {
		panic(err)
	}
}

// checkRelations checks the table against the schema and the generated code, finishes what is
// derived from it (field names, resolvers, joins) and fails naming the line and the piece
// that is wrong.
func checkRelations(schema *ast.Schema) error {
	var errs []error
	res := map[uintptr]any{}
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	models := map[string]reflect.Type{"Application": rootModel} // GraphQL type -> model of its rows
	for parent, list := range relations {
		def := schema.Types[parent]
		if def == nil {
			fail("relations: %s: type %s is not in the schema", list[0].line, parent)
			continue
		}
		for _, e := range list {
			if m, ok := models[parent]; ok && m != e.parentT {
				fail("relations: %s: %s rows are %v, the line says %v", e.line, parent, m, e.parentT)
			}
			models[parent] = e.parentT
			e.fields = e.fields[:0]
			for i, method := range e.methods {
				f := fieldOf(def, method)
				if f == nil {
					fail("relations: %s: %s.%s is not in the schema", e.line, parent, method)
					continue
				}
				e.fields = append(e.fields, f.Name)
				named := schema.Types[f.Type.Name()]
				switch {
				case e.child != "" && i == 0 && f.Type.Name() != e.child:
					fail("relations: %s: %s.%s is a %s, the line loads %s", e.line, parent, f.Name, f.Type.Name(), e.child)
				case e.child == "" && named != nil && named.IsCompositeType():
					fail("relations: %s: %s.%s selects %s: declare it with one or many, not derived", e.line, parent, f.Name, f.Type.Name())
				}
				if e.res[i] != nil {
					if _, dup := res[e.pcs[i]]; dup {
						fail("relations: %s: %s.%s has two lines", e.line, parent, f.Name)
					}
					res[e.pcs[i]] = e.res[i]
				}
			}
		}
	}
	// Rows below an edge are the model the lines under its child type take.
	for e := range everyEdge {
		if m, ok := models[e.child]; ok && e.child != "" && m != e.childT {
			fail("relations: %s: %s rows are %v, the lines under %s take %v", e.line, e.child, e.childT, e.child, m)
		}
	}
	// An edge read sooner (soon) keys the rows of the level above its parent: every line
	// leading to its parent hangs under rows of that model.
	for e := range everyEdge {
		if e.early == nil {
			continue
		}
		n := 0
		for up := range everyEdge {
			if up.child != e.parent {
				continue
			}
			n++
			if up.parentT != e.early.model {
				fail("relations: %s: read sooner from %v rows, but %s rows hang under %v rows (%s)", e.line, e.early.model, e.parent, up.parentT, up.line)
			}
		}
		if n == 0 {
			fail("relations: %s: read sooner, but no line leads to %s", e.line, e.parent)
		}
	}
	// Every resolver gqlgen generated below the root is served by a line.
	root := reflect.TypeFor[ResolverRoot]()
	for i := range root.NumMethod() {
		typeName := root.Method(i).Name
		if typeName == "Query" {
			continue // the root is the lookup itself, not a relation
		}
		iface := root.Method(i).Type.Out(0)
		for j := range iface.NumMethod() {
			if !served(typeName, iface.Method(j).Name) {
				fail("relations: %s.%s has a resolver but no line in the relation table (graph/relations.go)", typeName, iface.Method(j).Name)
			}
		}
	}
	// Every list field of a line has its complexity weight.
	var c ComplexityRoot
	cv := reflect.ValueOf(&c).Elem()
	for e := range everyEdge {
		for i, m := range e.methods {
			if !e.list[i] {
				continue
			}
			if f := cv.FieldByName(e.parent).FieldByName(m); !f.IsValid() || f.Type() != reflect.TypeFor[func(int) int]() {
				fail("relations: %s: ComplexityRoot has no %s.%s weight", e.line, e.parent, m)
			}
		}
	}
	if len(errs) == 0 {
		resolvers = res
	}
	return errors.Join(errs...)
}

// joinAll puts the joined children into the statement of every list edge leading to their
// parent model. It runs once, at start.
func joinAll() error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	for e := range everyEdge {
		if e.join == nil {
			continue
		}
		n := 0
		for up := range everyEdge {
			ok, err := e.join(up.rel)
			if err != nil {
				fail("relations: %s: %w", e.line, err)
			}
			if ok {
				n++
			}
		}
		if n == 0 {
			fail("relations: %s: joined, but no list line leads to %v", e.line, e.parentT)
		}
	}
	return errors.Join(errs...)
}

// fieldOf is the field of def whose resolver method is method (gqlgen's method names are the
// field names with an upper-case start and initialisms: IDIssueWay).
func fieldOf(def *ast.Definition, method string) *ast.FieldDefinition {
	for _, f := range def.Fields {
		if strings.EqualFold(f.Name, method) {
			return f
		}
	}
	return nil
}

// served reports whether a line of typeName serves the resolver method.
func served(typeName, method string) bool {
	for _, e := range relations[typeName] {
		for _, m := range e.methods {
			if m == method {
				return true
			}
		}
	}
	return false
}

// weigh gives every list field of the table its complexity weight.
func weigh(c *ComplexityRoot, list func(int) int) {
	cv := reflect.ValueOf(c).Elem()
	for e := range everyEdge {
		for i, m := range e.methods {
			if e.list[i] {
				cv.FieldByName(e.parent).FieldByName(m).Set(reflect.ValueOf(list))
			}
		}
	}
}
