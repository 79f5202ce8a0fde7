package graph

import (
	"context"
	"fmt"
	"sync"

	gqlcomplexity "github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/hashicorp/golang-lru/v2/simplelru"
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
// legacy document, the largest real one, stays inside: depth 5, no aliases, 313 expanded
// selections (311 fields, 2 fragment spreads), complexity about 6,100.
type Limits struct {
	MaxDepth      int // nesting of selections: the schema's deepest is 5, the GraphiQL page's introspection 10 (GraphiQL's own would be 15)
	MaxAliases    int // aliases, counted at every place a fragment is spread
	MaxFields     int // selections the document expands to (fields, spreads, inline fragments), fragments spread in place
	MaxComplexity int // see complexity: lists weigh listWeight times their element
	MaxTokens     int // the parser's token limit
	// In one selection set, inline fragments' selections included (as gqlparser merges them),
	// at most MaxSpreads fragment spreads and MaxSameName fields of one response name: the
	// overlap rule compares those pairwise (0: no bound).
	MaxSpreads, MaxSameName int
	MaxErrors               int // errors in one response; the rest are summarised in one more
}

// DefaultLimits are the service's limits.
var DefaultLimits = Limits{MaxDepth: 12, MaxAliases: 20, MaxFields: 500, MaxComplexity: 10000, MaxTokens: 5000, MaxErrors: 20,
	MaxSpreads: 16, MaxSameName: 8}

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

// complexityLimit refuses an operation whose complexity is over max, as gqlgen's
// FixedComplexityLimit does (its message and code), measuring each parsed operation once: the
// measure of an operation is remembered by the operation's node, which gqlgen's document cache
// hands to every request of the same text (a text parsed again is a new node, measured again;
// a remembered node stays alive, so its address is never another operation's). The measure
// depends on the document alone: it is taken without the request's variables, and complexity()'s
// functions never read their arguments (TestComplexityIgnoresVariables), so no request's
// values can lower another's measure.
type complexityLimit struct {
	max      int
	es       graphql.ExecutableSchema
	measured *simplelru.LRU[*ast.OperationDefinition, int]
	mu       sync.Mutex
}

func newComplexityLimit(limit int) *complexityLimit {
	m, _ := simplelru.NewLRU[*ast.OperationDefinition, int](1000, nil) // as many as the document cache
	return &complexityLimit{max: limit, measured: m}
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = &complexityLimit{}

// complexityLimitCode is the code gqlgen's FixedComplexityLimit sets on its error.
const complexityLimitCode = "COMPLEXITY_LIMIT_EXCEEDED"

func (*complexityLimit) ExtensionName() string { return "ComplexityLimit" }

func (c *complexityLimit) Validate(es graphql.ExecutableSchema) error {
	c.es = es
	return nil
}

func (c *complexityLimit) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	op := opCtx.Doc.Operations.ForName(opCtx.OperationName)
	c.mu.Lock()
	n, ok := c.measured.Get(op)
	c.mu.Unlock()
	if !ok {
		n = gqlcomplexity.Calculate(ctx, c.es, op, nil)
		c.mu.Lock()
		c.measured.Add(op, n)
		c.mu.Unlock()
	}
	if n > c.max {
		err := gqlerror.Errorf("operation has complexity %d, which exceeds the limit of %d", n, c.max)
		errcode.Set(err, complexityLimitCode)
		return err
	}
	return nil
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
	graphql.OperationContextMutator
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

// MutateOperationContext runs once the document is parsed and validated: a request whose
// deadline (REQUEST_TIMEOUT, set around the handler) passed meanwhile answers TIMEOUT rather
// than going on to execute. gqlparser takes no context, so this bounds when validation may end,
// not its cost; the cost is bounded by check, which runs before it.
func (documentLimit) MutateOperationContext(ctx context.Context, _ *graphql.OperationContext) *gqlerror.Error {
	if ctx.Err() != nil {
		return gqlerror.WrapPath(nil, apperr.New(apperr.Timeout, apperr.MessageTimeout))
	}
	return nil
}

// check measures the document: every operation, and through them every fragment. It refuses
// what gqlparser's validation would otherwise pay for more than linearly: a fragment defined
// twice, spread but not defined, or never spread (each of those is validated on its own and
// escapes the count below), and a document whose operations together expand to more than
// MaxFields selections, every field, fragment spread and inline fragment counted at every place
// it lands. Overlapping-field checking, which compares the selections of one set pairwise,
// therefore never sees more than MaxFields of them.
func (l documentLimit) check(doc *ast.QueryDocument) error {
	defined := make(map[string]bool, len(doc.Fragments))
	for _, f := range doc.Fragments {
		if defined[f.Name] {
			return refusef("fragment %s is defined twice", f.Name)
		}
		defined[f.Name] = true
	}
	m := measurer{fragments: doc.Fragments, memo: map[string]*shape{}, limits: l.Limits}
	var total shape
	for _, op := range doc.Operations {
		s, err := m.set(op.SelectionSet)
		if err != nil {
			return err
		}
		total.add(s)
		switch {
		case total.depth > l.MaxDepth:
			return refusef("the query is nested %d levels deep; the limit is %d", total.depth, l.MaxDepth)
		case total.aliases > l.MaxAliases:
			return refusef("the query uses %d aliases; the limit is %d", total.aliases, l.MaxAliases)
		case total.fields > l.MaxFields:
			return refusef("the query expands to more than %d fields (fragment spreads and inline fragments included); the limit is %d", l.MaxFields, l.MaxFields)
		case s.lookups > 1:
			return refusef("the query asks for applications or revealApplication %d times; one lookup per request (send one request per lookup)", s.lookups)
		}
	}
	for _, f := range doc.Fragments {
		if _, used := m.memo[f.Name]; !used {
			return refusef("fragment %s is never used", f.Name)
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
	limits    Limits            // MaxSpreads and MaxSameName are checked here
}

// set measures a selection set: an operation's, a field's or a fragment's, with the inline
// fragments in it.
func (m *measurer) set(set ast.SelectionSet) (shape, error) {
	if err := m.siblings(set); err != nil {
		return shape{}, err
	}
	return m.merged(set)
}

// merged measures set, whose siblings were checked with the set it is merged into.
func (m *measurer) merged(set ast.SelectionSet) (shape, error) {
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
		case *ast.InlineFragment: // counts as a selection of its own, as gqlparser visits it
			sub, err := m.merged(x.SelectionSet)
			if err != nil {
				return s, err
			}
			sub.fields = min(sub.fields+1, saturate)
			s.add(sub)
		case *ast.FragmentSpread: // counts as a selection of its own, defined or not
			sub, err := m.fragment(x.Name)
			if err != nil {
				return s, err
			}
			sub.fields = min(sub.fields+1, saturate)
			s.add(sub)
		}
	}
	return s, nil
}

// siblings refuses a set (its inline fragments' selections merged in, as gqlparser's overlap
// rule merges them) holding more than MaxSpreads fragment spreads or MaxSameName fields of one
// response name: the rule compares each pair of those.
func (m *measurer) siblings(set ast.SelectionSet) error {
	spreads, names := 0, map[string]int{}
	var walk func(ast.SelectionSet) error
	walk = func(set ast.SelectionSet) error {
		for _, sel := range set {
			switch x := sel.(type) {
			case *ast.Field:
				name := x.Alias
				if name == "" {
					name = x.Name
				}
				if names[name]++; m.limits.MaxSameName > 0 && names[name] > m.limits.MaxSameName {
					return refusef("the query asks for %s more than %d times in one selection; the limit is %d", name, m.limits.MaxSameName, m.limits.MaxSameName)
				}
			case *ast.InlineFragment:
				if err := walk(x.SelectionSet); err != nil {
					return err
				}
			case *ast.FragmentSpread:
				if spreads++; m.limits.MaxSpreads > 0 && spreads > m.limits.MaxSpreads {
					return refusef("the query spreads more than %d fragments in one selection; the limit is %d", m.limits.MaxSpreads, m.limits.MaxSpreads)
				}
			}
		}
		return nil
	}
	return walk(set)
}

func (m *measurer) fragment(name string) (shape, error) {
	if s, done := m.memo[name]; done {
		if s == nil {
			return shape{}, refusef("fragment %s spreads itself", name)
		}
		return *s, nil
	}
	f := m.fragments.ForName(name)
	if f == nil { // refused here: gqlparser compares every pair of spreads in a set, defined or not
		return shape{}, refusef("fragment %s is not defined", name)
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
