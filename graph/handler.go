package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"createinfo/internal/apperr"
	"createinfo/internal/audit"
	"createinfo/internal/reqbody"
	"createinfo/store"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// Options configure the GraphQL layer.
type Options struct {
	// Store is the store the root lookup reads through: the one the loaders read through,
	// so that every statement of a request has the same routing, counting and spans.
	Store      *store.DB
	MaxResults int
	// Zone is the zone of the legacy date and time strings (nil: models.DefaultZone).
	Zone *time.Location
	// Introspection allows schema introspection (development only).
	Introspection bool
	Log           *slog.Logger
	// Audit, when set, records every lookup and withholds responses it cannot record.
	Audit *audit.Writer
	// Trusted are the documents /graphql may name by hash (extensions.persistedQuery);
	// with TrustedOnly it runs nothing else (TRUSTED_DOCUMENTS_ONLY).
	Trusted     *Manifest
	TrustedOnly bool
	// Extensions are added to both ways in (tracing).
	Extensions []graphql.HandlerExtension
	// RevealsPerHour caps each agent's revealApplication (REVEALS_PER_HOUR; 0: no cap).
	RevealsPerHour int
	// Thresholds raise the insider-abuse signal (AGENT_LOOKUPS_PER_HOUR,
	// AGENT_DISTINCT_CUSTOMERS_PER_HOUR).
	Thresholds Thresholds
}

// NewSchema returns the executable schema over the database.
func NewSchema(o Options) graphql.ExecutableSchema {
	return NewExecutableSchema(Config{
		Resolvers: &Resolver{Store: o.Store, MaxResults: o.MaxResults, Audit: o.Audit, RevealsPerHour: o.RevealsPerHour,
			Thresholds: o.Thresholds, Log: o.Log},
		Complexity: complexity(),
	})
}

// NewHandler serves GraphQL over POST with a single JSON object body only: no GET,
// websocket, multipart, urlencoded or batched operations, and no automatic persisted queries
// (gqlgen's NewDefaultServer enables most of them). Documents may be named by hash when they
// are in o.Trusted, the read-only manifest.
func NewHandler(es graphql.ExecutableSchema, o Options) http.Handler {
	srv := handler.New(es)
	srv.AddTransport(post{})
	srv.Use(trustedDocuments{manifest: o.Trusted, only: o.TrustedOnly})
	configure(srv, o)
	return jsonObjectOnly(srv)
}

// jsonObjectOnly refuses, with INVALID_REQUEST, a body that is not application/json or not
// a single JSON object of the GraphQL request's members (a batch of operations is an array).
// Its messages name what is wrong without echoing the body or the decoder's Go types. The
// request it accepts goes on with its members decoded (paramsKey), which the transport (post)
// runs: the body is decoded once.
func jsonObjectOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		refuse := func(status int, code apperr.Code, message string) {
			audit.Refuse(audit.FromContext(r.Context()), code)
			writeError(w, status, code, message)
		}
		if mt != "application/json" {
			refuse(http.StatusUnsupportedMediaType, apperr.InvalidRequest, "send the query as Content-Type: application/json")
			return
		}
		body, bad := reqbody.From(w, r)
		if bad != nil {
			st, _ := apperr.Status(bad.Code)
			refuse(st, bad.Code, bad.Message)
			return
		}
		if trimmed := bytes.TrimLeft(body, " \t\r\n"); len(trimmed) == 0 || trimmed[0] != '{' {
			refuse(http.StatusBadRequest, apperr.InvalidRequest, "the body must be one JSON object {\"query\": …}; batches are not accepted")
			return
		}
		start := graphql.Now()
		p, msg := decodeParams(body)
		if msg != "" {
			refuse(http.StatusBadRequest, apperr.InvalidRequest, msg)
			return
		}
		p.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), paramsKey{}, p)))
	})
}

// paramsKey holds, in the request's context, the GraphQL request jsonObjectOnly decoded.
type paramsKey struct{}

