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
		slot := audit.NewID() // a request without a record (none in service) still gets its own slot
		if rec != nil {
			slot = rec.ServerRequestID
		}
		inFlight, release := r.reveals.take(ctx, id.AgentID, slot)
		n, err := r.Audit.Reveals(ctx, id.AgentID, time.Now().Add(-time.Hour), inFlight)
		if err != nil {
			return nil, err
		}
		if n += len(inFlight) - 1; n >= r.RevealsPerHour { // the others in flight, not this one
			release()
			return nil, errorf(apperr.TooManyRequests, fmt.Sprintf("%d reveals in the last hour, the most an agent may make (REVEALS_PER_HOUR); try again later", n))
		}
	}
	apps, err := r.lookup(ctx, c)
	if err != nil || len(apps) == 0 {
		return nil, err
	}
	return apps[0], nil
}

// revealSlots holds the server request ids of each agent's reveals in flight in this process.
// The hourly cap is counted on the audit trail, where a reveal's row lands only as its request
// ends: counted there alone, reveals sent at once would all see the same count and all pass.
// So a reveal takes a slot before it counts, and counts the trail without the rows of the
// reveals in flight (committed or not) plus those reveals themselves: exact within one process,
// whatever the moment each row commits. A slot is held until its request's context ends, or
// given back at once by a reveal refused for the cap. Across instances the trail is the only
// count: N instances may let N-1 reveals more through in the same instant.
type revealSlots struct {
	mu sync.Mutex
	n  map[string]map[string]bool // agent -> server request ids
}

// take holds a slot for the request id of agent until ctx ends or release is called, and
// returns the ids of every reveal of agent in flight, this one included.
func (s *revealSlots) take(ctx context.Context, agent, id string) (inFlight []string, release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n == nil {
		s.n = map[string]map[string]bool{}
	}
	if s.n[agent] == nil {
		s.n[agent] = map[string]bool{}
	}
	s.n[agent][id] = true
	for other := range s.n[agent] {
		inFlight = append(inFlight, other)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if delete(s.n[agent], id); len(s.n[agent]) == 0 {
				delete(s.n, agent)
			}
		})
	}
	context.AfterFunc(ctx, release)
	return inFlight, release
}
