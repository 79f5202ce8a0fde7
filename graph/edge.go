package graph

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"strings"

	"createinfo/loaders"
	"createinfo/models"
	"createinfo/store"
)

// edge is one line of the relation table (relations.go), in the form the priming walk, the
// complexity weights and the start-up checks read.
type edge struct {
	parent  string       // the GraphQL type it hangs under (its resolver interface without "Resolver")
	methods []string     // the resolver methods it serves (the Go names of its fields)
	fields  []string     // their GraphQL names, found in the schema by the start-up check
	parentT reflect.Type // the model of the parent rows (P)
	childT  reflect.Type // the model of the rows it loads (C)
	child   string       // the GraphQL type of those rows, "" when the field is derived from them
	list    []bool       // per method: a list field (weighed listWeight times its element)
	pcs     []uintptr    // per method: the method expression's code, resolve's key
	res     []any        // per method: func(context.Context, *P) (T, error), for resolve
	rel     filler       // the loading side
	line    string       // where it is declared, for the messages of the checks
	// join, when the edge is joined, attaches it to a list edge up leading to its parent
	// model, reporting whether up was one.
	join func(up filler) (bool, error)
	// early, when the edge is read sooner (soon), fetches its rows from the rows of the level
	// above its parent.
	early *early
}

// filler is the untyped side of an edge, for the priming walk.
type filler interface {
	// fill fetches now, in one statement, the children of parents (rows of the edge's parent
	// model: the start-up check makes sure of it), primes them into the request's loader and
	// returns them, flattened.
	fill(ctx context.Context, l *loaders.Loaders, parents []any) []any
	// local reports that fill sends no statement of its own under l: the rows are already
	// in hand (a joined edge's, read with its parents) or in the process (a cached code
	// table). The priming walk runs such a step in its caller's goroutine.
	local(l *loaders.Loaders) bool
}

// relation is what an edge loads through: a relation of the loaders.
type relation[K comparable, V any] interface {
	In(*loaders.Loaders) *loaders.Relation[K, V]
}

// keyed is what every edge has: a relation and the parent's key into it. A nil key means the
// parent has no such child: nothing is loaded for it. Any other key, zero values included, is
// loaded.
type keyed[P any, K comparable, V any] struct {
	*edge
	loader relation[K, V]
	key    func(*P) *K
}

func (e keyed[P, K, V]) keyOf(p *P) (K, bool) {
	if k := e.key(p); k != nil {
		return *k, true
	}
	var zero K
	return zero, false
}

// load reads the parent's children through the request's loader (zero V when it has no key).
func (e keyed[P, K, V]) load(ctx context.Context, p *P) (V, bool, error) {
	k, ok := e.keyOf(p)
	if !ok {
		var zero V
		return zero, false, nil
	}
	v, err := e.loader.In(loaders.For(ctx)).Load(ctx, k)()
	return v, true, err
}

func (e keyed[P, K, V]) fillValues(ctx context.Context, l *loaders.Loaders, parents []any) []V {
	keys := make([]K, 0, len(parents))
	for _, p := range parents {
		if k, ok := e.keyOf(p.(*P)); ok {
			keys = append(keys, k)
		}
	}
	return e.loader.In(l).Fill(ctx, keys)
}

// oneEdge is an edge to at most one row per parent.
type oneEdge[P any, K comparable, C any] struct {
	keyed[P, K, *C]
	one  *loaders.One[K, C]
	read *store.Read[K, C]
}

// one declares an edge to at most one row of read per parent: field is the resolver method
// it serves (ApplicationResolver.StepBreakPoint), key reads the parent's key.
func one[R any, P any, K comparable, C any](field func(R, context.Context, *P) (*C, error), key func(*P) *K, read *store.Read[K, C]) *oneEdge[P, K, C] {
	o := loaders.NewOne(read)
	e := &oneEdge[P, K, C]{keyed[P, K, *C]{newEdge[R, P, C](true), o, key}, o, read}
	e.edge.rel = e
	serve(e.edge, field, e.load)
	return e
}

func (e *oneEdge[P, K, C]) load(ctx context.Context, p *P) (*C, error) {
	c, _, err := e.keyed.load(ctx, p)
	return c, err
}

