package metrics

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// TestStartBoundsTheOutcomeLabel: an outcome is a label only in the shape of a code; an empty
// one is the HTTP status; anything else (a message, a caller's text) is OTHER, so no request
// can make a series of its own. In-flight goes up and back down.
func TestStartBoundsTheOutcomeLabel(t *testing.T) {
	m := New()
	end := m.Start("legacy")
	if got := value(m.inFlight.WithLabelValues("legacy")); got != 1 {
		t.Errorf("in flight %v, want 1", got)
	}
	end("INVALID_PHONE", 400, 0)
	m.Start("legacy")("", 404, 0)
	m.Start("legacy")("phone 0988123456 is bad", 400, 0)
	m.Start("graphql")("OK", 200, 3)
	for _, c := range []struct {
		way, outcome string
		want         float64
	}{{"legacy", "INVALID_PHONE", 1}, {"legacy", "HTTP_404", 1}, {"legacy", "OTHER", 1}, {"graphql", "OK", 1}} {
		if got := value(m.requests.WithLabelValues(c.way, c.outcome)); got != c.want {
			t.Errorf("requests{%s,%s} = %v, want %v", c.way, c.outcome, got, c.want)
		}
	}
	if got := value(m.inFlight.WithLabelValues("legacy")); got != 0 {
		t.Errorf("in flight after the ends %v, want 0", got)
	}
	if n := count(m.requests); n != 4 {
		t.Errorf("%d request series, want 4", n)
	}
}

// TestObservers: loader batches (their errors counted), code-cache hits and misses and audit
// groups land in their series, and /metrics serves them as text.
func TestObservers(t *testing.T) {
	m := New()
	_, end := m.StartBatch(context.Background(), "CreateDetail", 7)
	end(nil)
	_, end = m.StartBatch(context.Background(), "CreateDetail", 1)
	end(errors.New("boom"))
	m.CodeCache("account.job", true)
	m.CodeCache("account.job", false)
	m.CodeCache("account.job", true)
	m.AuditGroup(3, time.Millisecond, nil)
	m.AuditGroup(1, time.Millisecond, errors.New("x"))
	m.AuditRefused()
	if got := value(m.batchError.WithLabelValues("CreateDetail")); got != 1 {
		t.Errorf("batch errors %v, want 1", got)
	}
	if h, mi := value(m.codeCache.WithLabelValues("account.job", "hit")), value(m.codeCache.WithLabelValues("account.job", "miss")); h != 2 || mi != 1 {
		t.Errorf("code cache hit %v miss %v, want 2 and 1", h, mi)
	}
	if f, r := value(m.auditFailures), value(m.auditRefused); f != 1 || r != 1 {
		t.Errorf("audit failures %v refused %v, want 1 and 1", f, r)
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, line := range []string{
		`createinfo_loader_batch_keys_sum{relation="CreateDetail"} 8`,
		`createinfo_loader_batch_keys_count{relation="CreateDetail"} 2`,
		`createinfo_audit_group_rows_sum 4`,
	} {
		if !strings.Contains(string(body), line+"\n") {
			t.Errorf("/metrics lacks %q", line)
		}
	}
}

// TestNilIsOff: a nil *Metrics (METRICS_ADDR unset) is a valid, silent observer.
func TestNilIsOff(t *testing.T) {
	var m *Metrics
	m.Start("legacy")("OK", 200, 1)
	_, end := m.StartBatch(context.Background(), "X", 1)
	end(nil)
	m.CodeCache("t", true)
	m.AuditGroup(1, 0, nil)
	m.AuditRefused()
	m.Refused("legacy")
}

// value reads a counter's or gauge's current value.
func value(c prometheus.Metric) float64 {
	var d dto.Metric
	if err := c.Write(&d); err != nil {
		panic(err)
	}
	if d.Counter != nil {
		return d.Counter.GetValue()
	}
	return d.Gauge.GetValue()
}

// count is the number of series c holds.
func count(c prometheus.Collector) int {
	ch := make(chan prometheus.Metric, 100)
	c.Collect(ch)
	close(ch)
	return len(ch)
}
