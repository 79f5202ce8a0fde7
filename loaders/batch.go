package loaders

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/graph-gophers/dataloader/v7"

	"createinfo/store"
)

type (
	batchFunc[K comparable, V any] = dataloader.BatchFunc[K, V]
	result[V any]                  = dataloader.Result[V]
)

// batchOptions are the options every loader shares.
type batchOptions struct {
	db    *store.DB
	wait  time.Duration
	codes *codeCache // nil: code tables are read per batch
	// observers watch every batch (metrics, traces; see observe.go).
	observers []Observer
	work      *workers // the source's, for Loaders.Go (workers.go)
}

// maxBatch bounds the keys of one statement (store.MaxKeys).
const maxBatch = store.MaxKeys

// Relation is the loader of one child relation, with its batch function kept at hand so that
// a whole set of keys can be fetched now and primed into the loader's cache (Fill).
type Relation[K comparable, V any] struct {
	*dataloader.Loader[K, V]
	batch dataloader.BatchFunc[K, V]

	mu sync.Mutex
	// joined holds what another relation's statement read for this one (join.go): Fill
	// fetches none of these keys again.
	joined map[K]V
	// failed holds the keys whose Fill failed, with its error: Load answers them with it.
	failed    map[K]error
	hasFailed atomic.Bool
}

// Load is the loader's Load, except for a key whose Fill failed: that key gets the Fill's
// error at once. The resolvers below the root run one after the other (graph.marshalInOrder)
// and count on priming: without this, each of them would send the failed key again in a
// batch of its own, after the loader's wait, so that a failing statement would be retried
// once per row of the response, in sequence, instead of failing the request once.
func (r *Relation[K, V]) Load(ctx context.Context, k K) dataloader.Thunk[V] {
	if r.hasFailed.Load() {
		r.mu.Lock()
		err, failed := r.failed[k]
		r.mu.Unlock()
		if failed {
			return func() (V, error) {
				var zero V
				return zero, err
			}
		}
	}
	return r.Loader.Load(ctx, k)
}

// primeJoined primes k with v, read by another relation's statement (join.go).
func (r *Relation[K, V]) primeJoined(ctx context.Context, k K, v V) {
	r.mu.Lock()
	if r.joined == nil {
		r.joined = make(map[K]V)
	}
	r.joined[k] = v
	r.mu.Unlock()
	r.Prime(ctx, k, v)
}

func newRelation[K comparable, V any](o batchOptions, batch dataloader.BatchFunc[K, V]) *Relation[K, V] {
	batch = observed(o.observers, batch) // metrics and traces hook (observe.go)
	return &Relation[K, V]{
		Loader: dataloader.NewBatchedLoader(batch, dataloader.WithWait[K, V](o.wait), dataloader.WithBatchCapacity[K, V](maxBatch)),
		batch:  batch,
	}
}

// Fill fetches keys now, in one statement per maxBatch distinct keys, primes the results into
// the loader's cache, so that later loads of them wait for no timer, and returns the values
// fetched, in the order of the distinct keys. A failed batch primes and returns nothing for its
// keys: their loads then report its error (Load) without another statement. Keys another
// relation's statement has already read (primeJoined) are not fetched again: their values
// come first.
func (r *Relation[K, V]) Fill(ctx context.Context, keys []K) []V {
	if len(keys) == 0 {
		return nil
	}
	keys = distinct(keys)
	values := make([]V, 0, len(keys))
	r.mu.Lock()
	if len(r.joined) > 0 {
		rest := keys[:0:0]
		for _, k := range keys {
			if v, ok := r.joined[k]; ok {
				values = append(values, v)
			} else {
				rest = append(rest, k)
			}
		}
		keys = rest
	}
	r.mu.Unlock()
	for start := 0; start < len(keys); start += maxBatch {
		part := keys[start:min(start+maxBatch, len(keys))]
		results := r.batch(ctx, part)
		for i, k := range part {
			if err := results[i].Error; err != nil {
				r.fail(k, err)
				continue
			}
			r.Prime(ctx, k, results[i].Data)
			values = append(values, results[i].Data)
		}
	}
	return values
}

func (r *Relation[K, V]) fail(k K, err error) {
	r.mu.Lock()
	if r.failed == nil {
		r.failed = make(map[K]error)
	}
	r.failed[k] = err
	r.mu.Unlock()
	r.hasFailed.Store(true)
}

func distinct[K comparable](keys []K) []K {
	seen := make(map[K]struct{}, len(keys))
	out := keys[:0:0]
	for _, k := range keys {
		if _, ok := seen[k]; !ok {
			seen[k] = struct{}{}
			out = append(out, k)
		}
	}
	return out
}

// oneToOne is the batch of a relation of at most one row per key: a key with no row gets nil.
// Results come back in key order, as dataloader requires.
func oneToOne[K comparable, C any](o *batchOptions, read *store.Read[K, C]) batchFunc[K, *C] {
	return func(ctx context.Context, keys []K) []*result[*C] {
		ks, rows, err := read.Fetch(ctx, o.db, keys)
		if err != nil {
			return failAll[*C](len(keys), err)
		}
		return oneByKey(keys, ks, rows)
	}
}

func oneByKey[K comparable, C any](keys, ks []K, rows []*C) []*result[*C] {
	byKey := make(map[K]*C, len(rows))
	for i, row := range rows {
		byKey[ks[i]] = row
	}
	results := make([]*result[*C], len(keys))
	for i, k := range keys {
		results[i] = &result[*C]{Data: byKey[k]}
	}
	return results
}

// oneToMany is the batch of a relation of a list of rows per key, in the order of the read:
// a key with no row gets an empty, non-nil list.
func oneToMany[K comparable, C any](o *batchOptions, read *store.Read[K, C]) batchFunc[K, []*C] {
	return func(ctx context.Context, keys []K) []*result[[]*C] {
		ks, rows, err := read.Fetch(ctx, o.db, keys)
		if err != nil {
			return failAll[[]*C](len(keys), err)
		}
		byKey := make(map[K][]*C, len(keys))
		for i, row := range rows {
			byKey[ks[i]] = append(byKey[ks[i]], row)
		}
		results := make([]*result[[]*C], len(keys))
		for i, k := range keys {
			list := byKey[k]
			if list == nil {
				list = []*C{}
			}
			results[i] = &result[[]*C]{Data: list}
		}
		return results
	}
}

func failAll[V any](n int, err error) []*result[V] {
	results := make([]*result[V], n)
	for i := range results {
		results[i] = &result[V]{Error: err}
	}
	return results
}