func (e *oneEdge[P, K, C]) fill(ctx context.Context, l *loaders.Loaders, parents []any) []any {
	var out []any
	for _, c := range e.fillValues(ctx, l, parents) {
		if c != nil {
			out = append(out, c)
		}
	}
	return out
}

// local: a joined edge's rows came with its parents' statement (a key the join did not
// find is read by a statement of its own, in the caller's goroutine: rare, and still one).
func (e *oneEdge[P, K, C]) local(*loaders.Loaders) bool { return e.edge.join != nil }

// joined reads the edge's rows with their parents', one LEFT JOIN in the statement of
// every list edge whose rows are the parent model (attached at start by checkRelations): the
// parent's column the join is on is the one the key function reads (store.ColumnOf).
func (e *oneEdge[P, K, C]) joined() *oneEdge[P, K, C] {
	e.edge.join = func(up filler) (bool, error) {
		t, ok := up.(joinTarget[P])
		if !ok {
			return false, nil
		}
		column, err := store.ColumnOf(e.key)
		if err != nil {
			return false, err
		}
		t.with(store.JoinOne[P](column, e.read, loaders.Primer(e.one)))
		return true, nil
	}
	return e
}

// joinTarget is a list edge whose rows are C: it can read one-to-one children of theirs.
type joinTarget[C any] interface{ with(store.Join[C]) }

// manyEdge is an edge to a list of rows per parent.
type manyEdge[P any, K comparable, C any] struct {
	keyed[P, K, []*C]
	read *store.Read[K, C]
}

// many declares an edge to the list of rows of read per parent (an empty list when it has
// none): field is the resolver method it serves, key reads the parent's key.
func many[R any, P any, K comparable, C any](field func(R, context.Context, *P) ([]*C, error), key func(*P) *K, read *store.Read[K, C]) *manyEdge[P, K, C] {
	e := newMany[R](key, read, true)
	serve(e.edge, field, e.load)
	return e
}

// derived declares an edge to the list of rows of read per parent that serves a field
// computed from them (not a schema type of their own): its resolver is written by hand in
// schema.resolvers.go and loads through the edge.
func derived[R any, P any, T any, K comparable, C any](field func(R, context.Context, *P) (T, error), key func(*P) *K, read *store.Read[K, C]) *manyEdge[P, K, C] {
	e := newMany[R](key, read, false)
	serve[R, P, T](e.edge, field, nil)
	return e
}

// also makes e serve one more field, computed from its rows by a hand-written resolver (the
// newest review flag from the list of them).
func also[R any, P any, T any, K comparable, C any](e *manyEdge[P, K, C], field func(R, context.Context, *P) (T, error)) *manyEdge[P, K, C] {
	serve[R, P, T](e.edge, field, nil)
	return e
}

func newMany[R any, P any, K comparable, C any](key func(*P) *K, read *store.Read[K, C], child bool) *manyEdge[P, K, C] {
	m := loaders.NewMany(read)
	e := &manyEdge[P, K, C]{keyed[P, K, []*C]{newEdge[R, P, C](child), m, key}, read}
	e.edge.rel = e
	return e
}

func (e *manyEdge[P, K, C]) with(j store.Join[C]) { e.read.With(j) }

// load returns the parent's children, an empty list when it has none.
func (e *manyEdge[P, K, C]) load(ctx context.Context, p *P) ([]*C, error) {
	list, _, err := e.keyed.load(ctx, p)
	if list == nil && err == nil {
		list = []*C{}
	}
	return list, err
}

func (*manyEdge[P, K, C]) local(*loaders.Loaders) bool { return false }

func (e *manyEdge[P, K, C]) fill(ctx context.Context, l *loaders.Loaders, parents []any) []any {
	var out []any
	for _, list := range e.fillValues(ctx, l, parents) {
		for _, c := range list {
			out = append(out, c)
		}
	}
	return out
}

// soon makes the priming walk read e's rows one level sooner, with its parent's rows rather
// than after them: key reads, from a row of the level above e's parent (an application, for a
// flag's pay taxes), the key that every one of that row's children has (a flag's
// createMasterSeqNo is its application's seqNo). The walk then fills e's loader for the keys
// of all those rows, in the same round as the parents' own statement, a key without children
// getting its empty list. The start-up check makes sure that every edge leading to e's parent
// hangs under G's rows.
func soon[G any, P any, K comparable, C any](key func(*G) *K, e *manyEdge[P, K, C]) *manyEdge[P, K, C] {
	e.edge.early = &early{model: reflect.TypeFor[G](), fillFrom: func(ctx context.Context, l *loaders.Loaders, rows []any) []any {
		keys := make([]K, 0, len(rows))
		for _, g := range rows {
			if k := key(g.(*G)); k != nil {
				keys = append(keys, *k)
			}
		}
		var out []any
		for _, list := range e.loader.In(l).Fill(ctx, keys) {
			for _, c := range list {
				out = append(out, c)
			}
		}
		return out
	}}
	return e
}

