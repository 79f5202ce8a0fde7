// Package server wires the HTTP routes: GraphQL, the legacy endpoint, health and readiness,
// each lookup wrapped in its deadline and given its own loaders.
package server

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"

	"createinfo/graph"
	"createinfo/internal/apperr"
	"createinfo/internal/audit"
	"createinfo/internal/auth"
	"createinfo/internal/console"
	"createinfo/internal/graphiql"
	"createinfo/internal/legacy"
	"createinfo/internal/metrics"
	"createinfo/internal/replica"
	"createinfo/internal/reqbody"
	"createinfo/internal/standby"
	"createinfo/internal/tracing"
	"createinfo/loaders"
	"createinfo/store"
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
	// BodyReadTimeout bounds the reading of a request body, which happens before the request
	// may take a lookup slot (0: only the server's ReadTimeout).
	BodyReadTimeout time.Duration
	// Development serves GraphiQL at / and allows introspection.
	Development bool
	Log         *slog.Logger
	// Auth checks the callers; nil or without keys: authentication off (development only).
	Auth *auth.Checker
	// Audit records every lookup; nil: not audited (tests of other concerns only).
	Audit *audit.Writer
	// RefusedPerClient is how many refused (unauthenticated) requests one client address may
	// have recorded one by one per RefusedWindow; the rest answer TOO_MANY_REQUESTS and are
	// counted in one aggregated audit row per address and window (0: no limit).
	RefusedPerClient int
	RefusedWindow    time.Duration
	// RefusedTotal bounds the refused requests recorded one by one per RefusedWindow across all
	// addresses; the rest are counted in one aggregated row per window (0: no bound).
	RefusedTotal int
	// TrustedProxies are the proxies whose X-Forwarded-For is believed (see clientAddr).
	TrustedProxies []netip.Prefix
	// MaxInFlight bounds the lookups running at once, both ways in together (0: no bound); one that cannot start
	// within QueueWait answers SERVICE_UNAVAILABLE.
	MaxInFlight int
	QueueWait   time.Duration
	// TrustedDocumentsOnly makes /graphql run only the trusted documents: the console's and
	// the legacy one (TRUSTED_DOCUMENTS_ONLY).
	TrustedDocumentsOnly bool
	// Metrics, when set, measures requests, loaders and the audit trail (internal/metrics).
	Metrics *metrics.Metrics
	// Tracer, when set, traces each request (internal/tracing) and the store's statements;
	// gorm's statements are traced by the plugin on DB (tracing.InstrumentDB).
	Tracer trace.TracerProvider
	// Replicas, when set, are the read replicas behind DB (registered on it for gorm's reads,
	// Set.Register): the store's reads go through them too; /readyz reports them.
	Replicas *replica.Set
	// Standby, when set, watches the primary's synchronous standbys: while it is not ready
	// (AUDIT_REQUIRE_SYNC_STANDBY and none confirms), lookups are refused and /readyz says why.
	Standby *standby.Watch
	// Console is how the console signs agents in (its Reveal is set here from Auth).
	Console console.Auth
	// RevealsPerHour caps each agent's revealApplication calls in the last hour (0: no cap).
	RevealsPerHour int
	// AgentLookupsPerHour and AgentCustomersPerHour are the insider-abuse thresholds: an agent
	// over one in the last hour is flagged (row, counter, WARN line), not stopped (0: off).
	AgentLookupsPerHour, AgentCustomersPerHour int
}

// Server is the service's HTTP handler and the background work its routes need (the refusal
// limiter's sweeps, the loaders' workers). New starts nothing: the owner of the process calls Start once it serves
// and Close after the HTTP server has shut down (cmd/server, in the README's shutdown order).
type Server struct {
	http.Handler
	lim      *limiter
	source   *loaders.Source // its workers run the priming walk's statements
	draining atomic.Bool
	stop     chan struct{}
	stopped  chan struct{}
	started  atomic.Bool
}

// Start starts the limiter's sweeps (every window, the aggregated rows of the windows that
// ended are written) and the loaders' workers (loaders.Workers goroutines that run the
// priming walk's concurrent statements on stacks already grown).
func (s *Server) Start() {
	if !s.started.CompareAndSwap(false, true) {
		return
	}
	s.source.Start()
	go func() {
		defer close(s.stopped)
		s.lim.run(s.stop)
	}()
}

