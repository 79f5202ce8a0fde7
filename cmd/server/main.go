// Command server serves the createinfo lookup: GraphQL at /graphql, the legacy GetCreateInfo
// endpoint, /healthz and /readyz. Configuration comes from the environment (see README).
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"
	_ "time/tzdata" // the container image has no zoneinfo of its own

	"createinfo/internal/audit"
	"createinfo/internal/auth"
	"createinfo/internal/cli"
	"createinfo/internal/config"
	"createinfo/internal/console"
	"createinfo/internal/database"
	"createinfo/internal/server"
	"createinfo/internal/standby"
)

func main() {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	readyFile := fs.String("ready-file", "", "once LISTEN_ADDR is bound, write the bound address to this `file` (make run waits for it)")
	cli.Parse(fs, "usage: DATABASE_URL=postgres://… server [-ready-file path]\n\n"+
		"Serves the createinfo lookup; every other setting comes from the environment (see README, Configuration).", os.Args[1:])
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(context.Background(), log, *readyFile); err != nil {
		cli.Fail(log, "server stopped", err)
	}
}

// tuneGC sets the collector's pace and soft memory limit from the configuration (they
// override the GOGC and GOMEMLIMIT environment variables of the Go runtime).
func tuneGC(cfg config.Config) {
	debug.SetGCPercent(cfg.GCPercent)
	debug.SetMemoryLimit(cfg.MemoryLimit)
}

