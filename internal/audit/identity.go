package audit

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// identityColumns are migration 20's columns as the readers of the trail (Verify, judgeHead)
// select them, into an identityRow.
const identityColumns = `role, proof, asserted_agent, reveal_reason, array_to_string(flags, ','), array_to_string(customers, ',')`

// identityRow receives identityColumns.
type identityRow struct {
	role, proof, asserted, reason, flags, customers string
}

// set copies the row's identity columns into r.
func (i identityRow) set(r *Record) {
	r.Role, r.Proof, r.AssertedAgent, r.RevealReason = i.role, i.proof, i.asserted, i.reason
	r.Flags, r.Customers = nil, nil
	if i.flags != "" {
		r.Flags = strings.Split(i.flags, ",")
	}
	if i.customers != "" {
		r.Customers = strings.Split(i.customers, ",")
	}
}

// SetReveal records the reason an agent gave for revealApplication.
func SetReveal(r *Record, reason string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.RevealReason = reason
}

// Flag records an insider-abuse threshold the request went over.
func Flag(r *Record, flag string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Flags = append(r.Flags, flag)
}

// Reveals counts agent's successful reveals since then, but for the requests whose server
// request ids are in inFlight (the caller counts those itself, whether or not their rows are
// committed yet). The trail is the count, so the cap holds across instances and restarts.
func (w *Writer) Reveals(ctx context.Context, agent string, since time.Time, inFlight []string) (int, error) {
	var n int
	err := w.db.QueryRowContext(ctx, `SELECT count(*) FROM audit.lookup
		WHERE agent_id = $1 AND at >= $2 AND reveal_reason <> '' AND outcome = 'OK'
		AND server_request_id <> ALL($3)`, agent, since, inFlight).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("audit: count reveals: %w", err)
	}
	return n, nil
}

// SetCustomers records the customers a lookup returned, as HMACs of their ID numbers.
func (w *Writer) SetCustomers(r *Record, idnos []string) {
	if w == nil || r == nil {
		return
	}
	macs := make([]string, 0, len(idnos))
	seen := map[string]bool{}
	for _, id := range idnos {
		if m := w.mac(id); m != "" && !seen[m] {
			seen[m] = true
			macs = append(macs, m)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Customers = macs
}

// AgentHour counts agent's successful lookups since then, the current one (r, not written
// yet) included, and the distinct customers they returned.
func (w *Writer) AgentHour(ctx context.Context, agent string, since time.Time, r *Record) (lookups, customers int, err error) {
	r.mu.Lock()
	current := append([]string{}, r.Customers...)
	r.mu.Unlock()
	err = w.db.QueryRowContext(ctx, `WITH hour AS (SELECT customers FROM audit.lookup
			WHERE agent_id = $1 AND at >= $2 AND outcome = 'OK')
		SELECT (SELECT count(*) FROM hour) + 1,
			(SELECT count(DISTINCT c) FROM (SELECT unnest(customers) FROM hour UNION ALL SELECT unnest($3::text[])) AS x(c))`,
		agent, since, current).Scan(&lookups, &customers)
	if err != nil {
		return 0, 0, fmt.Errorf("audit: count the agent's hour: %w", err)
	}
	return lookups, customers, nil
}
