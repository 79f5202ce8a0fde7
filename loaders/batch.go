package loaders

import (
	"context"
	"database/sql/driver"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/graph-gophers/dataloader/v7"
	"gorm.io/gorm"
)

// fetchFunc reads the rows of a whole batch of keys in one statement.
type fetchFunc[K comparable, V any] func(ctx context.Context, db *gorm.DB, keys []K) ([]V, error)

// batchOptions are the options every loader shares.
type batchOptions struct {
	db    *gorm.DB
	wait  time.Duration
	codes *codeCache // nil: code tables are read per batch
	// observers watch every batch (metrics, traces; see observe.go).
	observers []Observer
}

// maxBatch bounds the keys of one statement. A lookup matches at most a few hundred
// applications, so this only guards PostgreSQL's parameter limit.
const maxBatch = 1000

// Relation is the loader of one child relation, with its batch function kept at hand so that
// a whole set of keys can be fetched now and primed into the loader's cache (Fill).
type Relation[K comparable, V any] struct {
	*dataloader.Loader[K, V]
	batch dataloader.BatchFunc[K, V]

	mu sync.Mutex
	// joined holds what another relation's statement read for this one (join.go): Fill
	// fetches none of these keys again.
	joined map[K]V
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
// keys: their loads then run as usual and report the error. Keys another relation's statement
// has already read (primeJoined) are not fetched again: their values come first.
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
			if results[i].Error == nil {
				r.Prime(ctx, k, results[i].Data)
				values = append(values, results[i].Data)
			}
		}
	}
	return values
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

// newOneToOne makes a loader of at most one row per key: a key with no row gets the zero V
// (nil for pointers). Results come back in key order, as dataloader requires.
func newOneToOne[K comparable, V any](o batchOptions, fetch fetchFunc[K, V], keyOf func(V) K) *Relation[K, V] {
	return newRelation(o, func(ctx context.Context, keys []K) []*dataloader.Result[V] {
		rows, err := fetch(ctx, o.db, keys)
		if err != nil {
			return failAll[V](len(keys), err)
		}
		byKey := make(map[K]V, len(rows))
		for _, row := range rows {
			byKey[keyOf(row)] = row
		}
		results := make([]*dataloader.Result[V], len(keys))
		for i, k := range keys {
			results[i] = &dataloader.Result[V]{Data: byKey[k]}
		}
		return results
	})
}

// newOneToMany makes a loader of a list of rows per key, in the order fetch returns them: a
// key with no row gets an empty, non-nil list.
func newOneToMany[K comparable, V any](o batchOptions, fetch fetchFunc[K, V], keyOf func(V) K) *Relation[K, []V] {
	return newRelation(o, func(ctx context.Context, keys []K) []*dataloader.Result[[]V] {
		rows, err := fetch(ctx, o.db, keys)
		if err != nil {
			return failAll[[]V](len(keys), err)
		}
		byKey := make(map[K][]V, len(keys))
		for _, row := range rows {
			k := keyOf(row)
			byKey[k] = append(byKey[k], row)
		}
		results := make([]*dataloader.Result[[]V], len(keys))
		for i, k := range keys {
			list := byKey[k]
			if list == nil {
				list = []V{}
			}
			results[i] = &dataloader.Result[[]V]{Data: list}
		}
		return results
	})
}

func failAll[V any](n int, err error) []*dataloader.Result[V] {
	results := make([]*dataloader.Result[V], n)
	for i := range results {
		results[i] = &dataloader.Result[V]{Error: err}
	}
	return results
}

// whereIn fetches the rows of model V whose column is one of the keys, ordered by order.
func whereIn[K comparable, V any](column, order string) fetchFunc[K, *V] {
	key := statementKey{reflect.TypeFor[V](), column, order}
	return func(ctx context.Context, db *gorm.DB, keys []K) ([]*V, error) {
		query, ok := statements.Load(key)
		if !ok {
			l, err := layoutOf[V](db)
			if err != nil {
				return nil, err
			}
			query, _ = statements.LoadOrStore(key, l.selectIn(column, order))
		}
		return queryRows[V](ctx, db, query.(string), keyList[K](keys))
	}
}

// rawIn runs a hand-written statement whose one parameter ("= ANY(?)") is the batch's keys.
func rawIn[K comparable, V any](query string) fetchFunc[K, *V] {
	return func(ctx context.Context, db *gorm.DB, keys []K) ([]*V, error) {
		return queryRows[V](ctx, db, query, keyList[K](keys))
	}
}

// keyList passes a batch's keys as one array parameter: gorm would spread a plain slice into
// "IN ($1, …, $n)", a different statement text, so a different prepared statement and plan,
// for every batch size. As a driver.Valuer it is passed as it is, and pgx sends it as the
// array of its element type.
type keyList[K comparable] []K

// arrayEscaper escapes a text element of an array literal.
var arrayEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// Value writes the list as a PostgreSQL array literal: {"a","b"} for text keys, {1,2} for
// numbers.
func (l keyList[K]) Value() (driver.Value, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range l {
		if i > 0 {
			b.WriteByte(',')
		}
		switch v := any(k).(type) {
		case string:
			b.WriteByte('"')
			b.WriteString(arrayEscaper.Replace(v))
			b.WriteByte('"')
		case int64:
			b.WriteString(strconv.FormatInt(v, 10))
		default:
			return nil, fmt.Errorf("loaders: unsupported key type %T", k)
		}
	}
	b.WriteByte('}')
	return b.String(), nil
}
