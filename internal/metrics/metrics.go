// Package metrics holds the service's Prometheus instruments and serves them at /metrics on a
// listener of its own (METRICS_ADDR). Every label value comes from a small fixed set (way in,
// outcome code, relation, pool, replica address): no phone, ID number, seqNo, agent or
// request id ever becomes a label, so neither personal data nor unbounded series reach
// Prometheus. A nil *Metrics observes nothing, so callers need no checks.
package metrics

import (
	"context"
	"database/sql"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// durationBuckets resolve the 1–500 ms range a lookup lives in, with a tail to the deadline.
var durationBuckets = []float64{.001, .0025, .005, .0075, .01, .015, .02, .03, .05, .075, .1, .15, .25, .5, 1, 2.5, 5, 10}

// Metrics are the service's instruments, registered on a registry of their own.
type Metrics struct {
	reg *prometheus.Registry

	requests   *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	inFlight   *prometheus.GaugeVec
	statements *prometheus.HistogramVec
	queueWait  *prometheus.HistogramVec
	refused    *prometheus.CounterVec

	batchSize  *prometheus.HistogramVec
	batchTime  *prometheus.HistogramVec
	batchError *prometheus.CounterVec
	codeCache  *prometheus.CounterVec

	auditRows     prometheus.Counter
	auditGroup    prometheus.Histogram
	auditCommit   prometheus.Histogram
	auditFailures prometheus.Counter
	auditRefused  prometheus.Counter
	auditBreaks   prometheus.Counter
	// The audit trail's protection against a failover (internal/standby).
	auditStandby   prometheus.Histogram
	syncStandbys   prometheus.Gauge
	primaryChanges prometheus.Counter

	replicaIn     *prometheus.GaugeVec
	replicaLag    *prometheus.GaugeVec
	replicaChecks *prometheus.CounterVec
	replicaFall   *prometheus.CounterVec

	thresholds *prometheus.CounterVec // insider.go
}

// New registers the service's instruments, with Go runtime, process and build-info
// collectors, on a new registry.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewBuildInfoCollector(),
	)
	f := func(c prometheus.Collector) { reg.MustRegister(c) }
	m := &Metrics{reg: reg}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "createinfo_requests_total",
		Help: "Lookup requests by way in (graphql, legacy) and outcome (OK or the error code).",
	}, []string{"way", "code"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "createinfo_request_duration_seconds",
		Help:    "Lookup request latency, admission wait and audit write included, by way in and outcome.",
		Buckets: durationBuckets,
	}, []string{"way", "code"})
	m.inFlight = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "createinfo_requests_in_flight",
		Help: "Lookup requests being served now, waiting for admission included.",
	}, []string{"way"})
	m.statements = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "createinfo_sql_statements_per_request",
		Help:    "SQL statements one lookup request ran (the full legacy tree runs 14 to 16).",
		Buckets: []float64{0, 1, 2, 4, 8, 12, 14, 16, 20, 24, 32, 48, 64},
	}, []string{"way"})
	m.queueWait = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "createinfo_admission_wait_seconds",
		Help:    "How long admitted lookups waited for a slot (MAX_IN_FLIGHT).",
		Buckets: []float64{.0001, .0005, .001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"way"})
	m.refused = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "createinfo_admission_refused_total",
		Help: "Lookups refused SERVICE_UNAVAILABLE because no slot freed within QUEUE_WAIT.",
	}, []string{"way"})
	m.batchSize = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "createinfo_loader_batch_keys",
		Help:    "Keys per loader batch (one SQL statement or one code-cache read), by relation.",
		Buckets: []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000},
	}, []string{"relation"})
	m.batchTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "createinfo_loader_batch_duration_seconds",
		Help:    "Time to fetch one loader batch, by relation.",
		Buckets: durationBuckets,
	}, []string{"relation"})
	m.batchError = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "createinfo_loader_batch_errors_total",
		Help: "Loader batches that failed, by relation.",
	}, []string{"relation"})
	m.codeCache = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "createinfo_code_cache_requests_total",
		Help: "Code-table cache reads by table and result (hit, miss: the table was read again).",
	}, []string{"table", "result"})
	m.auditRows = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "createinfo_audit_rows_written_total",
		Help: "Audit rows committed.",
	})
	m.auditGroup = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "createinfo_audit_group_rows",
		Help:    "Rows per audit transaction (group commit).",
		Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256},
	})
	m.auditCommit = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "createinfo_audit_commit_duration_seconds",
		Help:    "Time of one audit transaction: lock, chain head, insert, commit.",
		Buckets: durationBuckets,
	})
	m.auditFailures = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "createinfo_audit_group_failures_total",
		Help: "Audit transactions that failed (every row of the group is refused).",
	})
	m.auditRefused = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "createinfo_audit_refusals_total",
		Help: "Lookups whose audit row could not be written, answered SERVICE_UNAVAILABLE without their data (fail closed).",
	})
	m.auditBreaks = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "createinfo_audit_chain_breaks_total",
		Help: "Breaks in the audit chain the writer found (a head it did not leave and no other writer's row explains) and recorded in a CHAIN_BREAK row.",
	})
	m.auditStandby = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "createinfo_audit_standby_commit_duration_seconds",
		Help: "Time of one audit transaction that waited for a synchronous standby to confirm its commit " +
			"(AUDIT_SYNCHRONOUS_COMMIT on, remote_write or remote_apply with synchronous_standby_names set).",
		Buckets: durationBuckets,
	})
	m.syncStandbys = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "createinfo_db_sync_standbys",
		Help: "Synchronous standbys confirming the primary's commits at the last check (sync_state sync or quorum).",
	})
	m.primaryChanges = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "createinfo_db_primary_changes_total",
		Help: "Times the audit pool found another primary than at the check before (a failover, or a restart of the primary).",
	})
	m.replicaIn = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "createinfo_db_replica_in_rotation",
		Help: "1 while the read replica takes lookups, 0 while it is down or lags more than REPLICA_MAX_LAG.",
	}, []string{"replica"})
	m.replicaLag = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "createinfo_db_replica_lag_seconds",
		Help: "Replication lag of the read replica at its last check (0 when it has replayed all the primary has written).",
	}, []string{"replica"})
	m.replicaChecks = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "createinfo_db_replica_check_failures_total",
		Help: "Health checks of the read replica that failed (unreachable or not in recovery).",
	}, []string{"replica"})
	m.replicaFall = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "createinfo_db_replica_failovers_total",
		Help: "Statements that failed on the replica with a connection error and were run on the primary instead.",
	}, []string{"replica"})
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.inFlight, m.statements, m.queueWait, m.refused,
		m.batchSize, m.batchTime, m.batchError, m.codeCache, m.auditRows, m.auditGroup, m.auditCommit,
		m.auditFailures, m.auditRefused, m.auditBreaks, m.auditStandby, m.syncStandbys, m.primaryChanges, m.replicaIn, m.replicaLag, m.replicaChecks, m.replicaFall, newThresholds(m)} {
		f(c)
	}
	return m
}

