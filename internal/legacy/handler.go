// Package legacy serves POST /intranet/api/v1.0/createaccount/GetCreateInfo, the fixed
// all-in-one JSON of CONTRACT.md, as a thin layer over the GraphQL executor: it runs one fixed
// document (getcreateinfo.graphql) through the same schema, resolvers and per-request loaders,
// and wraps the result in the legacy envelope. It has no data access of its own.
package legacy

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"createinfo/internal/apperr"
	"createinfo/internal/audit"
	"createinfo/internal/reqbody"
)

// Path is where the endpoint is served.
const Path = "/intranet/api/v1.0/createaccount/GetCreateInfo"

//go:embed getcreateinfo.graphql
var document string

// Document returns the fixed GraphQL document the endpoint executes.
func Document() string { return document }

// Handler serves the legacy endpoint. The server routes only POST to it, with the body
// already read and limited (reqbody).
type Handler struct {
	exec *executor.Executor
	log  *slog.Logger
}

// NewHandler returns the endpoint over exec.
func NewHandler(exec *executor.Executor, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.Default()
	}
	return &Handler{exec: exec, log: log}
}

// conditions are the request's three inputs; a nil one is not a condition.
type conditions struct{ idno, phone, seqNo *string }

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			h.log.ErrorContext(r.Context(), "panic in legacy handler", "panic", apperr.RedactValue(v))
			fail(w, r, apperr.Internal, apperr.MessageInternal)
		}
	}()
	raw, bad := reqbody.From(w, r)
	if bad != nil {
		fail(w, r, bad.Code, bad.Message)
		return
	}
	c, bad := parseRequest(raw)
	if bad != nil {
		fail(w, r, bad.Code, bad.Message)
		return
	}
	resp := h.execute(r.Context(), c)
	if len(resp.Errors) > 0 {
		code, msg := resultError(resp)
		WriteError(w, code, msg) // the executor has recorded the outcome
		return
	}
	body, err := envelope(resp.Data)
	if err != nil {
		h.log.ErrorContext(r.Context(), "legacy: shaping the response", "err", apperr.RedactError(err))
		fail(w, r, apperr.Internal, apperr.MessageInternal)
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// fail refuses a request that did not reach the executor, noting its code for the audit row.
func fail(w http.ResponseWriter, r *http.Request, code apperr.Code, message string) {
	audit.Refuse(audit.FromContext(r.Context()), code)
	WriteError(w, code, message)
}

// parseRequest decodes the body: a JSON object whose idno, phone and seqNo are strings or
// null; other keys are ignored. Its messages never quote the body or the decoder's types.
func parseRequest(raw []byte) (c conditions, bad *apperr.Error) {
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&fields); err != nil || fields == nil {
		return c, apperr.New(apperr.InvalidRequest, "the request body must be a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return c, apperr.New(apperr.InvalidRequest, "the request body must be a single JSON object")
	}
	for name, dst := range map[string]**string{"idno": &c.idno, "phone": &c.phone, "seqNo": &c.seqNo} {
		v, ok := fields[name]
		if !ok || string(v) == "null" {
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return c, apperr.New(apperr.InvalidRequest, name+" must be a string or null")
		}
		*dst = &s
	}
	return c, nil
}

// variables holds the present conditions as the document's variables; an absent one stays
// out, which GraphQL reads as null.
func (c conditions) variables() map[string]any {
	vars := make(map[string]any, 3)
	for name, v := range map[string]*string{"idno": c.idno, "phone": c.phone, "seqNo": c.seqNo} {
		if v != nil {
			vars[name] = *v
		}
	}
	return vars
}

// execute runs the fixed document through the GraphQL executor.
func (h *Handler) execute(ctx context.Context, c conditions) *graphql.Response {
	ctx = graphql.StartOperationTrace(ctx)
	now := graphql.Now()
	params := &graphql.RawParams{
		Query:         document,
		OperationName: "GetCreateInfo",
		Variables:     c.variables(),
		ReadTime:      graphql.TraceTiming{Start: now, End: now},
	}
	opCtx, errs := h.exec.CreateOperationContext(ctx, params)
	if errs != nil {
		return h.exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs)
	}
	responses, ctx := h.exec.DispatchOperation(ctx, opCtx)
	if resp := responses(ctx); resp != nil {
		return resp
	}
	// The executor answers nil only when the request's context has ended.
	return &graphql.Response{Errors: gqlerror.List{{Message: apperr.MessageTimeout,
		Extensions: map[string]any{"code": apperr.Timeout}}}}
}
