package store

import (
	"context"
	"sync"

	"createinfo/internal/database"
)

// Sharing a read's statements between concurrent requests, the way group commit shares a
// commit. Each request's loaders still batch and cache on their own; below them, while a
// statement of a read is in flight, the keys other requests ask of the same read queue, and
// when it ends they go out together as the read's next statement, whose rows are then handed
// to each request by key: a request gets the rows of the keys it asked for and no other (a
// row two requests asked for is copied for the second, so no request holds another's
// value). No timer: a read that is idle sends at once, so one client alone never waits, and
// under load a read runs at most one statement at a time, carrying the keys of every request
// that reached it meanwhile: fewer statements, fewer round trips and less PostgreSQL work per
// request. A read's rows must depend on each key alone (every read's statement is "rows for
// these keys"), which is what makes one statement for many requests the union of theirs.
//
// Each request that took part in a shared statement counts it (database statement counters),
// so a request's count is what it would have been alone. The statement runs with the
// context of the first request in it, without its cancellation when others share it (one
// request going away must not fail the others'); a request that goes away while it waits
// stops waiting.

// group is one read's queue on one DB.
type group[K comparable, V any] struct {
	mu      sync.Mutex
	busy    bool // a statement of the read is in flight
	pending []*waiter[K, V]
}

// waiter is one request's batch waiting for the read's next statement.
type waiter[K comparable, V any] struct {
	ctx   context.Context
	keys  []K
	ready chan struct{} // closed when ks, rows, err are set
	ks    []K
	rows  []*V
	err   error
}

func groupOf[K comparable, V any](db *DB, r *Read[K, V]) *group[K, V] {
	if g, ok := db.groups.Load(r); ok {
		return g.(*group[K, V])
	}
	g, _ := db.groups.LoadOrStore(r, &group[K, V]{})
	return g.(*group[K, V])
}

// shared runs keys at once when the read is idle, or queues them for its next statement.
func (r *Read[K, V]) shared(ctx context.Context, db *DB, keys []K) ([]K, []*V, error) {
	g := groupOf(db, r)
	g.mu.Lock()
	if !g.busy {
		g.busy = true
		g.mu.Unlock()
		ks, rows, dones, err := r.fetch(ctx, db, keys)
		handOver(ctx, dones)
		if next := g.take(); next != nil {
			go r.drain(db, g, next)
		}
		return ks, rows, err
	}
	w := &waiter[K, V]{ctx: ctx, keys: keys, ready: make(chan struct{})}
	g.pending = append(g.pending, w)
	g.mu.Unlock()
	select {
	case <-w.ready:
		return w.ks, w.rows, w.err
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
}

// take returns the batches queued so far, or marks the read idle when there are none.
func (g *group[K, V]) take() []*waiter[K, V] {
	g.mu.Lock()
	defer g.mu.Unlock()
	ws := g.pending
	g.pending = nil
	if len(ws) == 0 {
		g.busy = false
	}
	return ws
}

// drain runs the queued batches as one statement, then whatever queued meanwhile, until none
// is left.
func (r *Read[K, V]) drain(db *DB, g *group[K, V], ws []*waiter[K, V]) {
	for ; ws != nil; ws = g.take() {
		r.serve(db, ws)
	}
}

// serve runs one statement for the keys of ws and hands each its own rows. Requests that
// went away meanwhile are left out; when none is left, nothing runs.
func (r *Read[K, V]) serve(db *DB, all []*waiter[K, V]) {
	ws := all[:0]
	for _, w := range all {
		if w.ctx.Err() == nil {
			ws = append(ws, w)
		}
	}
	if len(ws) == 0 {
		return
	}
	ctx := ws[0].ctx
	var keys []K
	if len(ws) == 1 {
		keys = ws[0].keys
	} else {
		ctx = context.WithoutCancel(ctx)
		seen := make(map[K]struct{})
		for _, w := range ws {
			for _, k := range w.keys {
				if _, ok := seen[k]; !ok {
					seen[k] = struct{}{}
					keys = append(keys, k)
				}
			}
		}
	}
	ks, rows, dones, err := r.fetch(ctx, db, keys)
	given := make([]bool, len(rows))
	for i, w := range ws {
		if i > 0 {
			database.CountStatement(w.ctx) // the first one's is counted by the statement itself
		}
		if err != nil {
			w.err = err
			close(w.ready)
			continue
		}
		w.ks, w.rows = r.own(w, ks, rows, dones, given)
		close(w.ready)
	}
}

// own picks the rows of w's keys, in the statement's order, hands their joined children to
// w's request, and copies a row already given to another request.
func (r *Read[K, V]) own(w *waiter[K, V], ks []K, rows []*V, dones []found, given []bool) ([]K, []*V) {
	asked := make(map[K]struct{}, len(w.keys))
	for _, k := range w.keys {
		asked[k] = struct{}{}
	}
	var mine []K
	var out []*V
	for i, k := range ks {
		if _, ok := asked[k]; !ok {
			continue
		}
		v, fresh := rows[i], given[i]
		if fresh {
			c := *v
			v = &c
		}
		given[i] = true
		if dones != nil && dones[i] != nil {
			dones[i](w.ctx, fresh)
		}
		mine = append(mine, k)
		out = append(out, v)
	}
	return mine, out
}
