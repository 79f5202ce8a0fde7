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
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"createinfo/graph"
)

// Path is where the endpoint is served.
const Path = "/intranet/api/v1.0/createaccount/GetCreateInfo"

//go:embed getcreateinfo.graphql
var document string

// Document returns the fixed GraphQL document the endpoint executes.
func Document() string { return document }

// Handler serves the legacy endpoint.
type Handler struct {
	exec    *executor.Executor
	maxBody int64
	log     *slog.Logger
}

// NewHandler returns the endpoint over exec, refusing bodies larger than maxBody bytes.
func NewHandler(exec *executor.Executor, maxBody int64, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.Default()
	}
	return &Handler{exec: exec, maxBody: maxBody, log: log}
}

// conditions are the request's three inputs; a nil one is not a condition.
type conditions struct{ idno, phone, seqNo *string }

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			h.log.ErrorContext(r.Context(), "panic in legacy handler", "panic", v)
			WriteError(w, graph.CodeInternal, "internal error")
		}
	}()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		WriteError(w, graph.CodeMethodNotAllowed, "use POST")
		return
	}
	c, code, msg := h.readRequest(w, r)
	if code != "" {
		WriteError(w, code, msg)
		return
	}
	resp := h.execute(r.Context(), c)
	if len(resp.Errors) > 0 {
		code, msg := resultError(resp)
		WriteError(w, code, msg)
		return
	}
	body, err := envelope(resp.Data)
	if err != nil {
		h.log.ErrorContext(r.Context(), "legacy: shaping the response", "err", err)
		WriteError(w, graph.CodeInternal, "internal error")
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// readRequest decodes the body: a JSON object whose idno, phone and seqNo are strings or null;
// other keys are ignored.
func (h *Handler) readRequest(w http.ResponseWriter, r *http.Request) (c conditions, code, msg string) {
	if r.ContentLength > h.maxBody {
		return c, graph.CodePayloadTooLarge, "the request body is larger than the limit"
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return c, graph.CodePayloadTooLarge, "the request body is larger than the limit"
	}
	if err != nil {
		return c, graph.CodeInvalidRequest, "the request body could not be read"
	}
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&fields); err != nil || fields == nil {
		return c, graph.CodeInvalidRequest, "the request body must be a JSON object"
	}
	if _, err := dec.Token(); err != io.EOF {
		return c, graph.CodeInvalidRequest, "the request body must be a single JSON object"
	}
	for name, dst := range map[string]**string{"idno": &c.idno, "phone": &c.phone, "seqNo": &c.seqNo} {
		v, ok := fields[name]
		if !ok || string(v) == "null" {
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return c, graph.CodeInvalidRequest, name + " must be a string or null"
		}
		*dst = &s
	}
	return c, "", ""
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
	return &graphql.Response{Errors: gqlerror.List{{Message: "the lookup ran past its deadline",
		Extensions: map[string]any{"code": graph.CodeTimeout}}}}
}
