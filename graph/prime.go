package graph

import (
	"context"
	"slices"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"createinfo/loaders"
	"createinfo/models"
)

// Priming makes batching deterministic. A dataloader batch closes a fixed wait after its
// first key; on two cores the hundreds of resolvers of a large tree reach the next level's
// loaders over tens of milliseconds, so a short wait splits a level into several statements
// and a long one makes every level slow. Instead, the moment the root resolver knows the
// applications, primeApplications walks the query's selection along the relation graph
// (relations.go): for each selected edge it fetches the children of the whole level in one
// statement (loaders.Relation.Fill), primes them into the request's loaders, and goes on below
// with those rows. The statements of a query therefore depend on its shape, never on the
// number of applications, and the resolvers wait for no timer. The edges of a level are
// fetched concurrently; the dataloader batching stays as the path for anything not primed.

// primeApplications fetches everything below apps that the root field in ctx selects.
// Outside a GraphQL field (no operation or field context) it does nothing.
func primeApplications(ctx context.Context, apps []*models.Application) {
	l := loaders.For(ctx) // panics when the request has no loaders: a wiring error, never hidden
	if len(apps) == 0 || !graphql.HasOperationContext(ctx) {
		return
	}
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil {
		return
	}
	steps := plans.get(graphql.GetOperationContext(ctx), fc.Field)
	parents := make([]any, len(apps))
	for i, a := range apps {
		parents[i] = a
	}
	run(ctx, l, steps, parents)
}

// plans keeps the priming plan of each root field of the documents the executor has cached
// (its query cache hands every request of a document the same parsed AST): the plan depends on
// the document only, unless an @skip or @include takes a variable, and then it is made per
// request. The trusted documents are a handful; for arbitrary documents (development) the
// cache is bounded by starting afresh when full.
var plans = &planCache{m: make(map[*ast.Field]cachedPlan)}

const maxCachedPlans = 1000

type planCache struct {
	mu sync.Mutex
	m  map[*ast.Field]cachedPlan
}

type cachedPlan struct {
	selections ast.SelectionSet // what the plan was made from (gqlgen merges a field's repeats)
	steps      []step
}

// get returns the plan of the root field f of op, from the cache when f's selections are the
// ones it was made from.
func (c *planCache) get(op *graphql.OperationContext, f graphql.CollectedField) []step {
	c.mu.Lock()
	cp, ok := c.m[f.Field]
	c.mu.Unlock()
	if ok && slices.Equal(cp.selections, f.Selections) {
		return cp.steps
	}
	p := newPlanner(op)
	steps := p.plan("Application", []ast.SelectionSet{f.Selections})
	if !p.variable {
		c.mu.Lock()
		if len(c.m) >= maxCachedPlans {
			clear(c.m)
		}
		c.m[f.Field] = cachedPlan{f.Selections, steps}
		c.mu.Unlock()
	}
	return steps
}

// step is one selected edge of a level, with the selected edges below it.
type step struct {
	edge  *edge
	below []step
}

// run fills the steps of one level for parents, each followed by its own level below with
// the rows it fetched: the steps that send a statement concurrently, the others (local: rows
// already in hand or in the process) in the caller's goroutine. A new goroutine starts with
// a small stack and copies it as it grows into a statement's depth (pgx, tracing), for every
// step: so the last step that sends a statement runs in the caller's goroutine too, whose
// stack has already grown, and the others go to the source's long-lived workers, whose
// stacks have grown on earlier statements (loaders.Loaders.Go).
func run(ctx context.Context, l *loaders.Loaders, steps []step, parents []any) {
	var wg sync.WaitGroup
	var last *step // the last step that sends a statement
	for i := range steps {
		s := &steps[i]
		if s.edge.rel.local(l) {
			continue
		}
		if prev := last; prev != nil {
			wg.Add(1)
			l.Go(func() {
				defer wg.Done()
				runStep(ctx, l, *prev, parents)
			})
		}
		last = s
	}
	for _, s := range steps {
		if s.edge.rel.local(l) {
			runStep(ctx, l, s, parents)
		}
	}
	if last != nil {
		runStep(ctx, l, *last, parents)
	}
	wg.Wait()
}

func runStep(ctx context.Context, l *loaders.Loaders, s step, parents []any) {
	children := s.edge.rel.fill(ctx, l, parents)
	if len(s.below) > 0 && len(children) > 0 {
		run(ctx, l, s.below, children)
	}
}