// decodeParams decodes the body into the members of a GraphQL request as gqlgen's POST
// transport would (numbers kept as json.Number), saying what is wrong in the request's own
// terms: gqlgen's message would quote the body and the Go types it decodes into.
func decodeParams(body []byte) (*graphql.RawParams, string) {
	var p graphql.RawParams
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			switch typeErr.Field {
			case "query", "operationName":
				return nil, typeErr.Field + " must be a string"
			case "variables", "extensions":
				return nil, typeErr.Field + " must be an object"
			}
		}
		return nil, "the body is not a valid GraphQL request object"
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, "the body must be a single JSON object"
	}
	return &p, ""
}

// post is /graphql's one transport: gqlgen's POST transport (transport.POST: the same
// response type, statuses and body) over the request jsonObjectOnly decoded, so the body is
// neither copied nor decoded again, and writing a response with data in one pass.
type post struct{}

var _ graphql.Transport = post{}

// Supports takes the requests jsonObjectOnly accepted, and only those.
func (post) Supports(r *http.Request) bool {
	_, ok := r.Context().Value(paramsKey{}).(*graphql.RawParams)
	return ok
}

func (post) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	params := ctx.Value(paramsKey{}).(*graphql.RawParams)
	params.Headers = r.Header
	contentType := responseType(r.Header.Get("Accept"))
	w.Header().Add("Content-Type", contentType)
	rc, opErr := exec.CreateOperationContext(ctx, params)
	if opErr != nil {
		status := http.StatusOK
		if errcode.GetErrorKind(opErr) == errcode.KindProtocol {
			status = http.StatusUnprocessableEntity
			if contentType == graphQLResponseJSON {
				status = http.StatusBadRequest
			}
		}
		w.WriteHeader(status)
		writeResponse(w, exec.DispatchError(graphql.WithOperationContext(ctx, rc), opErr))
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, rc)
	writeResponse(w, responses(ctx))
}

// graphQLResponseJSON is the GraphQL-over-HTTP media type a client may ask for in Accept.
const graphQLResponseJSON = "application/graphql-response+json"

// responseType is the response's media type for the request's Accept header, as gqlgen's POST
// transport chooses it: application/json when Accept is empty or its first known type is
// application/json or a wildcard; application/graphql-response+json when that comes first or
// Accept names neither.
func responseType(accept string) string {
	if accept == "" {
		return "application/json"
	}
	for part := range strings.SplitSeq(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case "*/*", "application/*", "application/json":
			return "application/json"
		case graphQLResponseJSON:
			return graphQLResponseJSON
		}
	}
	return graphQLResponseJSON
}

// writeResponse writes resp as json.Marshal would (what gqlgen's transport writes). A response
// that is data only, the common case, is written as {"data":…} around the executor's JSON,
// which gqlgen writes compact: only what json.Marshal escapes in it is escaped (escapeHTML),
// without json.Marshal's scan of the whole tree and its two copies of it.
func writeResponse(w io.Writer, resp *graphql.Response) {
	if resp == nil || len(resp.Errors) > 0 || resp.Data == nil || resp.Label != "" || resp.Path != nil ||
		resp.HasNext != nil || len(resp.Extensions) > 0 {
		b, err := json.Marshal(resp)
		if err != nil {
			panic(fmt.Errorf("unable to marshal the response: %w", err)) // as gqlgen's transport; the server recovers
		}
		w.Write(b)
		return
	}
	io.WriteString(w, `{"data":`)
	escapeHTML(w, resp.Data)
	io.WriteString(w, "}")
}