// Close stops the sweeps, writes the aggregated rows of the windows still open and waits for
// them (and for every row the limiter started writing), then stops the loaders' workers. Call it after the HTTP server has
// shut down, before the audit writer closes.
func (s *Server) Close() {
	if s.started.CompareAndSwap(true, false) {
		close(s.stop)
		<-s.stopped
		s.source.Close()
		return
	}
	s.lim.finish() // never started: the rows of windows that rolled over during requests
}

// Drain turns /readyz to 503, so that load balancers stop sending requests while the server
// finishes those in flight (called on SIGTERM).
func (s *Server) Drain() { s.draining.Store(true) }

// New returns the service's HTTP handler; it starts no goroutine (see Server).
func New(o Options) *Server {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Auth == nil {
		o.Auth = auth.NewChecker(nil)
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = reqbody.DefaultMaxBytes
	}
	trusted := TrustedDocuments()
	o.Console.Reveal = o.Auth.Agents()
	var reads []store.Option
	if o.Replicas != nil {
		reads = append(reads, store.ReadFrom(o.Replicas))
	}
	if t := tracing.NewStatements(o.Tracer); t != nil { // tracing hook
		reads = append(reads, store.TraceWith(t))
	}
	st := store.New(o.DB, reads...) // the root lookup's and the loaders' reads
	gopts := graph.Options{Store: st, MaxResults: o.MaxResults, Zone: o.TimeZone, Introspection: o.Development, Log: o.Log, Audit: o.Audit,
		Trusted: trusted, TrustedOnly: o.TrustedDocumentsOnly, RevealsPerHour: o.RevealsPerHour,
		Thresholds: graph.Thresholds{LookupsPerHour: o.AgentLookupsPerHour, CustomersPerHour: o.AgentCustomersPerHour,
			Exceeded: o.Metrics.ThresholdExceeded}}
	if ext := tracing.NewExtension(o.Tracer); ext != nil { // observability hook
		gopts.Extensions = append(gopts.Extensions, ext)
	}
	schema := graph.NewSchema(gopts)
	gql := graph.NewHandler(schema, gopts)
	old := legacy.NewHandler(graph.NewExecutor(schema, gopts), o.Log)

	rc := audit.NewRecorder(o.Audit, o.Log) // every row of the guard and the limiter
	lim := newLimiter(o.RefusedPerClient, o.RefusedTotal, o.RefusedWindow, rc)
	s := &Server{lim: lim, stop: make(chan struct{}), stopped: make(chan struct{})}

	// lookup gives a request, in this order: its log line and request ids; its authentication
	// and audit record; its body, read whole under its own deadline; a lookup slot; its
	// deadline; its own loaders. A slow body therefore never holds a slot.
	source := loaders.NewSource(st, o.LoaderWait, o.CodeCacheTTL)
	s.source = source
	if o.Metrics != nil { // observability hooks
		source.Watch(o.Metrics)
	}
	if l := tracing.NewLoaders(o.Tracer); l != nil {
		source.Watch(l)
	}
	if o.Audit != nil && o.Metrics != nil {
		o.Audit.Watch(o.Metrics)
	}
	inFlight := newSlots(o.MaxInFlight) // one budget for both ways in
	lookup := func(way wayIn, h http.Handler) http.Handler {
		withLoaders := source.Middleware(h)
		bounded := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), o.RequestTimeout)
			defer cancel()
			withLoaders.ServeHTTP(w, r.WithContext(ctx))
		})
		busy := func(w http.ResponseWriter, r *http.Request) {
			o.Metrics.Refused(way.name) // metrics hook
			refuse(w, r, way, apperr.ServiceUnavailable, "the service is busy; try again shortly")
		}
		// Metrics hooks: the admission wait measured around admit, in-flight inside it.
		admitted := o.Metrics.Queued(inFlight.admit(o.QueueWait, busy, o.Metrics.Admitted(way.name, bounded)))
		body := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, bad := reqbody.Read(w, r, o.MaxBodyBytes, o.BodyReadTimeout)
			if bad != nil {
				refuse(w, r, way, bad.Code, bad.Message)
				return
			}
			if ok, _ := o.Standby.Ready(); !ok {
				refuse(w, r, way, apperr.ServiceUnavailable, "no synchronous standby confirms the audit trail; try again shortly")
				return
			}
			admitted.ServeHTTP(w, reqbody.With(r, b))
		})
		// Tracing hook: the request's span outside everything.
		return tracing.Handler(o.Tracer, route[way.name], logRequests(o.Log, way.name, o.Metrics, guard(o.Auth, rc, lim, o.TrustedProxies, way, body)))
	}
	// Another method than POST is answered METHOD_NOT_ALLOWED, authenticated and recorded.
	wrongMethod := func(way wayIn) http.Handler {
		return logRequests(o.Log, way.name, o.Metrics, guard(o.Auth, rc, lim, o.TrustedProxies, way,
			http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Allow", http.MethodPost)
				refuse(w, r, way, apperr.MethodNotAllowed, "use POST")
			})))
	}
	gqlWay := wayIn{name: "graphql", reject: graph.WriteError}
	legacyWay := wayIn{name: "legacy", reject: legacy.WriteError}

	mux := http.NewServeMux()
	mux.Handle("POST /graphql", lookup(gqlWay, gql))
	mux.Handle("/graphql", wrongMethod(gqlWay))
	mux.Handle("POST "+legacy.Path, lookup(legacyWay, old))
	mux.Handle(legacy.Path, wrongMethod(legacyWay))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.Handle("GET /readyz", readiness(readyTTL, readyChecks(o.DB, o.Audit, o.Standby), &s.draining, o.Replicas, o.Auth.Tokens()))
	consoleHandler, err := console.Handler(trusted, o.Console)
	if err != nil {
		panic(err) // the embedded assets are broken: a build defect, caught by the tests
	}
	mux.Handle(console.Path, consoleHandler)
	if o.Development {
		g := graphiql.Handler()
		mux.Handle("GET "+graphiql.Page+"{$}", g)
		mux.Handle("GET "+graphiql.Assets, g)
	}
	s.Handler = mux
	return s
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

