package graph

import (
	goast "go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// Every String field of the schema is either personal (masked for agents) or listed as not
// personal, by name: a new field fails here until someone decides which.
func TestEveryStringFieldIsClassified(t *testing.T) {
	src, err := os.ReadFile("../schema.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	schema, gerr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphqls", Input: string(src)})
	if gerr != nil {
		t.Fatal(gerr)
	}
	not := map[string]bool{}
	for _, f := range notPersonal {
		if not[f] {
			t.Errorf("%s is listed twice", f)
		}
		if strings.Contains(f, "*") {
			t.Errorf("%s: a wildcard would let a new field of the type through unclassified: list its fields", f)
		}
		not[f] = true
	}
	seen := map[string]bool{}
	for _, def := range schema.Types {
		if def.Kind != ast.Object || def.BuiltIn || strings.HasPrefix(def.Name, "__") {
			continue
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") || f.Type.Name() != "String" {
				continue
			}
			key := def.Name + "." + f.Name
			_, isPersonal := personal[key]
			isNot := not[key]
			switch {
			case isPersonal && isNot:
				t.Errorf("%s is both personal and not personal", key)
			case !isPersonal && !isNot:
				t.Errorf("%s is a String field in neither graph.personal nor graph.notPersonal: decide whether it holds personal data", key)
			}
			seen[key] = true
		}
	}
	for key := range personal {
		if !seen[key] {
			t.Errorf("personal lists %s, which is no String field of the schema", key)
		}
	}
	for key := range not {
		if !seen[key] && key != "Query.__typename" {
			t.Errorf("notPersonal lists %s, which is no String field of the schema", key)
		}
	}
}

// The masks are the console's (internal/console/static/app.js).
func TestMasks(t *testing.T) {
	for _, c := range []struct {
		m        mask
		in, want string
	}{
		{maskName, "王小明", "王○明"}, {maskName, "陳美", "陳○"}, {maskName, "林", "○"}, {maskName, "歐陽大文", "歐○○文"},
		{maskIdno, "N123456789", "N12****789"}, {maskIdno, "A12345", "******"},
		{maskPhone, "0988123456", "0988***456"},
		{maskAddress, "台北市信義路五段7號", "台北市○○○○○○○"}, {maskAddress, "台北", "○○"},
		{maskEmail, "12345@gmail.com", "1***@gmail.com"}, {maskEmail, "nodomain", "********"},
		{maskHidden, "127.0.0.1", "********"}, {maskHidden, "94", "**"},
	} {
		if got := c.m(c.in); got != c.want {
			t.Errorf("%q masked as %q, want %q", c.in, got, c.want)
		}
	}
}

// Every personal field is masked on the way out: either it resolves through gqlgen's field
// path, where the masker intercepts it, or the generated code (tools/cmd/gqlgen, lean.go),
// which marshals it without that path, passes its value through the masker's rule under its
// own key. A generator that dropped either would fail here.
func TestEveryPersonalFieldPassesTheMask(t *testing.T) {
	src, err := os.ReadFile("generated.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "generated.go", src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	bodies := map[string]string{}
	for _, d := range f.Decls {
		if fn, ok := d.(*goast.FuncDecl); ok && fn.Body != nil {
			bodies[fn.Name.Name] = string(src[fset.Position(fn.Body.Pos()).Offset:fset.Position(fn.Body.End()).Offset])
		}
	}
	intercepted, inline := 0, 0
	for key := range personal {
		typ, field, _ := strings.Cut(key, ".")
		body, ok := bodies["_"+typ+"_"+field]
		switch {
		case !ok:
			t.Errorf("%s: no generated function _%s_%s", key, typ, field)
		case strings.Contains(body, "graphql.ResolveField("):
			intercepted++
		case strings.Contains(body, "maskedString(ctx, "+strconv.Quote(key)+", obj.") ||
			strings.Contains(body, "maskedStringPtr(ctx, "+strconv.Quote(key)+", obj."):
			inline++
		default:
			t.Errorf("%s is marshalled without the masker's rule: %s", key, body)
		}
	}
	if intercepted == 0 || inline == 0 {
		t.Errorf("%d personal fields intercepted, %d masked inline: the test no longer sees both ways", intercepted, inline)
	}
}
