package store

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

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
// so a request's count is what it would have been alone. A statement shared by several
// requests runs with the values of the first one's context (its trace) but a life of its own:
// one request going away must not fail the others', so it is cancelled once every request in
// it has gone, and its deadline is the latest of theirs; a request that goes away while it
// waits stops waiting. A shared statement carries at most MaxKeys keys: the batches past that
// wait for the next one, so one request's keys cannot make a statement the others fail with.
//
// The copy a second request gets of a row is shallow: the row's pointer fields (*string,
// *time.Time…) are shared with the first request's copy. Rows are therefore read-only once
// fetched, everywhere above the store: masking (graph/mask.go) returns new values and never
// writes a row. A change that writes into a row must deep-copy it here first.

// MaxKeys bounds the keys of one statement: a lookup matches at most a few hundred
// applications, so it only guards PostgreSQL's parameter limit and the size of a statement
// shared between requests.
const MaxKeys = 1000

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
		defer func() { // whatever happened to this statement, the queue goes on
			if next := g.take(); next != nil {
				go r.drain(db, g, next)
			}
		}()
		ks, rows, dones, err := r.fetch(ctx, db, keys)
		handOver(ctx, dones)
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

// take returns the batches queued first, as many as fit MaxKeys keys together (one at least),
// or marks the read idle when there are none.
func (g *group[K, V]) take() []*waiter[K, V] {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.pending) == 0 {
		g.busy = false
		return nil
	}
	n, keys := 1, len(g.pending[0].keys)
	for n < len(g.pending) && keys+len(g.pending[n].keys) <= MaxKeys {
		keys += len(g.pending[n].keys)
		n++
	}
	ws := g.pending[:n:n]
	g.pending = g.pending[n:]
	return ws
}

// drain runs the queued batches as one statement, then whatever queued meanwhile, until none
// is left. A panic fails the statement's batches, not the process or the queue.
func (r *Read[K, V]) drain(db *DB, g *group[K, V], ws []*waiter[K, V]) {
	for ; ws != nil; ws = g.take() {
		func() {
			defer func() {
				if p := recover(); p != nil {
					for _, w := range ws {
						select {
						case <-w.ready:
						default:
							w.err = fmt.Errorf("store: shared read failed: %v", p)
							close(w.ready)
						}
					}
				}
			}()
			r.serve(db, ws)
		}()
	}
}

// sharedContext is the context of a statement shared by ws: the first one's values, cancelled
// once every one of ws is done, with the latest of their deadlines (none when one has none).
func sharedContext[K comparable, V any](ws []*waiter[K, V]) (context.Context, context.CancelFunc) {
	base := context.WithoutCancel(ws[0].ctx)
	var latest time.Time
	bounded := true
	for _, w := range ws {
		if d, ok := w.ctx.Deadline(); !ok {
			bounded = false
		} else if d.After(latest) {
			latest = d
		}
	}
	ctx, cancel := context.WithCancel(base)
	if bounded {
		ctx, cancel = context.WithDeadline(base, latest)
	}
	var left atomic.Int32
	left.Store(int32(len(ws)))
	stops := make([]func() bool, len(ws))
	for i, w := range ws {
		stops[i] = context.AfterFunc(w.ctx, func() {
			if left.Add(-1) == 0 {
				cancel()
			}
		})
	}
	return ctx, func() {
		for _, stop := range stops {
			stop()
		}
		cancel()
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
		var done context.CancelFunc
		ctx, done = sharedContext(ws)
		defer done()
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