// Handler serves the registry in Prometheus' text (or OpenMetrics) format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, EnableOpenMetrics: true})
}

// Registry is the registry the instruments live on.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// WatchPool exports database/sql's pool statistics of db under db_name=name (lookup, audit,
// replica address).
func (m *Metrics) WatchPool(db *sql.DB, name string) {
	if m == nil || db == nil {
		return
	}
	m.reg.MustRegister(collectors.NewDBStatsCollector(db, name))
}

// outcomePattern bounds an outcome label to the shape of the codes (UPPER_SNAKE, HTTP_404):
// anything else is counted as OTHER rather than becoming a series.
var outcomePattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,39}$`)

// Start counts a lookup request as in flight; the returned function ends it with its outcome
// code, HTTP status (used when the outcome is empty) and SQL statement count.
func (m *Metrics) Start(way string) func(outcome string, status int, statements int64) {
	if m == nil {
		return func(string, int, int64) {}
	}
	start := time.Now()
	g := m.inFlight.WithLabelValues(way)
	g.Inc()
	return func(outcome string, status int, statements int64) {
		g.Dec()
		if outcome == "" {
			outcome = "HTTP_" + strconv.Itoa(status)
		}
		if !outcomePattern.MatchString(outcome) {
			outcome = "OTHER"
		}
		m.requests.WithLabelValues(way, outcome).Inc()
		m.duration.WithLabelValues(way, outcome).Observe(time.Since(start).Seconds())
		m.statements.WithLabelValues(way).Observe(float64(statements))
	}
}

type queuedKey struct{}

// Queued marks when a request starts waiting for admission; Admitted, placed inside the
// admission limit, observes the wait. Together they measure the limit from outside.
func (m *Metrics) Queued(next http.Handler) http.Handler {
	if m == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), queuedKey{}, time.Now())))
	})
}

// Admitted observes how long the request waited since Queued.
func (m *Metrics) Admitted(way string, next http.Handler) http.Handler {
	if m == nil {
		return next
	}
	h := m.queueWait.WithLabelValues(way)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if t, ok := r.Context().Value(queuedKey{}).(time.Time); ok {
			h.Observe(time.Since(t).Seconds())
		}
		next.ServeHTTP(w, r)
	})
}

// Refused counts a lookup refused by the admission limit.
func (m *Metrics) Refused(way string) {
	if m == nil {
		return
	}
	m.refused.WithLabelValues(way).Inc()
}