// early is the filler of an edge read sooner (soon): it takes the rows of the level above the
// edge's parent.
type early struct {
	model    reflect.Type // the model of those rows
	fillFrom func(ctx context.Context, l *loaders.Loaders, rows []any) []any
}

func (*early) local(*loaders.Loaders) bool { return false }

func (e *early) fill(ctx context.Context, l *loaders.Loaders, rows []any) []any {
	return e.fillFrom(ctx, l, rows)
}

// codeEdge is an edge to a code table: a code missing from its table keeps its code with an
// empty name, so that the agent still sees what was recorded. A blank code is no code (the
// account tables write ” for "not recorded"): it loads nothing and serves null.
type codeEdge[P any] struct {
	oneEdge[P, string, models.CodeName]
}

// code declares an edge to the code table of codes: key reads the parent's code.
func code[R any, P any](field func(R, context.Context, *P) (*models.CodeName, error), key func(*P) *string, codes *loaders.Codes) *codeEdge[P] {
	nonBlank := func(p *P) *string {
		if k := key(p); k != nil && *k != "" {
			return k
		}
		return nil
	}
	e := &codeEdge[P]{oneEdge[P, string, models.CodeName]{keyed[P, string, *models.CodeName]{newEdge[R, P, models.CodeName](true), codes, nonBlank}, codes, nil}}
	e.edge.rel = e
	serve(e.edge, field, e.load)
	return e
}

// local: a cached code table is read from the process (its statement once per TTL).
func (*codeEdge[P]) local(l *loaders.Loaders) bool { return l.CodesCached() }

func (e *codeEdge[P]) load(ctx context.Context, p *P) (*models.CodeName, error) {
	c, found, err := e.keyed.load(ctx, p)
	if err != nil || c != nil || !found {
		return c, err
	}
	k, _ := e.keyOf(p)
	return &models.CodeName{Code: k}, nil
}

// newEdge starts the edge of a line of the table from its types: R is the generated resolver
// interface of the parent type, P the parent's model, C the child's.
func newEdge[R, P, C any](child bool) *edge {
	e := &edge{
		parent:  strings.TrimSuffix(reflect.TypeFor[R]().Name(), "Resolver"),
		parentT: reflect.TypeFor[P](),
		childT:  reflect.TypeFor[C](),
	}
	if child {
		e.child = e.childT.Name()
	}
	return e
}

// serve records that e serves the resolver method field; load, when not nil, is its
// resolver (resolve finds it by field).
func serve[R, P, T any](e *edge, field func(R, context.Context, *P) (T, error), load func(context.Context, *P) (T, error)) {
	if _, file, line, ok := runtime.Caller(2); ok && e.line == "" {
		e.line = fmt.Sprintf("%s:%d", file[strings.LastIndex(file, "/")+1:], line)
	}
	pc := reflect.ValueOf(field).Pointer()
	name := runtime.FuncForPC(pc).Name()
	e.methods = append(e.methods, name[strings.LastIndex(name, ".")+1:])
	e.list = append(e.list, reflect.TypeFor[T]().Kind() == reflect.Slice)
	e.pcs = append(e.pcs, pc)
	if load != nil {
		e.res = append(e.res, load)
	} else {
		e.res = append(e.res, nil)
	}
}

// resolve is the resolver of a field an edge of the table serves (gqlgen writes the call:
// tools/cmd/gqlgen). The edge is found by the resolver method itself, so it has the method's
// very types: the assertion cannot fail, and a field without an edge fails at start
// (checkRelations), never here.
func resolve[R, P, T any](ctx context.Context, field func(R, context.Context, *P) (T, error), obj *P) (T, error) {
	return resolvers[reflect.ValueOf(field).Pointer()].(func(context.Context, *P) (T, error))(ctx, obj)
}
