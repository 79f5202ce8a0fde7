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
	"gorm.io/gorm"

	"createinfo/graph"
	"createinfo/internal/audit"
	"createinfo/internal/auth"
	"createinfo/internal/console"
	"createinfo/internal/legacy"
	"createinfo/loaders"
)

// Options configure the routes.
type Options struct {
	DB         *gorm.DB
	MaxResults int
	// TimeZone is the zone of the legacy date and time strings (nil: models.DefaultZone).
	TimeZone   *time.Location
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
	// TrustedDocumentsOnly makes /graphql run only the trusted documents: the console's and
	// the legacy one (TRUSTED_DOCUMENTS_ONLY).
	TrustedDocumentsOnly bool
	// Draining, once true, turns /readyz to 503 so that load balancers stop sending requests
	// while the server finishes those in flight (set on SIGTERM).
	Draining *atomic.Bool
}

// New returns the service's HTTP handler.
func New(o Options) http.Handler {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Auth == nil {
		o.Auth = auth.NewChecker(nil)
	}
	trusted := TrustedDocuments()
	gopts := graph.Options{DB: o.DB, MaxResults: o.MaxResults, Zone: o.TimeZone, Introspection: o.Development, Log: o.Log, Audit: o.Audit,
		Trusted: trusted, TrustedOnly: o.TrustedDocumentsOnly}
	schema := graph.NewSchema(gopts)
	gql := graph.NewHandler(schema, gopts)
	old := legacy.NewHandler(graph.NewExecutor(schema, gopts), o.MaxBodyBytes, o.Log)

	// lookup gives a request its log line, its authentication and audit record, its
	// deadline, its body limit and its own loaders.
	source := loaders.NewSource(o.DB, o.LoaderWait, o.CodeCacheTTL)
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
			reject(w, http.StatusServiceUnavailable, graph.CodeServiceUnavailable, "the service is busy; try again shortly")
		}
		unauthorized := func(w http.ResponseWriter, msg string) {
			reject(w, http.StatusUnauthorized, graph.CodeUnauthorized, msg)
		}
		return logRequests(o.Log, way, admit(o.MaxInFlight, o.QueueWait, busy,
			guard(o.Auth, o.Audit, way, o.Log, unauthorized, bounded)))
	}
	rejectGraphQL := graph.WriteError
	rejectLegacy := func(w http.ResponseWriter, _ int, code, msg string) { legacy.WriteError(w, code, msg) }

	mux := http.NewServeMux()
	mux.Handle("POST /graphql", noStore(lookup("graphql", rejectGraphQL, gql)))
	mux.HandleFunc("/graphql", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", http.MethodPost)
		graph.WriteError(w, http.StatusMethodNotAllowed, graph.CodeMethodNotAllowed, "use POST")
	})
	// Every method: the endpoint answers METHOD_NOT_ALLOWED itself.
	mux.Handle(legacy.Path, noStore(lookup("legacy", rejectLegacy, old)))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	if o.Draining == nil {
		o.Draining = new(atomic.Bool)
	}
	mux.Handle("GET /readyz", readiness(o.DB, o.Draining))
	consoleHandler, err := console.Handler(trusted)
	if err != nil {
		panic(err) // the embedded assets are broken: a build defect, caught by the tests
	}
	mux.Handle(console.Path, consoleHandler)
	if o.Development {
		mux.Handle("GET /{$}", playground.Handler("createinfo", "/graphql"))
	}
	return mux
}

// TrustedDocuments is the manifest of the documents the service trusts: the legacy
// endpoint's and the console's, each file's exact text by its SHA-256.
func TrustedDocuments() *graph.Manifest {
	m, err := graph.NewManifest(append([]string{legacy.Document()}, console.Documents()...)...)
	if err != nil {
		panic(err) // an embedded document is broken: a build defect, caught by the tests
	}
	return m
}

// readiness answers 200 while the database answers a ping within a second, 503 otherwise
// and while the server drains.
func readiness(db *gorm.DB, draining *atomic.Bool) http.Handler {
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
	})
}
