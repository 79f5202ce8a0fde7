package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Limits bound what one GraphQL document may ask, checked before any resolver (so before any
// SQL) runs. The legacy document, the largest real one, stays inside: depth 5,
// complexity about 6,100, no aliases, well under the token limit.
type Limits struct {
	MaxDepth      int // nesting of selections: the schema's deepest is 5, GraphiQL's introspection about 11
	MaxAliases    int
	MaxComplexity int // see complexity: lists weigh listWeight times their element
	MaxTokens     int // the parser's token limit
}

// DefaultLimits are the service's limits.
var DefaultLimits = Limits{MaxDepth: 12, MaxAliases: 20, MaxComplexity: 10000, MaxTokens: 5000}

// listWeight is how many elements a list field is assumed to hold when weighing a query.
const listWeight = 5

// complexity weighs every list field by listWeight; the root list by the number of
// applications a lookup may typically return.
func complexity() ComplexityRoot {
	var c ComplexityRoot
	list := func(child int) int { return 1 + listWeight*child }
	c.Query.Applications = func(child int, _, _, _ *string) int { return 1 + listWeight*child }
	c.Application.CreateDetails = list
	c.Application.DocumentResends = list
	c.Application.ManualReviewFlags = list
	c.Application.TellerCheckRecords = list
	c.Application.AbnormalPid = list
	c.StepBreakPoint.Steps = list
	c.DocumentResend.ResendContent = list
	c.ManualReviewFlag.PayTaxes = list
	c.ManualReviewFlag.Special = list
	return c
}

// shapeLimit refuses documents nested too deep or with too many aliases.
type shapeLimit struct{ Limits }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = shapeLimit{}

func (shapeLimit) ExtensionName() string                   { return "ShapeLimit" }
func (shapeLimit) Validate(graphql.ExecutableSchema) error { return nil }

func (l shapeLimit) MutateOperationContext(_ context.Context, op *graphql.OperationContext) *gqlerror.Error {
	if op.Operation == nil {
		return nil
	}
	depth, aliases := measure(op.Operation.SelectionSet, op.Doc.Fragments, map[string]bool{})
	switch {
	case depth > l.MaxDepth:
		return gqlerror.Errorf("the query is nested %d levels deep; the limit is %d", depth, l.MaxDepth)
	case aliases > l.MaxAliases:
		return gqlerror.Errorf("the query uses %d aliases; the limit is %d", aliases, l.MaxAliases)
	}
	return nil
}

// measure returns the depth of a selection set and the aliases in it, following fragments
// (each fragment once per path, so a cycle cannot loop: validation refuses cycles anyway).
func measure(set ast.SelectionSet, fragments ast.FragmentDefinitionList, seen map[string]bool) (depth, aliases int) {
	for _, sel := range set {
		var d, a int
		switch s := sel.(type) {
		case *ast.Field:
			d, a = measure(s.SelectionSet, fragments, seen)
			d++
			if s.Alias != "" && s.Alias != s.Name {
				a++
			}
		case *ast.InlineFragment:
			d, a = measure(s.SelectionSet, fragments, seen)
		case *ast.FragmentSpread:
			if f := fragments.ForName(s.Name); f != nil && !seen[s.Name] {
				seen[s.Name] = true
				d, a = measure(f.SelectionSet, fragments, seen)
				delete(seen, s.Name)
			}
		}
		depth = max(depth, d)
		aliases += a
	}
	return depth, aliases
}
