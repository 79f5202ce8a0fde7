package graph

import (
	"context"

	"createinfo/loaders"
	"createinfo/models"
)

// edge is one line of the relation graph (relations.go).
type edge struct {
	// fields are the schema fields the edge serves.
	fields []string
	// child is the schema type of the rows it leads to, "" when they are not a schema type
	// (the field is derived from them).
	child string
	rel   filler
}

func fields(names ...string) []string { return names }

// filler is the untyped side of an edge, for the priming walk.
type filler interface {
	// fill fetches now, in one statement, the children of parents (rows of the edge's parent
	// type), primes them into the request's loader and returns them, flattened.
	fill(ctx context.Context, l *loaders.Loaders, parents []any) []any
}

// keyed is what every edge has: a loader of the request and the parent's key into it. A nil
// or zero key means the parent has no such child: nothing is loaded for it.
type keyed[P any, K comparable, V any] struct {
	rel func(*loaders.Loaders) *loaders.Relation[K, V]
	key func(*P) *K
}

func (e keyed[P, K, V]) keyOf(p *P) (K, bool) {
	var zero K
	k := e.key(p)
	if k == nil || *k == zero {
		return zero, false
	}
	return *k, true
}

// load reads the parent's children through the request's loader (zero V when it has no key).
func (e keyed[P, K, V]) load(ctx context.Context, p *P) (V, bool, error) {
	k, ok := e.keyOf(p)
	if !ok {
		var zero V
		return zero, false, nil
	}
	v, err := e.rel(loaders.For(ctx)).Load(ctx, k)()
	return v, true, err
}

func (e keyed[P, K, V]) fillValues(ctx context.Context, l *loaders.Loaders, parents []any) []V {
	keys := make([]K, 0, len(parents))
	for _, p := range parents {
		if k, ok := e.keyOf(p.(*P)); ok {
			keys = append(keys, k)
		}
	}
	return e.rel(l).Fill(ctx, keys)
}

// one is an edge to at most one row per parent.
type one[P any, K comparable, C any] struct{ keyed[P, K, *C] }

func toOne[P any, K comparable, C any](rel func(*loaders.Loaders) *loaders.Relation[K, *C], key func(*P) *K) one[P, K, C] {
	return one[P, K, C]{keyed[P, K, *C]{rel, key}}
}

func (e one[P, K, C]) load(ctx context.Context, p *P) (*C, error) {
	c, _, err := e.keyed.load(ctx, p)
	return c, err
}

func (e one[P, K, C]) fill(ctx context.Context, l *loaders.Loaders, parents []any) []any {
	var out []any
	for _, c := range e.fillValues(ctx, l, parents) {
		if c != nil {
			out = append(out, c)
		}
	}
	return out
}

// many is an edge to a list of rows per parent.
type many[P any, K comparable, C any] struct{ keyed[P, K, []*C] }

func toMany[P any, K comparable, C any](rel func(*loaders.Loaders) *loaders.Relation[K, []*C], key func(*P) *K) many[P, K, C] {
	return many[P, K, C]{keyed[P, K, []*C]{rel, key}}
}

// load returns the parent's children, an empty list when it has none.
func (e many[P, K, C]) load(ctx context.Context, p *P) ([]*C, error) {
	list, _, err := e.keyed.load(ctx, p)
	if list == nil && err == nil {
		list = []*C{}
	}
	return list, err
}

func (e many[P, K, C]) fill(ctx context.Context, l *loaders.Loaders, parents []any) []any {
	var out []any
	for _, list := range e.fillValues(ctx, l, parents) {
		for _, c := range list {
			out = append(out, c)
		}
	}
	return out
}

type codeRelation = *loaders.Relation[string, *models.CodeName]

// code is an edge to a code table: a code missing from its table keeps its code with an empty
// name, so that the agent still sees what was recorded.
type code[P any] struct {
	one[P, string, models.CodeName]
}

func toCode[P any](rel func(*loaders.Loaders) codeRelation, key func(*P) *string) code[P] {
	return code[P]{toOne(rel, key)}
}

func (e code[P]) load(ctx context.Context, p *P) (*models.CodeName, error) {
	c, found, err := e.keyed.load(ctx, p)
	if err != nil || c != nil || !found {
		return c, err
	}
	k, _ := e.keyOf(p)
	return &models.CodeName{Code: k}, nil
}
