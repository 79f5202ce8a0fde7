// Package loaders batches the reads of child rows with graph-gophers/dataloader: one loader
// per relation and request, each a single statement (a store.Read) per batch, all made afresh
// for every request (so nothing is cached across requests or customers, except the code
// tables), and found with the request's context. It knows nothing of GraphQL, SQL or gorm:
// the relations are declared once, in the relation table (graph/relations.go), with NewOne,
// NewMany and NewCodes over the store's reads; which field reads which loader, and what to
// fetch ahead of the resolvers (Relation.Fill), is decided there.
package loaders

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"createinfo/store"
)

// Source makes the loaders of each request; it holds what requests share: the store and the
// code-table cache.
type Source struct {
	o batchOptions
}

// NewSource returns a source over db. wait is how long a loader gathers keys before its
// batch (for keys that priming did not fetch); codeTTL is how long code tables are cached in
// the process (0: not cached, read per batch). It starts no goroutine: Start starts the
// workers of Loaders.Go, Close stops them.
func NewSource(db *store.DB, wait, codeTTL time.Duration) *Source {
	s := &Source{o: batchOptions{db: db, wait: wait, work: newWorkers()}}
	if codeTTL > 0 {
		s.o.codes = newCodeCache(codeTTL)
	}
	return s
}

// Loaders are the loaders of one request, each made on its first use.
type Loaders struct {
	o    *batchOptions
	mu   sync.Mutex
	rels []any // *Relation[K, V] by the id of its declaration
}

// New makes the loaders of one request.
func (s *Source) New() *Loaders { return &Loaders{o: &s.o} }

// declared counts the relations declared (NewOne, NewMany, NewCodes): each has its index in
// every request's Loaders.
var declared atomic.Int64

// decl is what every declared relation has: its index and how its batch reads.
type decl[K comparable, V any] struct {
	id    int
	batch func(o *batchOptions) batchFunc[K, V]
}

func newDecl[K comparable, V any](batch func(o *batchOptions) batchFunc[K, V]) decl[K, V] {
	return decl[K, V]{id: int(declared.Add(1) - 1), batch: batch}
}

// in returns the request's loader of the relation, making it on first use. The assertion
// cannot fail: the slot of d.id only ever holds the *Relation[K, V] that d made.
func (d decl[K, V]) in(l *Loaders) *Relation[K, V] {
	l.mu.Lock()
	defer l.mu.Unlock()
	if d.id >= len(l.rels) {
		l.rels = append(l.rels, make([]any, int(declared.Load())-len(l.rels))...)
	}
	if r := l.rels[d.id]; r != nil {
		return r.(*Relation[K, V])
	}
	batch := d.batch(l.o)
	r := newRelation(*l.o, func(ctx context.Context, keys []K) []*result[V] {
		// A batch runs under the request's loaders, for the joins it primes.
		if cur, _ := ctx.Value(ctxKey{}).(*Loaders); cur != l {
			ctx = NewContext(ctx, l)
		}
		return batch(ctx, keys)
	})
	l.rels[d.id] = r
	return r
}

// CodesCached reports whether the code tables are read from the process's cache (NewSource's
// codeTTL), not by a statement per batch.
func (l *Loaders) CodesCached() bool { return l.o.codes != nil }

// One is a relation of at most one row C per key K.
type One[K comparable, C any] struct {
	decl[K, *C]
	read *store.Read[K, C]
}

// Many is a relation of a list of rows C per key K.
type Many[K comparable, C any] struct {
	decl[K, []*C]
	read *store.Read[K, C]
}

// NewOne declares a relation of at most one row per key, read by read: a key with no row gets
// nil. Declare it once, at start (a package variable).
func NewOne[K comparable, C any](read *store.Read[K, C]) *One[K, C] {
	return &One[K, C]{decl: newDecl(func(o *batchOptions) batchFunc[K, *C] { return oneToOne(o, read) }), read: read}
}

// NewMany declares a relation of a list of rows per key, in the order read returns them: a key
// with no row gets an empty, non-nil list. Declare it once, at start.
func NewMany[K comparable, C any](read *store.Read[K, C]) *Many[K, C] {
	return &Many[K, C]{decl: newDecl(func(o *batchOptions) batchFunc[K, []*C] { return oneToMany(o, read) }), read: read}
}

// In returns the request's loader of the relation.
func (r *One[K, C]) In(l *Loaders) *Relation[K, *C] { return r.decl.in(l) }

// In returns the request's loader of the relation.
func (r *Many[K, C]) In(l *Loaders) *Relation[K, []*C] { return r.decl.in(l) }

// Primer is the join's found function that primes the request's loader of r with what
// another relation's statement read for it (store.JoinOne): loading that key later costs no
// statement. A key priming did not reach is still read by r's own statement.
func Primer[K comparable, C any](r *One[K, C]) func(ctx context.Context, key K, c *C) {
	return func(ctx context.Context, key K, c *C) { r.In(For(ctx)).primeJoined(ctx, key, c) }
}

type ctxKey struct{}

// Middleware gives every request its own loaders.
func (s *Source) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), s.New())))
	})
}

// NewContext returns ctx carrying l.
func NewContext(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// For returns the loaders of the request in ctx. A request without them is a wiring error
// (Source.Middleware missing from the chain): For panics, which gqlgen recovers as INTERNAL_ERROR,
// rather than serve the request without batching.
func For(ctx context.Context) *Loaders {
	l, ok := ctx.Value(ctxKey{}).(*Loaders)
	if !ok {
		panic("loaders: request context has no loaders (is Source.Middleware in the chain?)")
	}
	return l
}