// escapeHTML writes compact JSON with <, >, & and the separators U+2028, U+2029 escaped as
// json.Marshal escapes them (\u003c, \u003e, \u0026, \u2028, \u2029), so that the JSON can
// be embedded in HTML. Outside strings JSON holds none of them, so no state is needed.
func escapeHTML(w io.Writer, data []byte) {
	start := 0
	for i := 0; i < len(data); i++ {
		c := data[i]
		if !escapeFirst[c] {
			continue
		}
		switch {
		case c != 0xE2:
			w.Write(data[start:i])
			w.Write([]byte{'\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf]})
			start = i + 1
		case i+2 < len(data) && data[i+1] == 0x80 && data[i+2]&^1 == 0xA8:
			w.Write(data[start:i])
			w.Write([]byte{'\\', 'u', '2', '0', '2', hexDigits[data[i+2]&0xf]})
			start = i + 3
			i += 2
		}
	}
	w.Write(data[start:])
}

// escapeFirst marks the bytes escapeHTML stops at: <, >, & and the first byte of U+2028, U+2029.
var escapeFirst = [256]bool{'<': true, '>': true, '&': true, 0xE2: true}

const hexDigits = "0123456789abcdef"

// NewExecutor runs documents in process with the same schema, error presenter and
// extensions as NewHandler: the legacy endpoint executes its fixed document through it.
func NewExecutor(es graphql.ExecutableSchema, o Options) *executor.Executor {
	x := executor.New(es)
	configure(x, o)
	return x
}

// configurable is what handler.Server and executor.Executor have in common.
type configurable interface {
	Use(graphql.HandlerExtension)
	SetErrorPresenter(graphql.ErrorPresenterFunc)
	SetRecoverFunc(graphql.RecoverFunc)
	SetQueryCache(graphql.Cache[*ast.QueryDocument])
	SetDisableSuggestion(bool)
	SetParserTokenLimit(int)
}

func configure(x configurable, o Options) {
	log := o.Log
	if log == nil {
		log = slog.Default()
	}
	x.SetErrorPresenter(ErrorPresenter(log))
	x.SetRecoverFunc(Recover(log))
	x.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	x.SetDisableSuggestion(true)
	x.Use(legacyZone{o.Zone})
	x.Use(masker{})
	switch x := x.(type) { // the same setter under two names
	case *handler.Server:
		x.SetValidationRulesFn(rulesWithoutSuggestions)
	case *executor.Executor:
		x.SetDefaultRulesFn(rulesWithoutSuggestions)
	}
	limits := DefaultLimits
	x.SetParserTokenLimit(limits.MaxTokens)
	x.Use(newDocumentLimit(limits))
	x.Use(newComplexityLimit(limits.MaxComplexity))
	x.Use(errorCap{limits.MaxErrors})
	if o.Introspection {
		x.Use(extension.Introspection{})
	}
	for _, e := range o.Extensions { // observability hook (internal/tracing)
		x.Use(e)
	}
	if o.Audit != nil {
		x.Use(auditExtension{rc: audit.NewRecorder(o.Audit, log)})
	}
}

// rulesWithoutSuggestions is gqlparser's rule set with no "Did you mean" in any message:
// SetDisableSuggestion covers fields and leaf selections only, not arguments, types, directive
// arguments or enum values, which would otherwise tell a caller the schema's names.
func rulesWithoutSuggestions() *rules.Rules {
	rs := rules.NewDefaultRules()
	for _, r := range []core.Rule{rules.KnownArgumentNamesRuleWithoutSuggestions,
		rules.KnownTypeNamesRuleWithoutSuggestions, rules.ValuesOfCorrectTypeRuleWithoutSuggestions} {
		rs.RemoveRule(strings.TrimSuffix(r.Name, "WithoutSuggestions"))
		rs.AddRule(r.Name, r.RuleFunc)
	}
	return rs
}

// WriteError answers a request refused before GraphQL runs (authentication, body, admission)
// with a GraphQL error body carrying code, under the code's HTTP status.
func WriteError(w http.ResponseWriter, code apperr.Code, message string) {
	status, ok := apperr.Status(code)
	if !ok {
		code, message, status = apperr.Internal, apperr.MessageInternal, http.StatusInternalServerError
	}
	writeError(w, status, code, message)
}

func writeError(w http.ResponseWriter, status int, code apperr.Code, message string) {
	body, _ := json.Marshal(map[string]any{
		"errors": []map[string]any{{"message": message, "extensions": map[string]any{"code": code}}},
		"data":   nil,
	})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(body)
}
