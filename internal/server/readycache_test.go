package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestReadinessVerdictIsShared: /readyz answers anyone, so a flood of probes makes one verdict
// (one round of the checks that use the database and the provider) per TTL, not one per
// probe; a failing check's 503 is shared the same way, and draining shows at once.
func TestReadinessVerdictIsShared(t *testing.T) {
	var runs atomic.Int32
	why := ""
	check := func(context.Context) string { runs.Add(1); return why }
	draining := new(atomic.Bool)
	probe := func(h http.Handler) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		return rec.Code, rec.Body.String()
	}

	h := readiness(time.Hour, []readyCheck{check}, draining, nil, nil)
	var wg sync.WaitGroup
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code, body := probe(h); code != 200 || body != "ready\n" {
				t.Errorf("probe: %d %q", code, body)
			}
		}()
	}
	wg.Wait()
	if n := runs.Load(); n != 1 {
		t.Errorf("200 probes ran the checks %d times, want 1", n)
	}
	draining.Store(true)
	if code, body := probe(h); code != 503 || body != "shutting down\n" {
		t.Errorf("draining: %d %q", code, body)
	}

	// A TTL of zero makes a verdict per probe: the checks really are what the verdict holds.
	runs.Store(0)
	why = "audit trail not writable"
	h = readiness(0, []readyCheck{check}, new(atomic.Bool), nil, nil)
	for range 3 {
		if code, body := probe(h); code != 503 || body != "audit trail not writable\n" {
			t.Errorf("failing check: %d %q", code, body)
		}
	}
	if n := runs.Load(); n != 3 {
		t.Errorf("3 probes with no reuse ran the checks %d times, want 3", n)
	}
}
