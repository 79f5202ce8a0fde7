package loaders

import (
	"context"
	"reflect"
	"strings"
	"sync"

	"github.com/graph-gophers/dataloader/v7"
)

// Observer watches the loaders' batches and the code cache, for metrics and traces; the
// loaders know nothing of either. Relation names are the row types (CreateDetail, CodeName…):
// a small fixed set.
type Observer interface {
	// StartBatch is called as a batch of keys of relation starts; the context it returns is
	// the batch's (its statements run under it) and end is called with the batch's error.
	StartBatch(ctx context.Context, relation string, keys int) (_ context.Context, end func(error))
	// CodeCache is told of each read of the code-table cache: hit, or miss (table re-read).
	CodeCache(table string, hit bool)
}

// Watch makes o observe the loaders of every request made from now on.
func (s *Source) Watch(o Observer) {
	if o != nil {
		s.o.observers = append(s.o.observers, o)
	}
}

// observed wraps batch so that every observer sees it.
func observed[K comparable, V any](obs []Observer, batch dataloader.BatchFunc[K, V]) dataloader.BatchFunc[K, V] {
	if len(obs) == 0 {
		return batch
	}
	name := relationName[V]()
	return func(ctx context.Context, keys []K) []*dataloader.Result[V] {
		ends := make([]func(error), len(obs))
		for i, o := range obs {
			ctx, ends[i] = o.StartBatch(ctx, name, len(keys))
		}
		results := batch(ctx, keys)
		var err error
		if len(results) > 0 {
			err = results[0].Error
		}
		for i := len(ends) - 1; i >= 0; i-- {
			ends[i](err)
		}
		return results
	}
}

var relationNames sync.Map // reflect.Type → string

// relationName is the name of V's row type without package or pointer and slice marks.
func relationName[V any]() string {
	t := reflect.TypeFor[V]()
	if n, ok := relationNames.Load(t); ok {
		return n.(string)
	}
	n := t.String()
	n = n[strings.LastIndexAny(n, "*].")+1:]
	relationNames.Store(t, n)
	return n
}

func (c *codeCache) observe(obs []Observer, table string, hit bool) {
	for _, o := range obs {
		o.CodeCache(table, hit)
	}
}
