package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"createinfo/internal/apperr"
)

// Limits bound what one GraphQL document may ask. The shape limits are checked on the parsed
// document BEFORE gqlparser's validation (whose cost grows faster than the document: fragment
// spreads are expanded at every use and overlapping fields compared pairwise), in one pass
// that visits each fragment once; the weighted complexity after validation, on a document the
// shape limits have already bounded. All of it before any resolver, so before any SQL. The
// legacy document, the largest real one, stays inside: depth 5, no aliases, 311 expanded
// fields, complexity about 6,100.
type Limits struct {
	MaxDepth      int // nesting of selections: the schema's deepest is 5, the GraphiQL page's introspection 10 (GraphiQL's own would be 15)
	MaxAliases    int // aliases, counted at every place a fragment is spread
	MaxFields     int // fields the document expands to, fragments spread in place
	MaxComplexity int // see complexity: lists weigh listWeight times their element
	MaxTokens     int // the parser's token limit
	MaxErrors     int // errors in one response; the rest are summarised in one more
}

// DefaultLimits are the service's limits.
var DefaultLimits = Limits{MaxDepth: 12, MaxAliases: 20, MaxFields: 500, MaxComplexity: 10000, MaxTokens: 5000, MaxErrors: 20}

// lookupFields are the root fields that read customer data: a document may hold one of them
// once, so that one request is one lookup with one audit row whose conditions, seqNos and
// reveal reason belong together.
var lookupFields = map[string]bool{"applications": true, revealField: true}

// revealField is the root field that serves personal data in clear to an agent (reveal.go).
const revealField = "revealApplication"

// listWeight is how many elements a list field is assumed to hold when weighing a query.
const listWeight = 5

// complexity weighs every list field, the root list included, the relation table's from the
// table, listWeight times its element.
// It bounds the shape of a document, not its rows: those are bounded by the one root lookup a
// document may hold (see documentLimit), at most MAX_RESULTS trees.
func complexity() ComplexityRoot {
	var c ComplexityRoot
	list := func(child int) int { return 1 + listWeight*child }
	c.Query.Applications = func(child int, _, _, _ *string) int { return list(child) }
	c.Query.RevealApplication = func(child int, _ string, _ RevealReason) int { return 1 + child }
	weigh(&c, list) // the list fields of the relation table (relations.go)
	// The list fields read from the row itself.
	c.StepBreakPoint.Steps = list
	c.ManualReviewFlag.Special = list
	return c
}

// documentLimit refuses, before validation, a document that is too deep, too wide, uses too
// many aliases or asks for more than one lookup. Documents it has accepted are remembered (the
// legacy document and a UI's few queries), so that they are not parsed twice per request.
type documentLimit struct {
	Limits
	accepted graphql.Cache[struct{}]
}

func newDocumentLimit(l Limits) documentLimit {
	return documentLimit{Limits: l, accepted: lru.New[struct{}](1000)}
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = documentLimit{}

func (documentLimit) ExtensionName() string                   { return "DocumentLimit" }
func (documentLimit) Validate(graphql.ExecutableSchema) error { return nil }

func (l documentLimit) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if _, ok := l.accepted.Get(ctx, p.Query); ok {
		return nil
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: p.Query}, l.MaxTokens)
	if err != nil {
		return nil // gqlgen parses it again and reports the syntax error itself
	}
	if err := l.check(doc); err != nil {
		e := gqlerror.WrapPath(nil, err)
		errcode.Set(e, errcode.ValidationFailed) // answered like a validation error (422)
		return e
	}
	l.accepted.Add(ctx, p.Query, struct{}{})
	return nil
}

// check measures every operation of doc.
func (l documentLimit) check(doc *ast.QueryDocument) error {
	m := measurer{fragments: doc.Fragments, memo: map[string]*shape{}}
	for _, op := range doc.Operations {
		s, err := m.set(op.SelectionSet)
		if err != nil {
			return err
		}
		switch {
		case s.depth > l.MaxDepth:
			return refusef("the query is nested %d levels deep; the limit is %d", s.depth, l.MaxDepth)
		case s.aliases > l.MaxAliases:
			return refusef("the query uses %d aliases; the limit is %d", s.aliases, l.MaxAliases)
		case s.fields > l.MaxFields:
			return refusef("the query expands to more than %d fields; the limit is %d", l.MaxFields, l.MaxFields)
		case s.lookups > 1:
			return refusef("the query asks for applications or revealApplication %d times; one lookup per request (send one request per lookup)", s.lookups)
		}
	}
	return nil
}

func refusef(format string, args ...any) error {
	return apperr.New(apperr.InvalidRequest, fmt.Sprintf(format, args...))
}

// shape is what a selection set expands to.
type shape struct {
	depth   int
	aliases int
	fields  int
	lookups int // lookupFields at the set's own level (through fragments)
}

// saturate keeps counts of exponential documents from overflowing: past it, they are refused
// anyway.
const saturate = 1 << 40

func (s *shape) add(o shape) {
	s.depth = max(s.depth, o.depth)
	s.aliases = min(s.aliases+o.aliases, saturate)
	s.fields = min(s.fields+o.fields, saturate)
	s.lookups = min(s.lookups+o.lookups, saturate)
}

// measurer walks a document, each fragment once: a fragment's shape is memoised, so a chain
// of fragments each spreading the previous one twice costs its length, not 2^length.
type measurer struct {
	fragments ast.FragmentDefinitionList
	memo      map[string]*shape // nil while the fragment is being measured (a cycle)
}

func (m *measurer) set(set ast.SelectionSet) (shape, error) {
	var s shape
	for _, sel := range set {
		switch x := sel.(type) {
		case *ast.Field:
			sub, err := m.set(x.SelectionSet)
			if err != nil {
				return s, err
			}
			f := shape{depth: sub.depth + 1, aliases: sub.aliases, fields: min(sub.fields+1, saturate)}
			if x.Alias != "" && x.Alias != x.Name {
				f.aliases++
			}
			if lookupFields[x.Name] {
				f.lookups = 1
			}
			s.add(f)
		case *ast.InlineFragment:
			sub, err := m.set(x.SelectionSet)
			if err != nil {
				return s, err
			}
			s.add(sub)
		case *ast.FragmentSpread:
			sub, err := m.fragment(x.Name)
			if err != nil {
				return s, err
			}
			s.add(sub)
		}
	}
	return s, nil
}

func (m *measurer) fragment(name string) (shape, error) {
	if s, done := m.memo[name]; done {
		if s == nil {
			return shape{}, refusef("fragment %s spreads itself", name)
		}
		return *s, nil
	}
	f := m.fragments.ForName(name)
	if f == nil {
		return shape{}, nil // validation reports the unknown fragment
	}
	m.memo[name] = nil
	s, err := m.set(f.SelectionSet)
	if err != nil {
		return s, err
	}
	m.memo[name] = &s
	return s, nil
}

// errorCap keeps at most MaxErrors errors in a response, the last of them saying how many
// more there were: a small document cannot make a large answer.
type errorCap struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = errorCap{}

func (errorCap) ExtensionName() string                   { return "ErrorCap" }
func (errorCap) Validate(graphql.ExecutableSchema) error { return nil }

func (c errorCap) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil || len(resp.Errors) <= c.max {
		return resp
	}
	more := len(resp.Errors) - (c.max - 1)
	code := resp.Errors[0].Extensions["code"]
	resp.Errors = append(resp.Errors[:c.max-1:c.max-1], &gqlerror.Error{
		Message:    fmt.Sprintf("%d more errors not shown", more),
		Extensions: map[string]any{"code": code},
	})
	return resp
}
