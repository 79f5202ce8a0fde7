package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/codegen"
	gqlast "github.com/vektah/gqlparser/v2/ast"
)

// lean rewrites two things of the exec code gqlgen writes, both pure overhead for this schema:
//
//   - A scalar field read off the model (a struct field, or a method that returns no error)
//     goes through graphql.ResolveField: a FieldContext, a context.WithValue, two closures
//     and its value boxed in an `any`, for each of the hundreds of such fields of a response,
//     although nothing can fail. Such a field now calls its marshaler directly. The one field
//     interceptor, the masker (graph/mask.go), then no longer sees it: the personal fields
//     among them (read from graph/mask.go's table, the one place they are listed) pass their
//     value through graph.maskedString or maskedStringPtr, the masker's own rule. Kept on the
//     full path: resolvers, and every field whose marshaler can record an error, which needs
//     the field's own context for its path: a non-null field of a pointer, of a custom scalar
//     (DateTime's zero time is null), or of a context marshaler.
//   - graphql.MarshalSliceConcurrently starts a goroutine per element of every list. Every
//     relation below a root field has been fetched before its first element is marshalled
//     (graph/prime.go; a failed fetch is answered at once, loaders.Relation.Load), so the
//     elements find their values in hand and concurrency buys only goroutine starts and
//     stack growth: every list, the root fields' own included, is marshalled in order
//     (graph.marshalInOrder, the same field context per element, the same panic recovery).
//     TestNothingWaitsForALoaderTimer holds it: with the loaders' wait at 30 s, every
//     document of the service still answers at once.
//   - The marshaler of a non-root type returns graph.newObject(fields, out.Values), which
//     writes the same JSON as gqlgen's *graphql.FieldSet without its two allocations per
//     field and its map per object (graph/marshal.go), and without the @defer group gqlgen
//     makes for each object and never fills when its fields resolve in sequence.
//   - Every object's marshaler, the root Query's included, collects its fields through
//     graph.collectFields, which keeps the fields of a selection set that no variable can
//     change across requests, instead of graphql.CollectFields's cache of one request
//     (graph/collect.go).
//   - The response is marshalled into a pooled buffer and copied out at its size
//     (graph.marshalResponse), instead of a buffer grown from nothing by doubling.
type lean struct {
	personalFile string
	// fields are the functions ("_Type_field") whose body becomes a direct marshal, each with
	// the format that wraps the value: "" for none, a call of graph's masking for the personal
	// fields.
	fields  map[string]string
	objects map[string]bool // "_Type": marshalers of the non-root types, returning newObject
}

func (*lean) Name() string { return "lean" }

// neverNull are the built-in scalars whose marshalers (package graphql) never return null:
// their non-null fields cannot fail.
var neverNull = map[string]bool{"String": true, "Boolean": true, "Int": true, "Float": true, "ID": true}

// GenerateCode picks the fields and lists from gqlgen's data, before the exec code is written.
func (l *lean) GenerateCode(data *codegen.Data) error {
	personal, err := personalFields(l.personalFile)
	if err != nil {
		return err
	}
	l.fields, l.objects = map[string]string{}, map[string]bool{}
	for _, o := range data.Objects {
		if !o.Root {
			l.objects["_"+o.Name] = true
		}
		for _, f := range o.Fields {
			if o.Root {
				continue
			}
			key := o.Name + "." + f.Name
			if !direct(f) {
				delete(personal, key)
				continue
			}
			if !personal[key] {
				l.fields["_"+o.Name+"_"+f.Name] = ""
				continue
			}
			delete(personal, key)
			switch t := f.TypeReference.GO.String(); t {
			case "string":
				l.fields["_"+o.Name+"_"+f.Name] = "maskedString(ctx, " + strconv.Quote(key) + ", %s)"
			case "*string":
				l.fields["_"+o.Name+"_"+f.Name] = "maskedStringPtr(ctx, " + strconv.Quote(key) + ", %s)"
			default:
				return fmt.Errorf("the personal field %s is a %s, which graph.masked* do not take", key, t)
			}
		}
	}
	if len(personal) > 0 {
		return fmt.Errorf("%s lists personal fields the schema does not have: %v", l.personalFile, slices.Sorted(mapKeys(personal)))
	}
	return nil
}

// direct reports whether f's value is a scalar read off the model that cannot fail.
func direct(f *codegen.Field) bool {
	t := f.TypeReference
	switch {
	case f.IsReserved(), f.IsResolver, len(f.Args) > 0, len(f.Directives) > 0, f.Stream, f.Batch:
		return false
	case !f.IsVariable() && !(f.IsMethod() && f.NoErr && !f.VOkFunc):
		return false
	case t == nil || t.Definition == nil || t.Definition.Kind != gqlast.Scalar || t.IsSlice() || t.IsContext:
		return false
	case t.GQL.NonNull:
		return !t.IsPtr() && neverNull[t.Definition.Name] && t.Marshaler != nil &&
			t.Marshaler.Pkg().Path() == "github.com/99designs/gqlgen/graphql"
	}
	return true
}

