package graph

import (
	"context"
	"fmt"
	"strconv"

	"createinfo/internal/apperr"
	"createinfo/internal/audit"
	"createinfo/models"
	"createinfo/store"
)

// lookup reads the applications matching every condition, newest first, through the store
// (one statement on pgx, as the loaders' reads). It asks for one row more than the maximum, so that too many matches answer TOO_MANY_RESULTS instead of a list
// silently cut short.
func (r *Resolver) lookup(ctx context.Context, c Conditions) ([]*models.Application, error) {
	seqNos, apps, err := store.Applications(ctx, r.Store, store.Match(c), r.MaxResults+1)
	if err != nil {
		return nil, fmt.Errorf("lookup applications: %w", err)
	}
	if len(apps) > r.MaxResults {
		return nil, errorf(apperr.TooManyResults, "more than "+strconv.Itoa(r.MaxResults)+
			" applications match; narrow the lookup with more conditions")
	}
	audit.SetResult(audit.FromContext(ctx), seqNos)
	r.watch(ctx, apps)
	primeApplications(ctx, apps)
	return apps, nil
}
