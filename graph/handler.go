package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"

	"createinfo/internal/audit"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"gorm.io/gorm"
)

// Options configure the GraphQL layer.
type Options struct {
	DB         *gorm.DB
	MaxResults int
	// Introspection allows schema introspection (development only).
	Introspection bool
	Log           *slog.Logger
	// Audit, when set, records every lookup and withholds responses it cannot record.
	Audit *audit.Writer
	// Extensions are added to both ways in (tracing).
	Extensions []graphql.HandlerExtension
}

// NewSchema returns the executable schema over the database.
func NewSchema(o Options) graphql.ExecutableSchema {
	return NewExecutableSchema(Config{
		Resolvers:  &Resolver{DB: o.DB, MaxResults: o.MaxResults, Audit: o.Audit},
		Complexity: complexity(),
	})
}

// NewHandler serves GraphQL over POST with a single JSON object body only: no GET,
// websocket, multipart, urlencoded, batched operations or persisted queries (gqlgen's
// NewDefaultServer enables most of them).
func NewHandler(es graphql.ExecutableSchema, o Options) http.Handler {
	srv := handler.New(es)
	srv.AddTransport(transport.POST{})
	configure(srv, o)
	return jsonObjectOnly(srv)
}

// jsonObjectOnly refuses, with INVALID_REQUEST, a body that is not application/json or not
// a single JSON object (a batch of operations is an array).
func jsonObjectOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if mt != "application/json" {
			WriteError(w, http.StatusUnsupportedMediaType, CodeInvalidRequest, "send the query as Content-Type: application/json")
			return
		}
		body, err := io.ReadAll(r.Body)
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			WriteError(w, http.StatusRequestEntityTooLarge, CodePayloadTooLarge, "the request body is larger than the limit")
			return
		case err != nil:
			WriteError(w, http.StatusBadRequest, CodeInvalidRequest, "the request body could not be read")
			return
		}
		if trimmed := bytes.TrimLeft(body, " \t\r\n"); len(trimmed) == 0 || trimmed[0] != '{' {
			WriteError(w, http.StatusBadRequest, CodeInvalidRequest, "the body must be one JSON object {\"query\": …}; batches are not accepted")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
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
	limits := DefaultLimits
	x.SetParserTokenLimit(limits.MaxTokens)
	x.Use(shapeLimit{limits})
	x.Use(extension.FixedComplexityLimit(limits.MaxComplexity))
	if o.Introspection {
		x.Use(extension.Introspection{})
	}
	for _, e := range o.Extensions { // observability hook (internal/tracing)
		x.Use(e)
	}
	if o.Audit != nil {
		x.Use(audit.Extension{W: o.Audit, Log: log})
	}
}

// WriteError answers a request refused before GraphQL runs (authentication) with a GraphQL
// error body carrying code.
func WriteError(w http.ResponseWriter, status int, code, message string) {
	body, _ := json.Marshal(map[string]any{
		"errors": []map[string]any{{"message": message, "extensions": map[string]any{"code": code}}},
		"data":   nil,
	})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(body)
}