func mapKeys(ms ...map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for _, m := range ms {
			for k := range m {
				if !yield(k) {
					return
				}
			}
		}
	}
}

// personalFields reads the keys ("Type.field") of the map literal `var personal` in file.
func personalFields(file string) (map[string]bool, error) {
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		return nil, fmt.Errorf("reading the personal fields: %w", err)
	}
	out := map[string]bool{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.VAR {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			if len(v.Names) != 1 || v.Names[0].Name != "personal" || len(v.Values) != 1 {
				continue
			}
			lit, ok := v.Values[0].(*ast.CompositeLit)
			if !ok {
				return nil, fmt.Errorf("%s: personal is not a map literal", file)
			}
			for _, e := range lit.Elts {
				kv, ok := e.(*ast.KeyValueExpr)
				key, isLit := kv.Key.(*ast.BasicLit)
				if !ok || !isLit || key.Kind != token.STRING {
					return nil, fmt.Errorf("%s: a key of personal is not a string literal", file)
				}
				k, err := strconv.Unquote(key.Value)
				if err != nil {
					return nil, err
				}
				out[k] = true
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no var personal with fields", file)
	}
	return out, nil
}

// rewrite applies the rewrites to the exec file gqlgen wrote. Each function it expects to
// rewrite must have the shape gqlgen v0.17.98 writes, or it fails, naming it: a new gqlgen
// that writes something else stops `make generate` rather than going unnoticed.
func (l *lean) rewrite(file string) error {
	src, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, parser.SkipObjectResolution)
	if err != nil {
		return err
	}
	text := func(n ast.Node) string {
		return string(src[fset.Position(n.Pos()).Offset:fset.Position(n.End()).Offset])
	}
	type edit struct {
		from, to int
		with     string
	}
	var edits []edit
	done := map[string]bool{}
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv == nil || fn.Body == nil {
			continue
		}
		name := fn.Name.Name
		if wrap, ok := l.fields[name]; ok {
			marshal, value, ok := plainField(fn, text)
			if !ok {
				return fmt.Errorf("%s: %s is not the ResolveField call of a plain field that this rewrite knows", file, name)
			}
			if wrap != "" {
				value = fmt.Sprintf(wrap, value)
			}
			edits = append(edits, edit{fset.Position(fn.Body.Lbrace).Offset, fset.Position(fn.Body.Rbrace).Offset + 1,
				fmt.Sprintf("{\n\treturn %s(ctx, field.Selections, %s)\n}", marshal, value)})
			done[name] = true
			continue
		}
		if l.objects[name] || name == "_Query" {
			// Every object's fields, the root's included (its children's selections are its
			// collected fields'), collected through graph.collectFields's cache.
			call, ok := collectCall(fn, text)
			if !ok {
				return fmt.Errorf("%s: %s does not collect its fields as this rewrite knows", file, name)
			}
			edits = append(edits, edit{fset.Position(call.Fun.Pos()).Offset, fset.Position(call.Fun.End()).Offset, "collectFields"})
			if name == "_Query" {
				done[name] = true
				continue
			}
		}
		if l.objects[name] {
			last, ok := fn.Body.List[len(fn.Body.List)-1].(*ast.ReturnStmt)
			if !ok || len(last.Results) != 1 || text(last.Results[0]) != "out" || !strings.Contains(text(fn.Body), "fields := graphql.CollectFields(") {
				return fmt.Errorf("%s: %s does not end in the `return out` of a field set this rewrite knows", file, name)
			}
			edits = append(edits, edit{fset.Position(last.Results[0].Pos()).Offset, fset.Position(last.Results[0].End()).Offset,
				"newObject(fields, out.Values)"})
			// The @defer group of a type whose fields resolve in sequence: gqlgen's template
			// makes it (with the field's path, a field set and a map) and adds nothing to it.
			if strings.Count(text(fn.Body), "deferred") != 3 {
				return fmt.Errorf("%s: %s uses its @defer group in a way this rewrite does not know", file, name)
			}
			for _, st := range fn.Body.List {
				if t := text(st); t == "deferred := graphql.NewDeferredGroup(ctx)" || strings.HasPrefix(t, "if n := len(deferred.Defers); n > 0 {") {
					edits = append(edits, edit{fset.Position(st.Pos()).Offset, fset.Position(st.End()).Offset, ""})
				}
			}
			done[name] = true
			continue
		}
		if !strings.HasPrefix(name, "marshal") {
			continue
		}
		var bad error
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || text(call.Fun) != "graphql.MarshalSliceConcurrently" {
				return true
			}
			if len(call.Args) != 5 || text(call.Args[0]) != "ctx" || text(call.Args[2]) != "0" || text(call.Args[3]) != "false" {
				bad = fmt.Errorf("%s: %s calls MarshalSliceConcurrently with arguments this rewrite does not know", file, name)
				return false
			}
			edits = append(edits, edit{fset.Position(call.Fun.Pos()).Offset, fset.Position(call.Args[4].Pos()).Offset,
				"marshalInOrder(" + text(call.Args[0]) + ", " + text(call.Args[1]) + ", "})
			return true
		})
		if bad != nil {
			return bad
		}
	}
	for name := range mapKeys(l.objects) {
		if !done[name] {
			return fmt.Errorf("%s: no function %s to rewrite", file, name)
		}
	}
	if !done["_Query"] {
		return fmt.Errorf("%s: no function _Query to rewrite", file)
	}
	for name := range l.fields {
		if !done[name] {
			return fmt.Errorf("%s: no function %s to rewrite", file, name)
		}
	}
	// The response: marshalled into a pooled buffer (graph.marshalResponse).
	const response = "var buf bytes.Buffer\n\t\t\tdata.MarshalGQL(&buf)\n\t\t\tresponse.Data = buf.Bytes()"
	if at := bytes.Index(src, []byte(response)); at < 0 || bytes.Count(src, []byte(response)) != 1 {
		return fmt.Errorf("%s: the response is not marshalled as this rewrite knows", file)
	} else {
		edits = append(edits, edit{at, at + len(response), "response.Data = marshalResponse(data)"})
	}
	slices.SortFunc(edits, func(a, b edit) int { return b.from - a.from })
	out := slices.Clone(src)
	for _, e := range edits {
		out = slices.Concat(out[:e.from], []byte(e.with), out[e.to:])
	}
	if !bytes.Contains(out, []byte("bytes.")) {
		out = bytes.Replace(out, []byte("\t\"bytes\"\n"), nil, 1)
	}
	if out, err = format.Source(out); err != nil {
		return fmt.Errorf("%s after the rewrite: %w", file, err)
	}
	if bytes.Equal(out, src) {
		return nil
	}
	return os.WriteFile(file, out, 0o644)
}

