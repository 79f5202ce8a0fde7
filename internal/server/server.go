// Package server wires the HTTP routes: GraphQL, the legacy endpoint, health and readiness,
// each lookup wrapped in its deadline and given its own loaders.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql/playground"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"

	"createinfo/graph"
	"createinfo/internal/audit"
	"createinfo/internal/auth"
	"createinfo/internal/legacy"
	"createinfo/internal/metrics"
	"createinfo/internal/replica"
	"createinfo/internal/tracing"
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
	// Auth checks the callers; nil or without keys: authentication off (development only).
	Auth *auth.Checker
	// Audit records every lookup; nil: not audited (tests of other concerns only).
	Audit *audit.Writer
	// MaxInFlight bounds the lookups running at once (0: no bound); one that cannot start
	// within QueueWait answers SERVICE_UNAVAILABLE.
	MaxInFlight int
	QueueWait   time.Duration
	// Draining, once true, turns /readyz to 503 so that load balancers stop sending requests
	// while the server finishes those in flight (set on SIGTERM).
	Draining *atomic.Bool
	// Metrics, when set, measures requests, loaders and the audit trail (internal/metrics).
	Metrics *metrics.Metrics
	// Tracer, when set, traces each request (internal/tracing); the database's statements
	// are traced by the plugin on DB (tracing.InstrumentDB).
	Tracer trace.TracerProvider
	// Replicas, when set, are the read replicas behind DB, reported by /readyz.
	Replicas *replica.Set
}

// New returns the service's HTTP handler.
func New(o Options) http.Handler {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Auth == nil {
		o.Auth = auth.NewChecker(nil)
	}
	gopts := graph.Options{DB: o.DB, MaxResults: o.MaxResults, Introspection: o.Development, Log: o.Log, Audit: o.Audit}
	if ext := tracing.NewExtension(o.Tracer); ext != nil { // observability hook
		gopts.Extensions = append(gopts.Extensions, ext)
	}
	schema := graph.NewSchema(gopts)
	gql := graph.NewHandler(schema, gopts)
	old := legacy.NewHandler(graph.NewExecutor(schema, gopts), o.MaxBodyBytes, o.Log)

	// lookup gives a request its log line, its authentication and audit record, its
	// deadline, its body limit and its own loaders.
	source := loaders.NewSource(o.DB, o.LoaderWait, o.CodeCacheTTL)
	if o.Metrics != nil { // observability hooks
		source.Watch(o.Metrics)
	}
	if l := tracing.NewLoaders(o.Tracer); l != nil {
		source.Watch(l)
	}
	if o.Audit != nil && o.Metrics != nil {
		o.Audit.Watch(o.Metrics)
	}
	lookup := func(way string, reject func(http.ResponseWriter, int, string, string), h http.Handler) http.Handler {
		withLoaders := source.Middleware(h)
		bounded := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), o.RequestTimeout)
			defer cancel()
			r.Body = http.MaxBytesReader(w, r.Body, o.MaxBodyBytes)
			withLoaders.ServeHTTP(w, r.WithContext(ctx))
		})
		busy := func(w http.ResponseWriter, r *http.Request) {
			infoFrom(r.Context()).outcome = graph.CodeServiceUnavailable
			o.Metrics.Refused(way) // metrics hook
			reject(w, http.StatusServiceUnavailable, graph.CodeServiceUnavailable, "the service is busy; try again shortly")
		}
		unauthorized := func(w http.ResponseWriter, msg string) {
			reject(w, http.StatusUnauthorized, graph.CodeUnauthorized, msg)
		}
		// Observability hooks: the trace span outside everything, the request metrics in
		// logRequests, the admission wait measured around admit.
		return tracing.Handler(o.Tracer, route[way], logRequests(o.Log, way, o.Metrics, o.Metrics.Queued(admit(o.MaxInFlight, o.QueueWait, busy,
			o.Metrics.Admitted(way, guard(o.Auth, o.Audit, way, o.Log, unauthorized, bounded))))))
	}
	rejectGraphQL := graph.WriteError
	rejectLegacy := func(w http.ResponseWriter, _ int, code, msg string) { legacy.WriteError(w, code, msg) }

	mux := http.NewServeMux()
	mux.Handle("POST /graphql", lookup("graphql", rejectGraphQL, gql))
	mux.HandleFunc("/graphql", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", http.MethodPost)
		graph.WriteError(w, http.StatusMethodNotAllowed, graph.CodeMethodNotAllowed, "use POST")
	})
	// Every method: the endpoint answers METHOD_NOT_ALLOWED itself.
	mux.Handle(legacy.Path, lookup("legacy", rejectLegacy, old))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	if o.Draining == nil {
		o.Draining = new(atomic.Bool)
	}
	mux.Handle("GET /readyz", readiness(o.DB, o.Draining, o.Replicas))
	if o.Development {
		mux.Handle("GET /{$}", playground.Handler("createinfo", "/graphql"))
	}
	return mux
}

// readiness answers 200 while the database answers a ping within a second, 503 otherwise
// and while the server drains.
func readiness(db *gorm.DB, draining *atomic.Bool, replicas *replica.Set) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if draining.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("shutting down\n"))
			return
		}
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
		if replicas != nil { // per database: the primary answered; each replica's rotation
			w.Write([]byte("primary: ok\n"))
			replicas.Status(w)
		}
	})
}
