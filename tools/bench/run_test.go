package bench

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestWaitGoroutinesPollsTheCount(t *testing.T) {
	var calls atomic.Int64
	counts := []int{40, 30, 20, 12, 12, 12}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := min(int(calls.Add(1))-1, len(counts)-1)
		fmt.Fprintf(w, "goroutine profile: total %d\n", counts[i])
	}))
	defer srv.Close()

	n, err := waitGoroutines(srv.URL, 10*time.Second, func(prev, n int) bool { return prev == n })
	if err != nil || n != 12 || calls.Load() != 5 {
		t.Errorf("settled: %d %v after %d polls, want 12 after 5", n, err, calls.Load())
	}
	calls.Store(0)
	n, _ = waitGoroutines(srv.URL, 10*time.Second, func(_, n int) bool { return n <= 20 })
	if n != 20 || calls.Load() != 3 {
		t.Errorf("back to 20: %d after %d polls", n, calls.Load())
	}
	calls.Store(0)
	n, _ = waitGoroutines(srv.URL, 300*time.Millisecond, func(_, n int) bool { return n <= 5 })
	if n < 12 {
		t.Errorf("a leak must show after the wait: %d", n)
	}
}

// TestStartRefusesATakenPort: a server already answering where the benchmarked one would is
// another run's; Start says so instead of measuring it.
func TestStartRefusesATakenPort(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	p, err := Start("true", nil, nil, srv.URL, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "already answers") {
		t.Fatalf("Start over a taken port: %v", err)
	}
	if p != nil {
		t.Error("a process was started")
	}
}
