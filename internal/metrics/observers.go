package metrics

import (
	"context"
	"time"
)

// The methods below satisfy the small observer interfaces of lower layers (loaders, audit,
// replica), which know nothing of Prometheus.

// StartBatch times one loader batch of keys of relation (loaders.Observer).
func (m *Metrics) StartBatch(ctx context.Context, relation string, keys int) (context.Context, func(error)) {
	if m == nil {
		return ctx, func(error) {}
	}
	start := time.Now()
	return ctx, func(err error) {
		m.batchSize.WithLabelValues(relation).Observe(float64(keys))
		m.batchTime.WithLabelValues(relation).Observe(time.Since(start).Seconds())
		if err != nil {
			m.batchError.WithLabelValues(relation).Inc()
		}
	}
}

// CodeCache counts a read of the code-table cache (loaders.Observer).
func (m *Metrics) CodeCache(table string, hit bool) {
	if m == nil {
		return
	}
	result := "miss"
	if hit {
		result = "hit"
	}
	m.codeCache.WithLabelValues(table, result).Inc()
}

// AuditGroup records one audit transaction of rows (audit.Observer).
func (m *Metrics) AuditGroup(rows int, took time.Duration, err error) {
	if m == nil {
		return
	}
	m.auditGroup.Observe(float64(rows))
	m.auditCommit.Observe(took.Seconds())
	if err != nil {
		m.auditFailures.Inc()
		return
	}
	m.auditRows.Add(float64(rows))
}

// AuditRefused counts a request whose audit row could not be written (audit.Observer).
func (m *Metrics) AuditRefused() {
	if m == nil {
		return
	}
	m.auditRefused.Inc()
}

// AuditStandbyCommit records an audit transaction that waited for a synchronous standby
// (audit.StandbyObserver).
func (m *Metrics) AuditStandbyCommit(took time.Duration) {
	if m == nil {
		return
	}
	m.auditStandby.Observe(took.Seconds())
}

// SyncStandbys records how many synchronous standbys confirm the primary's commits
// (standby.Observer).
func (m *Metrics) SyncStandbys(n int) {
	if m == nil {
		return
	}
	m.syncStandbys.Set(float64(n))
}

// PrimaryChanged counts a change of primary seen (standby.Observer).
func (m *Metrics) PrimaryChanged() {
	if m == nil {
		return
	}
	m.primaryChanges.Inc()
}

// ReplicaChecked records a replica's health check (replica.Observer): in rotation or not, its
// lag, and whether the check itself failed.
func (m *Metrics) ReplicaChecked(replica string, inRotation bool, lag time.Duration, checkErr error) {
	if m == nil {
		return
	}
	v := 0.0
	if inRotation {
		v = 1
	}
	m.replicaIn.WithLabelValues(replica).Set(v)
	if checkErr != nil {
		m.replicaChecks.WithLabelValues(replica).Inc()
		return
	}
	m.replicaLag.WithLabelValues(replica).Set(lag.Seconds())
}

// ReplicaFailover counts a statement moved from a failing replica to the primary.
func (m *Metrics) ReplicaFailover(replica string) {
	if m == nil {
		return
	}
	m.replicaFall.WithLabelValues(replica).Inc()
}

// AuditChainBreak counts a break in the audit chain the writer recorded (audit.Observer).
func (m *Metrics) AuditChainBreak() {
	if m == nil {
		return
	}
	m.auditBreaks.Inc()
}
