package metrics

import "github.com/prometheus/client_golang/prometheus"

// newThresholds makes the insider-abuse counter: by threshold, never by agent (an agent label
// would make a series per agent, and the agent is in the WARN line and the audit row).
func newThresholds(m *Metrics) prometheus.Collector {
	m.thresholds = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "createinfo_agent_threshold_exceeded_total",
		Help: "Agent lookups flagged over an insider-abuse threshold (AGENT_LOOKUPS_PER_HOUR, AGENT_DISTINCT_CUSTOMERS_PER_HOUR), by threshold.",
	}, []string{"threshold"})
	return m.thresholds
}

// ThresholdExceeded counts one flagged lookup (graph.Thresholds.Exceeded).
func (m *Metrics) ThresholdExceeded(threshold string) {
	if m == nil {
		return
	}
	m.thresholds.WithLabelValues(threshold).Inc()
}