// planner turns a query's selection into the steps to prime. Its cost is linear in the size
// of the document: each level of the relation graph (a fixed, small tree) walks every
// selection set under it once and each fragment at most once, however often the fragment is
// spread; gqlgen's own expansion, by contrast, copies a fragment at every spread.
type planner struct {
	op        *graphql.OperationContext
	fragments map[string]*ast.FragmentDefinition
	// visits counts the selections walked, for the tests that prove the walk linear.
	visits int
	// variable records that an @skip or @include of the walk took a variable: the plan is
	// then the request's own.
	variable bool
}

func newPlanner(op *graphql.OperationContext) *planner {
	p := &planner{op: op, fragments: make(map[string]*ast.FragmentDefinition)}
	if op.Doc != nil {
		for _, f := range op.Doc.Fragments {
			p.fragments[f.Name] = f
		}
	}
	return p
}

// plan lists the edges of typeName that sets select, each with the plan of the level below,
// merged over every place that selects it (aliases, fragments, the same field twice, and the
// several fields one edge serves). An edge of the level below that is read sooner (soon) is
// planned at this level instead, after the others, so that it runs with them.
func (p *planner) plan(typeName string, sets []ast.SelectionSet) []step {
	selected := p.collect(typeName, sets)
	var steps, early []step
	for _, e := range relations[typeName] {
		var below []ast.SelectionSet
		hit := false
		for _, f := range e.fields {
			if s, ok := selected[f]; ok {
				hit = true
				below = append(below, s...)
			}
		}
		if !hit {
			continue
		}
		s := step{edge: e}
		if e.child != "" {
			s.below, early = liftEarly(p.plan(e.child, below), early)
		}
		steps = append(steps, s)
	}
	return append(steps, early...)
}

// liftEarly moves the steps of below whose edges are read sooner (soon) to the level above,
// appending them to early as steps that fill from that level's rows, and returns the others.
func liftEarly(below, early []step) ([]step, []step) {
	rest := below[:0:0]
	for _, b := range below {
		if b.edge.early == nil {
			rest = append(rest, b)
			continue
		}
		up := *b.edge
		up.rel, up.early = b.edge.early, nil // lifted once: from its parent's level to the one above
		early = append(early, step{edge: &up, below: b.below})
	}
	return rest, early
}

// collect maps the names (not aliases) of the fields that sets select on typeName, with
// @skip and @include applied, to the selection sets under them.
func (p *planner) collect(typeName string, sets []ast.SelectionSet) map[string][]ast.SelectionSet {
	out := make(map[string][]ast.SelectionSet)
	walked := make(map[string]bool) // fragments already walked at this level
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			p.visits++
			switch s := sel.(type) {
			case *ast.Field:
				if p.included(s.Directives) {
					out[s.Name] = append(out[s.Name], s.SelectionSet)
				}
			case *ast.InlineFragment:
				if p.included(s.Directives) && applies(s.TypeCondition, typeName) {
					walk(s.SelectionSet)
				}
			case *ast.FragmentSpread:
				if walked[s.Name] || !p.included(s.Directives) {
					continue
				}
				walked[s.Name] = true
				if f := p.fragments[s.Name]; f != nil && applies(f.TypeCondition, typeName) {
					walk(f.SelectionSet)
				}
			}
		}
	}
	for _, set := range sets {
		walk(set)
	}
	return out
}

// applies reports whether a fragment on condition applies to typeName (the schema has no
// interfaces or unions).
func applies(condition, typeName string) bool { return condition == "" || condition == typeName }

// included applies @skip(if:) and @include(if:), with the operation's variables.
func (p *planner) included(d ast.DirectiveList) bool {
	if s := d.ForName("skip"); s != nil && p.condition(s) {
		return false
	}
	if i := d.ForName("include"); i != nil && !p.condition(i) {
		return false
	}
	return true
}

func (p *planner) condition(d *ast.Directive) bool {
	a := d.Arguments.ForName("if")
	if a == nil || a.Value == nil {
		return false
	}
	if a.Value.Kind != ast.BooleanValue {
		p.variable = true
	}
	v, err := a.Value.Value(p.op.Variables)
	b, _ := v.(bool)
	return err == nil && b
}