// readyCheck is one condition of readiness: "" while it holds, else why not, a line of
// /readyz's 503. The conditions are a list so that each concern adds its own.
type readyCheck func(ctx context.Context) string

// readyChecks are the conditions of readiness: the primary answers a ping; the audit trail can
// be written (every lookup needs its row: without it each would be refused); a synchronous
// standby confirms the primary's commits when AUDIT_REQUIRE_SYNC_STANDBY asks for one.
func readyChecks(db *gorm.DB, w *audit.Writer, sync *standby.Watch) []readyCheck {
	checks := []readyCheck{func(ctx context.Context) string {
		sqlDB, err := db.DB()
		if err == nil {
			err = sqlDB.PingContext(ctx)
		}
		if err != nil {
			return "database unreachable"
		}
		return ""
	}}
	if w != nil {
		checks = append(checks, func(ctx context.Context) string {
			if w.Ready(ctx) != nil {
				return "audit trail not writable"
			}
			return ""
		})
	}
	return append(checks, func(context.Context) string {
		_, why := sync.Ready()
		return why
	})
}

// readyTTL is how long /readyz reuses its verdict. /readyz answers anyone (balancers do not
// authenticate), and a verdict pings the primary, locks the audit table through the audit
// pool and asks the identity provider for its keys: a flood of probes must cost one such round
// a second, not one per probe.
const readyTTL = time.Second

// readiness answers 200 while every check holds within a second, 503 with a line for each
// that does not otherwise, and 503 while the server drains. With tokens, a line also says
// whether the identity provider's keys can be fetched: while they cannot, the instance stays
// ready (tokens signed by the cached keys are still accepted, only a new key is refused). The
// verdict is made by one probe at a time and reused for ttl; draining and the replicas'
// rotation are read live (both are in memory).
func readiness(ttl time.Duration, checks []readyCheck, draining *atomic.Bool, replicas *replica.Set, tokens *auth.Verifier) http.Handler {
	var (
		mu     sync.Mutex
		at     time.Time
		status int
		body   []byte
	)
	verdict := func() (int, []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		var b bytes.Buffer
		for _, check := range checks {
			if why := check(ctx); why != "" {
				b.WriteString(why + "\n")
			}
		}
		if b.Len() > 0 {
			return http.StatusServiceUnavailable, b.Bytes()
		}
		b.WriteString("ready\n")
		if tokens != nil {
			if err := tokens.Reachable(ctx); err != nil {
				b.WriteString("identity provider: unreachable: tokens signed by cached keys are accepted, new keys are refused\n")
			} else {
				b.WriteString("identity provider: ok\n")
			}
		}
		return http.StatusOK, b.Bytes()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if draining.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("shutting down\n"))
			return
		}
		mu.Lock()
		if body == nil || time.Since(at) >= ttl {
			status, body = verdict()
			at = time.Now()
		}
		st, b := status, body
		mu.Unlock()
		w.WriteHeader(st)
		w.Write(b)
		if st == http.StatusOK && replicas != nil { // per database: the primary answered; each replica's rotation
			w.Write([]byte("primary: ok\n"))
			replicas.Status(w)
		}
	})
}
