package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"createinfo/models"
)

// legacyZone gives every operation the zone in which the models write the legacy date and
// time strings (TIME_ZONE): passed in with the options, never a process-wide setting. The
// DateTime scalar does not depend on it: it is always UTC (graph/scalar).
type legacyZone struct{ loc *time.Location }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
} = legacyZone{}

func (legacyZone) ExtensionName() string                   { return "LegacyZone" }
func (legacyZone) Validate(graphql.ExecutableSchema) error { return nil }
func (z legacyZone) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if z.loc == nil {
		return next(ctx)
	}
	return next(models.WithZone(ctx, z.loc))
}
