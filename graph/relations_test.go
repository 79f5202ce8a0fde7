package graph

import (
	"reflect"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/codegen/config"

	"createinfo/models"
)

// TestRelationsMatchSchema: the relation table as it stands passes the start-up check, and
// every resolver field below the root (gqlgen generates one per schema field its model lacks)
// is served by a line. The count is the schema's: 19 resolver fields below the root.
func TestRelationsMatchSchema(t *testing.T) {
	if err := checkRelations(parsedSchema); err != nil {
		t.Fatal(err)
	}
	root := reflect.TypeFor[ResolverRoot]()
	fields := 0
	for i := range root.NumMethod() {
		if root.Method(i).Name != "Query" {
			fields += root.Method(i).Type.Out(0).NumMethod()
		}
	}
	if fields != 19 {
		t.Errorf("%d resolver fields below the root, want 19", fields)
	}
}

// TestCheckRelationsNamesTheMissingPiece: the start-up check fails, naming what is wrong, on
// a resolver field without a line, a line whose field the schema lacks, and a line filed
// under a type whose rows are another model.
func TestCheckRelationsNamesTheMissingPiece(t *testing.T) {
	saved := relations
	t.Cleanup(func() { relations = saved; _ = checkRelations(parsedSchema) })

	// A resolver field without its line.
	relations = map[string][]*edge{}
	for k, v := range saved {
		relations[k] = v
	}
	relations["PayTax"] = nil
	err := checkRelations(parsedSchema)
	if err == nil || !strings.Contains(err.Error(), "PayTax.CountryCode has a resolver but no line") {
		t.Errorf("missing line: %v", err)
	}

	// A line under a parent type whose rows are another model: ApplicationResolver's lines
	// take *models.Application; this one is keyed by a create detail.
	// (A line whose key function takes another model than its resolver's does not compile.)
	relations = map[string][]*edge{}
	for k, v := range saved {
		relations[k] = v
	}
	bad := *saved["PayTax"][0]
	bad.parentT = reflect.TypeFor[models.CreateDetail]()
	relations["PayTax"] = []*edge{&bad}
	err = checkRelations(parsedSchema)
	if err == nil || !strings.Contains(err.Error(), "PayTax rows are") {
		t.Errorf("wrong parent model: %v", err)
	}

	// A line naming a field the schema lacks.
	relations = map[string][]*edge{}
	for k, v := range saved {
		relations[k] = v
	}
	ghost := *saved["PayTax"][0]
	ghost.methods = []string{"Nowhere"}
	ghost.res = []any{nil}
	ghost.list = []bool{false}
	ghost.pcs = []uintptr{0}
	relations["PayTax"] = []*edge{saved["PayTax"][0], &ghost}
	err = checkRelations(parsedSchema)
	if err == nil || !strings.Contains(err.Error(), "PayTax.Nowhere is not in the schema") {
		t.Errorf("unknown field: %v", err)
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

// TestResolveFindsEveryLine: every plain field's generated resolver finds its line's loader.
func TestResolveFindsEveryLine(t *testing.T) {
	n := 0
	for _, list := range relations {
		for _, e := range list {
			for i := range e.methods {
				if e.res[i] == nil {
					continue
				}
				n++
				if resolvers[e.pcs[i]] == nil {
					t.Errorf("%s.%s: resolve finds no line", e.parent, e.methods[i])
				}
			}
		}
	}
	if n != 16 {
		t.Errorf("%d plain fields, want 16", n)
	}
}
