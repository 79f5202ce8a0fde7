package graph

import (
	"context"
	"fmt"
	"sync"
	"time"

	"createinfo/internal/apperr"
	"createinfo/internal/audit"
	"createinfo/internal/auth"
	"createinfo/models"
)

// reveal serves one application in clear to an agent, with the reason on the request's audit
// row, within the agent's hourly cap (counted on the audit trail). The masker leaves the
// fields below this root field clear; every other way an agent reads them is masked.
func (r *Resolver) reveal(ctx context.Context, seqNo string, reason RevealReason) (*models.Application, error) {
	rec := audit.FromContext(ctx)
	audit.SetReveal(rec, string(reason))
	id := auth.FromContext(ctx)
	if id.Role != auth.RoleAgent {
		return nil, errorf(apperr.Forbidden, "revealApplication is for callers with the agent role; this caller's data is not masked")
	}
	c, err := ParseConditions(nil, nil, &seqNo)
	if err != nil {
		return nil, err
	}
	r.Audit.SetConditions(rec, "", "", c.SeqNo)
	if r.Audit != nil && r.RevealsPerHour > 0 {
		others := r.reveals.take(ctx, id.AgentID) // before the count: see revealSlots
		n, err := r.Audit.Reveals(ctx, id.AgentID, time.Now().Add(-time.Hour))
		if err != nil {
			return nil, err
		}
		if n += others; n >= r.RevealsPerHour {
			return nil, errorf(apperr.TooManyRequests, fmt.Sprintf("%d reveals in the last hour, the most an agent may make (REVEALS_PER_HOUR); try again later", n))
		}
	}
	apps, err := r.lookup(ctx, c)
	if err != nil || len(apps) == 0 {
		return nil, err
	}
	return apps[0], nil
}

// revealSlots counts each agent's reveals in flight in this process. The hourly cap is counted
// on the audit trail, where a reveal's row lands only as its request ends: without the slots,
// reveals sent at once would all see the same count and all pass. A reveal takes its slot
// before it counts the trail and keeps it until its request's context ends, after its row is
// committed; so between the commit and the end it is counted twice, on the safe side. Across
// instances the trail is the only count: N instances may let N-1 reveals more through at once.
type revealSlots struct {
	mu sync.Mutex
	n  map[string]int
}

// take holds a slot for agent until ctx ends and returns how many others hold one now.
func (s *revealSlots) take(ctx context.Context, agent string) (others int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n == nil {
		s.n = map[string]int{}
	}
	others = s.n[agent]
	s.n[agent]++
	context.AfterFunc(ctx, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.n[agent]--; s.n[agent] == 0 {
			delete(s.n, agent)
		}
	})
	return others
}
