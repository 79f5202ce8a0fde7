package server

import (
	"context"
	"net/netip"
	"sync"
	"time"

	"createinfo/internal/audit"
)

// limiter bounds the refused (unauthenticated) requests recorded one by one: per client (an
// IPv4 address, or an IPv6 client's /64, which one host commonly holds whole) the first limit in
// each window get their own audit row and 401, and across all clients at most total do. The
// rest are answered 429 and counted: the first 429 of each client's window is recorded on its
// own row at once (so that a crash loses at most the count, never the fact), and the count of
// the others becomes one aggregated row (attempts = the count) when the window ends. Past the
// total, every client's refusals go to one entry for all ("*"). A flood from one address or a
// thousand therefore adds a bounded number of rows per window, and every attempt is still
// accounted for. Authenticated requests never pass through it.
type limiter struct {
	limit, total int
	window       time.Duration
	rc           *audit.Recorder

	mu       sync.Mutex
	clients  map[string]*window
	recorded int       // refusals recorded one by one in the global window
	since    time.Time // the global window's start
	writing  sync.WaitGroup
}

type window struct {
	start      time.Time
	refused    int // attempts in this window, recorded one by one or not
	suppressed int // of which answered 429 without a row of their own
}

// maxClients bounds the limiter's memory; addresses past it share one entry.
const maxClients = 100_000

// overflowAddr is the entry of the addresses past maxClients or past the total.
const overflowAddr = "*"

func newLimiter(limit, total int, every time.Duration, rc *audit.Recorder) *limiter {
	if limit <= 0 || every <= 0 {
		return nil
	}
	return &limiter{limit: limit, total: total, window: every, rc: rc, clients: map[string]*window{}}
}

// clientKey is what the limiter counts addr under: an IPv6 client's /64, an IPv4 address as
// it is.
func clientKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	if a = a.Unmap(); a.Is4() {
		return a.String()
	}
	p, _ := a.WithZone("").Prefix(64)
	return p.String()
}

// verdict is what allow decides for one refused request.
type verdict int

const (
	record    verdict = iota // answer 401 on its own row
	firstOver                // the window's first past the limit: 429, on its own row, at once
	counted                  // 429, counted in the window's aggregated row
)

// allow counts one refused request from addr and says how it is answered and recorded.
func (l *limiter) allow(addr string) verdict {
	if l == nil {
		return record
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.since) >= l.window {
		l.since, l.recorded = now, 0
	}
	key := clientKey(addr)
	if l.total > 0 && l.recorded >= l.total {
		key = overflowAddr // past the total, all clients are one
	}
	b := l.clients[key]
	if b == nil && len(l.clients) >= maxClients {
		key = overflowAddr
		b = l.clients[key]
	}
	if b != nil && now.Sub(b.start) >= l.window {
		l.emit(key, *b)
		b = nil
	}
	if b == nil {
		b = &window{start: now}
		l.clients[key] = b
	}
	b.refused++
	first := l.limit + 1 // the entry's first refusal past the limit
	if key == overflowAddr {
		first = 1 // the entry for all: every refusal is past a limit
	}
	switch {
	case b.refused < first:
		l.recorded++
		return record
	case b.refused == first:
		return firstOver
	}
	b.suppressed++
	return counted
}

// emit writes the aggregated row of a finished window, if it suppressed anything. It is
// called with l.mu held and writes in the background.
func (l *limiter) emit(addr string, b window) {
	if b.suppressed == 0 || l.rc == nil {
		return
	}
	id := audit.NewID()
	l.writing.Add(1)
	go func() {
		defer l.writing.Done()
		l.rc.Aggregate(context.Background(), id, b.start, addr, b.suppressed) // logged there
	}()
}

// flush emits and forgets the windows that have ended (all of them when final).
func (l *limiter) flush(final bool) {
	if l == nil {
		return
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	for addr, b := range l.clients {
		if final || now.Sub(b.start) >= l.window {
			l.emit(addr, *b)
			delete(l.clients, addr)
		}
	}
}

// run flushes ended windows every window until done closes, then finishes.
func (l *limiter) run(done <-chan struct{}) {
	if l == nil {
		return
	}
	t := time.NewTicker(l.window)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			l.flush(false)
		case <-done:
			l.finish()
			return
		}
	}
}

// finish flushes every window, ended or not, and waits for all the rows being written.
func (l *limiter) finish() {
	if l == nil {
		return
	}
	l.flush(true)
	l.writing.Wait()
}
