package audit

import (
	"context"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Extension writes each request's record once the executor has its response and before the
// response leaves; when the record cannot be written, the response is replaced by a
// SERVICE_UNAVAILABLE error: no unrecorded data leaves. Both ways in run through it.
type Extension struct {
	W   *Writer
	Log *slog.Logger
}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = Extension{}

func (Extension) ExtensionName() string                   { return "Audit" }
func (Extension) Validate(graphql.ExecutableSchema) error { return nil }

func (e Extension) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	rec := FromContext(ctx)
	if rec == nil || resp == nil {
		return resp
	}
	if graphql.HasOperationContext(ctx) {
		op := graphql.GetOperationContext(ctx)
		rec.mu.Lock()
		rec.Operation = op.OperationName
		if rec.Operation == "" && op.Operation != nil {
			rec.Operation = op.Operation.Name // the document's only operation, named
		}
		rec.mu.Unlock()
	}
	outcome := "OK"
	if len(resp.Errors) > 0 {
		outcome, _ = resp.Errors[0].Extensions["code"].(string)
		if outcome == "" {
			outcome = "ERROR"
		}
	}
	if err := e.W.Write(ctx, rec, outcome); err != nil {
		e.Log.ErrorContext(ctx, "audit row not written: response withheld", "request_id", rec.RequestID, "err", err)
		e.W.observeRefused() // metrics hook
		return &graphql.Response{Errors: gqlerror.List{{
			Message:    "the lookup could not be recorded; try again shortly",
			Extensions: map[string]any{"code": "SERVICE_UNAVAILABLE"},
		}}}
	}
	return resp
}
