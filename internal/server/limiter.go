package server

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"createinfo/internal/apperr"
	"createinfo/internal/audit"
)

// limiter bounds the refused (unauthenticated) requests one client address may have recorded
// one by one: the first limit in each window get their own audit row and 401; the rest are
// answered 429 and counted, and each address's count becomes one aggregated row (attempts =
// the count) when its window ends. An unauthenticated flood therefore adds at most limit + 1
// rows per address and window, and every attempt is still accounted for. Authenticated
// requests never pass through it.
type limiter struct {
	limit  int
	window time.Duration
	writer *audit.Writer
	log    *slog.Logger

	mu      sync.Mutex
	clients map[string]*window
	writing sync.WaitGroup // aggregated rows being written
}

type window struct {
	start      time.Time
	refused    int // attempts in this window, recorded one by one or not
	suppressed int // of which answered 429 without a row of their own
}

// maxClients bounds the limiter's memory; addresses past it share one entry.
const maxClients = 100_000

// overflowAddr is the entry of the addresses past maxClients.
const overflowAddr = "*"

func newLimiter(limit int, every time.Duration, w *audit.Writer, log *slog.Logger) *limiter {
	if limit <= 0 || every <= 0 {
		return nil
	}
	return &limiter{limit: limit, window: every, writer: w, log: log, clients: map[string]*window{}}
}

// allow counts one refused request from addr and reports whether it may be recorded and
// answered on its own (false: answer 429, it is counted in the aggregated row).
func (l *limiter) allow(addr string) bool {
	if l == nil {
		return true
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.clients[addr]
	if b == nil && len(l.clients) >= maxClients {
		addr = overflowAddr
		b = l.clients[addr]
	}
	if b != nil && now.Sub(b.start) >= l.window {
		l.emit(addr, *b)
		b = nil
	}
	if b == nil {
		b = &window{start: now}
		l.clients[addr] = b
	}
	b.refused++
	if b.refused <= l.limit {
		return true
	}
	b.suppressed++
	return false
}

// emit writes the aggregated row of a finished window, if it suppressed anything. It is
// called with l.mu held and writes in the background.
func (l *limiter) emit(addr string, b window) {
	if b.suppressed == 0 || l.writer == nil {
		return
	}
	id := newRequestID()
	rec := &audit.Record{At: b.start, RequestID: id, ServerRequestID: id, ClientAddr: addr, Way: "*",
		Attempts: b.suppressed}
	l.writing.Add(1)
	go func() {
		defer l.writing.Done()
		if err := l.writer.Write(context.Background(), rec, apperr.TooManyRequests.String()); err != nil {
			l.log.Error("audit: aggregated row of refused requests not written", "client", addr,
				"attempts", b.suppressed, "err", apperr.RedactError(err))
		}
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

// run flushes ended windows every window until done, then flushes everything and waits for
// the rows to be written.
func (l *limiter) run(done <-chan struct{}) {
	if l == nil {
		return
	}
	if done == nil {
		done = make(chan struct{}) // never closed
	}
	t := time.NewTicker(l.window)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			l.flush(false)
		case <-done:
			l.flush(true)
			l.writing.Wait()
			return
		}
	}
}