// run serves until ctx ends or a signal comes. readyFile, when set, receives the bound
// address once the listener is open: whoever started the process learns that it serves
// without probing the port (and without mistaking another process on it for this one).
func run(ctx context.Context, log *slog.Logger, readyFile string) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	if cfg.Production() {
		log = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	tuneGC(cfg)

	db, err := database.Open(ctx, cfg.DatabaseURL, lookupPool(cfg, log))
	if err != nil {
		return err
	}
	sqlDB, _ := db.DB()
	defer sqlDB.Close()
	// The audit trail, the one thing the service writes, has a small pool of its own.
	auditDB, err := database.Open(ctx, cfg.DatabaseURL, database.Options{
		MaxOpenConns: 4, MaxIdleConns: 4, ConnMaxLifetime: cfg.DBConnMaxLifetime,
		StatementTimeout: cfg.StatementTimeout, Role: cfg.DBRole, Logger: log,
	})
	if err != nil {
		return err
	}
	auditSQL, _ := auditDB.DB()
	defer auditSQL.Close()
	if cfg.Production() {
		if err := database.CheckLeastPrivilege(ctx, auditSQL); err != nil {
			return err
		}
	}
	if string(cfg.AuditChainKey) == config.DevelopmentChainKey {
		log.Warn("AUDIT_CHAIN_KEY is not set: the audit chain uses the published development key (development only)")
	}
	hmacKey := cfg.AuditHMACKey
	if hmacKey == nil {
		hmacKey = make([]byte, 32)
		rand.Read(hmacKey)
		log.Warn("AUDIT_HMAC_KEY is not set: audit HMACs use a random key that dies with the process (development only)")
	}
	o, err := observe(ctx, cfg, db, auditSQL, log)
	if err != nil {
		return err
	}
	defer o.close()
	checker := auth.NewChecker(cfg.APIKeys)
	if cfg.OIDC.Issuer != "" {
		v, err := auth.NewVerifier(ctx, cfg.OIDC)
		if err != nil {
			return err
		}
		checker.WithTokens(v)
	}
	if !checker.Enabled() {
		// The demo's caller is an agent, so that masking and revealApplication show.
		checker.OpenAs(auth.DevIdentity)
		log.Warn("AUTHENTICATION IS OFF: neither OIDC_ISSUER nor API_KEYS configured; every caller is agent dev with role agent (development only)")
	}

	if cfg.Production() && !cfg.TrustedDocumentsOnly {
		log.Warn("TRUSTED_DOCUMENTS_ONLY=false in production: /graphql runs any document a caller sends")
	}

	auditW := audit.NewWriter(auditSQL, audit.Options{HMACKey: hmacKey, ChainKey: cfg.AuditChainKey,
		CheckpointEvery: cfg.AuditCheckpointEvery, SynchronousCommit: cfg.AuditSynchronousCommit, Log: log})
	// What protects an acknowledged row from a failover: logged at the first check.
	syncWatch := standby.New(auditSQL, cfg.AuditSynchronousCommit, cfg.AuditRequireSyncStandby, log, o.metrics)
	service := server.New(server.Options{
		DB:               db,
		MaxResults:       cfg.MaxResults,
		TimeZone:         cfg.TimeZone,
		LoaderWait:       cfg.LoaderWait,
		CodeCacheTTL:     cfg.CodeCacheTTL,
		RequestTimeout:   cfg.RequestTimeout,
		MaxBodyBytes:     cfg.MaxBodyBytes,
		BodyReadTimeout:  cfg.BodyReadTimeout,
		MaxInFlight:      cfg.MaxInFlight,
		QueueWait:        cfg.QueueWait,
		Development:      !cfg.Production(),
		Log:              log,
		Auth:             checker,
		Audit:            auditW,
		RefusedPerClient: cfg.RefusedPerClient,
		RefusedWindow:    cfg.RefusedWindow,
		RefusedTotal:     cfg.RefusedTotal,
		TrustedProxies:   cfg.TrustedProxies,

		TrustedDocumentsOnly: cfg.TrustedDocumentsOnly,
		Metrics:              o.metrics,
		Tracer:               o.tracer,
		Replicas:             o.replicas,
		Standby:              syncWatch,
		RevealsPerHour:       cfg.RevealsPerHour,
		Console:              console.Auth{Issuer: cfg.OIDC.Issuer, ClientID: cfg.ConsoleClientID, Audience: cfg.OIDC.Audience},

		AgentLookupsPerHour:   cfg.AgentLookupsPerHour,
		AgentCustomersPerHour: cfg.AgentCustomersPerHour,
	})

	// The background work, started here and stopped in reverse (the deferred calls are only for
	// an early return; the end of run stops each in the README's order): the standby watch, the
	// audit writer, the limiter's sweeps. The replica checks run from observe (o.close).
	watchCtx, stopWatch := context.WithCancel(context.Background())
	watched := make(chan struct{})
	go func() { defer close(watched); syncWatch.Run(watchCtx) }()
	defer func() { stopWatch(); <-watched }()
	auditW.Start()
	defer auditW.Close()
	service.Start()
	defer service.Close()

	srv := &http.Server{
		Addr:              cfg.ListenAddr,
		Handler:           service,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      cfg.RequestTimeout + 5*time.Second,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	server.Harden(srv)
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen on LISTEN_ADDR=%s: %w", cfg.ListenAddr, err)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(server.Listen(ln)) }()
	if cfg.DebugAddr != "" {
		debug := &http.Server{Addr: cfg.DebugAddr, Handler: server.Debug(), ReadHeaderTimeout: 5 * time.Second}
		go debug.ListenAndServe()
		defer debug.Close()
		log.Info("serving pprof", "addr", cfg.DebugAddr)
	}
	if o.metrics != nil {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", o.metrics.Handler())
		ms := &http.Server{Addr: cfg.MetricsAddr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		server.Harden(ms)
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("metrics listener: %w", err)
		}
		go func() {
			if err := ms.Serve(server.Listen(mln)); err != nil && !errors.Is(err, http.ErrServerClosed) {
				select {
				case errc <- fmt.Errorf("metrics listener: %w", err):
				default:
				}
			}
		}()
		defer ms.Close()
		log.Info("serving metrics", "addr", cfg.MetricsAddr)
	}
	log.Info("serving", "addr", ln.Addr().String(), "env", cfg.Env)
	if readyFile != "" {
		if err := os.WriteFile(readyFile, []byte(ln.Addr().String()+"\n"), 0o644); err != nil {
			return fmt.Errorf("ready file: %w", err)
		}
		defer os.Remove(readyFile)
	}

	select {
	case err := <-errc:
		return fmt.Errorf("listen: %w", err)
	case <-ctx.Done():
	}
	// The shutdown order: readiness goes 503 first, then in-flight requests finish, then the
	// limiter writes its open windows' rows, then the audit writer writes what is queued and
	// logs the last checkpoint; then (deferred) the debug and metrics listeners, the standby
	// watch, the replica checks and tracing stop and the pools close.
	service.Drain()
	log.Info("shutting down", "drain_delay", cfg.DrainDelay, "timeout", cfg.ShutdownTimeout)
	time.Sleep(cfg.DrainDelay)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	service.Close()
	auditW.Close()
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// lookupPool is how every pool the lookups read through is set up, the primary's and each
// replica's alike: read-only, generic plans (see database.Options).
func lookupPool(cfg config.Config, log *slog.Logger) database.Options {
	return database.Options{
		MaxOpenConns:     cfg.DBMaxOpenConns,
		MaxIdleConns:     cfg.DBMaxIdleConns,
		ConnMaxLifetime:  cfg.DBConnMaxLifetime,
		StatementTimeout: cfg.StatementTimeout,
		Role:             cfg.DBRole,
		ReadOnly:         true,
		GenericPlans:     true,
		Logger:           log,
	}
}
