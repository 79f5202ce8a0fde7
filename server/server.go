// Package server wires the HTTP routes: GraphQL, the legacy endpoint, health and readiness,
// each lookup wrapped in its deadline and given its own loaders.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql/playground"
	"gorm.io/gorm"

	"createinfo/graph"
	"createinfo/legacy"
	"createinfo/loaders"
)

// Options configure the routes.
type Options struct {
	DB         *gorm.DB
	MaxResults int
	LoaderWait time.Duration
	// CodeCacheTTL is how long code tables are cached in the process (0: not cached).
	CodeCacheTTL   time.Duration
	RequestTimeout time.Duration
	MaxBodyBytes   int64
	// Development serves GraphiQL at / and allows introspection.
	Development bool
	Log         *slog.Logger
}

// New returns the service's HTTP handler.
func New(o Options) http.Handler {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	gopts := graph.Options{DB: o.DB, MaxResults: o.MaxResults, Introspection: o.Development, Log: o.Log}
	schema := graph.NewSchema(gopts)
	gql := graph.NewHandler(schema, gopts)
	old := legacy.NewHandler(graph.NewExecutor(schema, gopts), o.MaxBodyBytes, o.Log)

	// lookup gives a request its log line, its deadline, its body limit and its own loaders.
	source := loaders.NewSource(o.DB, o.LoaderWait, o.CodeCacheTTL)
	lookup := func(way string, h http.Handler) http.Handler {
		h = source.Middleware(h)
		return logRequests(o.Log, way, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), o.RequestTimeout)
			defer cancel()
			r.Body = http.MaxBytesReader(w, r.Body, o.MaxBodyBytes)
			h.ServeHTTP(w, r.WithContext(ctx))
		}))
	}

	mux := http.NewServeMux()
	mux.Handle("POST /graphql", lookup("graphql", gql))
	mux.Handle(legacy.Path, lookup("legacy", old)) // every method: the endpoint answers METHOD_NOT_ALLOWED itself
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.Handle("GET /readyz", readiness(o.DB))
	if o.Development {
		mux.Handle("GET /{$}", playground.Handler("createinfo", "/graphql"))
	}
	return mux
}

// readiness answers 200 while the database answers a ping within a second, 503 otherwise.
func readiness(db *gorm.DB) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		ctx, cancel := context.WithTimeout(r.Context(), time.Second)
		defer cancel()
		sqlDB, err := db.DB()
		if err == nil {
			err = sqlDB.PingContext(ctx)
		}
		if err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("database unreachable\n"))
			return
		}
		w.Write([]byte("ready\n"))
	})
}
