package graph

import (
	"context"
	"fmt"
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
		n, err := r.Audit.Reveals(ctx, id.AgentID, time.Now().Add(-time.Hour))
		if err != nil {
			return nil, err
		}
		if n >= r.RevealsPerHour {
			return nil, errorf(apperr.TooManyRequests, fmt.Sprintf("%d reveals in the last hour, the most an agent may make (REVEALS_PER_HOUR); try again later", n))
		}
	}
	apps, err := r.lookup(ctx, c)
	if err != nil || len(apps) == 0 {
		return nil, err
	}
	return apps[0], nil
}
