package audit

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// AgentActivity is what one agent did in a period, read from the trail (cmd/auditreport).
type AgentActivity struct {
	Agent string
	// Lookups are the agent's successful lookups other than reveals; Customers the distinct
	// customers all its successful requests returned (by the HMAC of their ID number).
	Lookups, Customers int
	// Reveals counts the successful reveals by reason.
	Reveals map[string]int
	// Refusals are the agent's requests that ended with an error code; ThresholdHits its
	// requests flagged over an insider-abuse threshold.
	Refusals, ThresholdHits int
}

// Activity reads every agent's activity in [from, to), by agent id.
func Activity(ctx context.Context, db *sql.DB, from, to time.Time) ([]AgentActivity, error) {
	rows, err := db.QueryContext(ctx, `SELECT agent_id,
			count(*) FILTER (WHERE outcome = 'OK' AND reveal_reason = ''),
			(SELECT count(DISTINCT c) FROM audit.lookup i, unnest(i.customers) c
				WHERE i.agent_id = l.agent_id AND i.at >= $1 AND i.at < $2 AND i.outcome = 'OK'),
			count(*) FILTER (WHERE outcome <> 'OK'),
			count(*) FILTER (WHERE cardinality(flags) > 0)
		FROM audit.lookup l WHERE at >= $1 AND at < $2 AND agent_id <> ''
		GROUP BY agent_id ORDER BY agent_id`, from, to)
	if err != nil {
		return nil, fmt.Errorf("audit: activity: %w", err)
	}
	defer rows.Close()
	var out []AgentActivity
	byAgent := map[string]int{}
	for rows.Next() {
		a := AgentActivity{Reveals: map[string]int{}}
		if err := rows.Scan(&a.Agent, &a.Lookups, &a.Customers, &a.Refusals, &a.ThresholdHits); err != nil {
			return nil, fmt.Errorf("audit: activity: %w", err)
		}
		byAgent[a.Agent] = len(out)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: activity: %w", err)
	}
	reveals, err := db.QueryContext(ctx, `SELECT agent_id, reveal_reason, count(*) FROM audit.lookup
		WHERE at >= $1 AND at < $2 AND agent_id <> '' AND reveal_reason <> '' AND outcome = 'OK'
		GROUP BY agent_id, reveal_reason`, from, to)
	if err != nil {
		return nil, fmt.Errorf("audit: reveals: %w", err)
	}
	defer reveals.Close()
	for reveals.Next() {
		var agent, reason string
		var n int
		if err := reveals.Scan(&agent, &reason, &n); err != nil {
			return nil, fmt.Errorf("audit: reveals: %w", err)
		}
		out[byAgent[agent]].Reveals[reason] = n
	}
	return out, reveals.Err()
}
