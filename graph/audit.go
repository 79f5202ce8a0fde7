package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"createinfo/internal/apperr"
	"createinfo/internal/audit"
)

// auditExtension records each request (audit.Recorder) once the executor has its response and
// before the response leaves; when the row cannot be written, the response is replaced by a
// SERVICE_UNAVAILABLE error: no unrecorded data leaves. Both ways in run through it.
type auditExtension struct {
	rc *audit.Recorder
}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = auditExtension{}

func (auditExtension) ExtensionName() string                   { return "Audit" }
func (auditExtension) Validate(graphql.ExecutableSchema) error { return nil }

func (e auditExtension) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	rec := audit.FromContext(ctx)
	if rec == nil || resp == nil {
		return resp
	}
	if graphql.HasOperationContext(ctx) {
		// The name of the operation the document holds, not the caller's operationName, which
		// may name none (free text); and none shaped like a phone or ID number: the row keeps
		// those only as HMACs.
		if op := graphql.GetOperationContext(ctx).Operation; op != nil {
			rec.SetOperation(apperr.OperationName(op.Name))
		}
	}
	outcome := apperr.OK
	if len(resp.Errors) > 0 {
		code, ours := apperr.CodeOf(resp.Errors[0].Extensions)
		if !ours {
			code = apperr.Internal
		}
		outcome = code.String()
	}
	if err := e.rc.Finish(ctx, rec, outcome); err != nil {
		e.rc.Withheld() // metrics hook
		// What the caller gets, for the row the way out tries to write again.
		audit.Refuse(rec, apperr.ServiceUnavailable)
		return &graphql.Response{Errors: gqlerror.List{{
			Message:    apperr.MessageNotRecorded,
			Extensions: map[string]any{"code": apperr.ServiceUnavailable},
		}}}
	}
	return resp
}
