package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"createinfo/internal/apperr"
	"createinfo/internal/audit"
	"createinfo/internal/reqbody"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
	"gorm.io/gorm"
)

// Options configure the GraphQL layer.
type Options struct {
	DB         *gorm.DB
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
		Resolvers: &Resolver{DB: o.DB, MaxResults: o.MaxResults, Audit: o.Audit, RevealsPerHour: o.RevealsPerHour,
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
	srv.AddTransport(transport.POST{})
	srv.Use(trustedDocuments{manifest: o.Trusted, only: o.TrustedOnly})
	configure(srv, o)
	return jsonObjectOnly(srv)
}

// jsonObjectOnly refuses, with INVALID_REQUEST, a body that is not application/json or not
// a single JSON object of the GraphQL request's members (a batch of operations is an array).
// Its messages name what is wrong without echoing the body or the decoder's Go types.
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
		canonical, msg := canonicalParams(body)
		if msg != "" {
			refuse(http.StatusBadRequest, apperr.InvalidRequest, msg)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(canonical))
		next.ServeHTTP(w, r)
	})
}

// params are the members of a GraphQL request, as gqlgen's POST transport decodes them.
type params struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
	Extensions    map[string]any `json:"extensions"`
}

// canonicalParams decodes the body as gqlgen's POST transport would and re-encodes it, so
// that the transport's own decoding (whose message quotes the body and the Go types it
// decodes into) cannot fail; what is wrong is said here in the request's own terms.
func canonicalParams(body []byte) ([]byte, string) {
	var p params
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
	out, err := json.Marshal(p)
	if err != nil {
		return nil, "the body is not a valid GraphQL request object"
	}
	return out, ""
}

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
	x.Use(extension.FixedComplexityLimit(limits.MaxComplexity))
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
