package audit

import (
	"context"
	"fmt"
	"time"
)

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

// Reveals counts agent's successful reveals since then. The trail is the count, so the cap
// holds across instances and restarts.
func (w *Writer) Reveals(ctx context.Context, agent string, since time.Time) (int, error) {
	var n int
	err := w.db.QueryRowContext(ctx, `SELECT count(*) FROM audit.lookup
		WHERE agent_id = $1 AND at >= $2 AND reveal_reason <> '' AND outcome = 'OK'`, agent, since).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("audit: count reveals: %w", err)
	}
	return n, nil
}
