package loaders

import (
	"context"
	"time"

	"github.com/graph-gophers/dataloader/v7"
	"gorm.io/gorm"
)

// fetchFunc reads the rows of a whole batch of keys in one statement.
type fetchFunc[K comparable, V any] func(ctx context.Context, db *gorm.DB, keys []K) ([]V, error)

// batchOptions are the options every loader shares.
type batchOptions struct {
	db   *gorm.DB
	wait time.Duration
}

// maxBatch bounds the keys of one statement. A lookup matches at most a few hundred
// applications, so this only guards PostgreSQL's parameter limit.
const maxBatch = 1000

// newOneToOne makes a loader of at most one row per key: a key with no row gets the zero V
// (nil for pointers). Results come back in key order, as dataloader requires.
func newOneToOne[K comparable, V any](o batchOptions, fetch fetchFunc[K, V], keyOf func(V) K) *dataloader.Loader[K, V] {
	batch := func(ctx context.Context, keys []K) []*dataloader.Result[V] {
		rows, err := fetch(ctx, o.db, keys)
		results := make([]*dataloader.Result[V], len(keys))
		if err != nil {
			for i := range results {
				results[i] = &dataloader.Result[V]{Error: err}
			}
			return results
		}
		byKey := make(map[K]V, len(rows))
		for _, row := range rows {
			byKey[keyOf(row)] = row
		}
		for i, k := range keys {
			results[i] = &dataloader.Result[V]{Data: byKey[k]}
		}
		return results
	}
	return dataloader.NewBatchedLoader(batch, dataloader.WithWait[K, V](o.wait), dataloader.WithBatchCapacity[K, V](maxBatch))
}

// newOneToMany makes a loader of a list of rows per key, in the order fetch returns them: a
// key with no row gets an empty, non-nil list.
func newOneToMany[K comparable, V any](o batchOptions, fetch fetchFunc[K, V], keyOf func(V) K) *dataloader.Loader[K, []V] {
	batch := func(ctx context.Context, keys []K) []*dataloader.Result[[]V] {
		rows, err := fetch(ctx, o.db, keys)
		results := make([]*dataloader.Result[[]V], len(keys))
		if err != nil {
			for i := range results {
				results[i] = &dataloader.Result[[]V]{Error: err}
			}
			return results
		}
		byKey := make(map[K][]V, len(keys))
		for _, row := range rows {
			k := keyOf(row)
			byKey[k] = append(byKey[k], row)
		}
		for i, k := range keys {
			list := byKey[k]
			if list == nil {
				list = []V{}
			}
			results[i] = &dataloader.Result[[]V]{Data: list}
		}
		return results
	}
	return dataloader.NewBatchedLoader(batch, dataloader.WithWait[K, []V](o.wait), dataloader.WithBatchCapacity[K, []V](maxBatch))
}

// whereIn fetches the rows of model V whose column is one of the keys, ordered by order.
func whereIn[K comparable, V any](column, order string) fetchFunc[K, *V] {
	return func(ctx context.Context, db *gorm.DB, keys []K) ([]*V, error) {
		var rows []*V
		err := db.WithContext(ctx).Where(column+" IN ?", keys).Order(order).Find(&rows).Error
		return rows, err
	}
}

// rawIn runs a hand-written statement whose one parameter is the batch's keys.
func rawIn[K comparable, V any](query string) fetchFunc[K, *V] {
	return func(ctx context.Context, db *gorm.DB, keys []K) ([]*V, error) {
		var rows []*V
		err := db.WithContext(ctx).Raw(query, keys).Scan(&rows).Error
		return rows, err
	}
}
