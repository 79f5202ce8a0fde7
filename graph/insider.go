package graph

import (
	"context"
	"log/slog"
	"time"

	"createinfo/internal/apperr"
	"createinfo/internal/audit"
	"createinfo/internal/auth"
	"createinfo/models"
)

// Thresholds are the insider-abuse signal: an agent over either count in the last hour is
// flagged, not stopped (an agent must not be locked out in the middle of a call).
type Thresholds struct {
	LookupsPerHour   int // AGENT_LOOKUPS_PER_HOUR (0: off)
	CustomersPerHour int // AGENT_DISTINCT_CUSTOMERS_PER_HOUR (0: off)
	// Exceeded counts a flagged lookup by threshold (the metrics hook: never the agent).
	Exceeded func(threshold string)
}

// The flags an audit row may carry.
const (
	FlagLookups   = "lookups_per_hour"
	FlagCustomers = "distinct_customers_per_hour"
)

// watch records the customers an agent's lookup returned and raises the signal when the
// agent's last hour, this lookup included, is over a threshold: a flag on the row, a counter
// and a WARN line naming the agent (an agent id is not personal data of a customer).
func (r *Resolver) watch(ctx context.Context, apps []*models.Application) {
	rec := audit.FromContext(ctx)
	if r.Audit == nil || rec == nil {
		return
	}
	idnos := make([]string, 0, len(apps))
	for _, a := range apps {
		if a.Idno != nil {
			idnos = append(idnos, *a.Idno)
		}
	}
	r.Audit.SetCustomers(rec, idnos)
	id := auth.FromContext(ctx)
	t := r.Thresholds
	if id.Role != auth.RoleAgent || id.AgentID == "" || t.LookupsPerHour <= 0 && t.CustomersPerHour <= 0 {
		return
	}
	lookups, customers, err := r.Audit.AgentHour(ctx, id.AgentID, time.Now().Add(-time.Hour), rec)
	if err != nil { // the lookup goes on; the count is lost for this one
		r.log().WarnContext(ctx, "insider-abuse counts unavailable", "err", apperr.RedactError(err))
		return
	}
	for _, c := range []struct {
		flag        string
		count, over int
	}{{FlagLookups, lookups, t.LookupsPerHour}, {FlagCustomers, customers, t.CustomersPerHour}} {
		if c.over <= 0 || c.count <= c.over {
			continue
		}
		audit.Flag(rec, c.flag)
		if t.Exceeded != nil {
			t.Exceeded(c.flag)
		}
		r.log().WarnContext(ctx, "agent over an insider-abuse threshold", "agent", id.AgentID,
			"threshold", c.flag, "count", c.count, "limit", c.over)
	}
}

func (r *Resolver) log() *slog.Logger {
	if r.Log != nil {
		return r.Log
	}
	return slog.Default()
}