// plainField matches the body gqlgen writes for a field without a resolver,
//
//	return graphql.ResolveField(ctx, ec.OperationContext, field, <field context>,
//		func(ctx context.Context) (any, error) { return <value>, nil },
//		nil, func(ctx context.Context, selections ast.SelectionSet, v T) graphql.Marshaler {
//			return ec.<marshal>(ctx, selections, v)
//		}, true, <nonNull>)
//
// and returns ec.<marshal> and <value>.
func plainField(fn *ast.FuncDecl, text func(ast.Node) string) (marshal, value string, ok bool) {
	if len(fn.Body.List) != 1 {
		return "", "", false
	}
	ret, ok := fn.Body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 {
		return "", "", false
	}
	call, ok := ret.Results[0].(*ast.CallExpr)
	if !ok || text(call.Fun) != "graphql.ResolveField" || len(call.Args) != 9 || text(call.Args[5]) != "nil" {
		return "", "", false
	}
	resolver, ok1 := single(call.Args[4])
	marshaller, ok2 := single(call.Args[6])
	if !ok1 || !ok2 || len(resolver.Results) != 2 || text(resolver.Results[1]) != "nil" || len(marshaller.Results) != 1 {
		return "", "", false
	}
	m, ok := marshaller.Results[0].(*ast.CallExpr)
	if !ok || len(m.Args) != 3 || text(m.Args[0]) != "ctx" || text(m.Args[1]) != "selections" || text(m.Args[2]) != "v" ||
		!strings.HasPrefix(text(m.Fun), "ec.marshal") {
		return "", "", false
	}
	value = text(resolver.Results[0])
	if !strings.HasPrefix(value, "obj.") {
		return "", "", false
	}
	return text(m.Fun), value, true
}

// single returns the return statement of a function literal whose body is only that.
func single(e ast.Expr) (*ast.ReturnStmt, bool) {
	lit, ok := e.(*ast.FuncLit)
	if !ok || len(lit.Body.List) != 1 {
		return nil, false
	}
	ret, ok := lit.Body.List[0].(*ast.ReturnStmt)
	return ret, ok
}

// collectCall finds the first statement gqlgen writes in an object's marshaler,
//
//	fields := graphql.CollectFields(ec.OperationContext, sel, <implementors>)
//
// and returns its call.
func collectCall(fn *ast.FuncDecl, text func(ast.Node) string) (*ast.CallExpr, bool) {
	if len(fn.Body.List) == 0 {
		return nil, false
	}
	as, ok := fn.Body.List[0].(*ast.AssignStmt)
	if !ok || len(as.Lhs) != 1 || len(as.Rhs) != 1 || text(as.Lhs[0]) != "fields" {
		return nil, false
	}
	call, ok := as.Rhs[0].(*ast.CallExpr)
	if !ok || text(call.Fun) != "graphql.CollectFields" || len(call.Args) != 3 ||
		text(call.Args[0]) != "ec.OperationContext" || text(call.Args[1]) != "sel" || !strings.HasSuffix(text(call.Args[2]), "Implementors") {
		return nil, false
	}
	return call, true
}
