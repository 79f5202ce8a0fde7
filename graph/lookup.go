package graph

import (
	"context"
	"createinfo/internal/apperr"
	"createinfo/internal/audit"
	"fmt"
	"strconv"

	"createinfo/models"
)

// lookup reads the applications matching every condition, newest first. It asks for one row
// more than the maximum, so that too many matches answer TOO_MANY_RESULTS instead of a list
// silently cut short.
func (r *Resolver) lookup(ctx context.Context, c Conditions) ([]*models.Application, error) {
	q := r.DB.WithContext(ctx)
	if c.Idno != "" {
		q = q.Where("idno = ?", c.Idno)
	}
	if c.Phone != "" {
		q = q.Where("phone_number = ?", c.Phone)
	}
	if c.SeqNo != "" {
		q = q.Where("seq_no = ?", c.SeqNo)
	}
	var apps []*models.Application
	if err := q.Order("create_time DESC, seq_no").Limit(r.MaxResults + 1).Find(&apps).Error; err != nil {
		return nil, fmt.Errorf("lookup applications: %w", err)
	}
	if len(apps) > r.MaxResults {
		return nil, errorf(apperr.TooManyResults, "more than "+strconv.Itoa(r.MaxResults)+
			" applications match; narrow the lookup with more conditions")
	}
	seqNos := make([]string, len(apps))
	for i, a := range apps {
		seqNos[i] = a.SeqNo
	}
	audit.SetResult(audit.FromContext(ctx), seqNos)
	r.watch(ctx, apps)
	primeApplications(ctx, apps)
	return apps, nil
}
