package graph

import (
	"context"
	"errors"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"createinfo/internal/apperr"
	"createinfo/internal/audit"
)

func errorf(code apperr.Code, message string) *apperr.Error { return apperr.New(code, message) }

// errIntrospectionDisabled is the text of gqlgen's error (a plain errors.New) for __schema or
// __type when introspection is off.
const errIntrospectionDisabled = "introspection disabled"

// ErrorPresenter turns every error into a client-safe one through apperr.Classify; GraphQL
// syntax and validation errors (gqlerrors with no wrapped error: they describe only the query)
// become INVALID_REQUEST with the parser's message, as does an introspection attempt when
// introspection is off. Only the service's own failures are logged at ERROR, redacted and
// without the field path (aliases are the caller's text); gqlgen's default presenter would
// forward err.Error(), SQL text included.
func ErrorPresenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		presented := graphql.DefaultErrorPresenter(ctx, err)
		out := &gqlerror.Error{Path: presented.Path, Locations: presented.Locations, Err: err}
		var code apperr.Code
		var message string
		var gqlErr *gqlerror.Error
		switch {
		case errors.As(err, &gqlErr) && gqlErr.Err == nil:
			code, message = apperr.InvalidRequest, presented.Message
		case errors.As(err, &gqlErr) && gqlErr.Err.Error() == errIntrospectionDisabled:
			// The caller's attempt, not our failure: refused, not logged as an error.
			code, message = apperr.InvalidRequest, "introspection is disabled"
		default:
			code, message = apperr.Classify(err)
		}
		if apperr.Logged(code) {
			log.ErrorContext(ctx, "lookup failed", "request_id", requestID(ctx), "code", code,
				"err", apperr.RedactError(err))
		}
		out.Message = message
		out.Extensions = map[string]any{"code": code}
		return out
	}
}

// Recover turns a panic in a resolver into an INTERNAL_ERROR, logging what happened.
func Recover(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, v any) error {
		log.ErrorContext(ctx, "panic in resolver", "request_id", requestID(ctx), "panic", apperr.RedactValue(v))
		return apperr.New(apperr.Internal, apperr.MessageInternal)
	}
}

// requestID is the id of the request in ctx, for log lines ("" outside an audited request).
func requestID(ctx context.Context) string {
	if rec := audit.FromContext(ctx); rec != nil {
		return rec.RequestID
	}
	return ""
}
