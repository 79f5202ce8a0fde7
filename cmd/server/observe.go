package main

import (
	"context"
	"database/sql"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"

	"createinfo/internal/config"
	"createinfo/internal/database"
	"createinfo/internal/metrics"
	"createinfo/internal/replica"
	"createinfo/internal/tracing"
)

// observability is what the server runs besides its routes: metrics, traces, read replicas.
type observability struct {
	metrics  *metrics.Metrics // nil without METRICS_ADDR
	tracer   trace.TracerProvider
	replicas *replica.Set // nil without DATABASE_REPLICA_URLS
	close    func()
}

// observe sets up tracing (OTEL_*), metrics (METRICS_ADDR) and the read replicas
// (DATABASE_REPLICA_URLS) around the lookup pool db and the audit pool.
func observe(ctx context.Context, cfg config.Config, db *gorm.DB, auditSQL *sql.DB, log *slog.Logger) (*observability, error) {
	o := &observability{}
	var closers []func()
	o.close = func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	tp, shutdown, err := tracing.Setup(ctx)
	if err != nil {
		return nil, err
	}
	o.tracer = tp
	closers = append(closers, func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		shutdown(sctx) // flushes the spans still queued
	})
	sqlDB, _ := db.DB()
	if cfg.MetricsAddr != "" {
		o.metrics = metrics.New()
		o.metrics.WatchPool(sqlDB, "lookup")
		o.metrics.WatchPool(auditSQL, "audit")
	}
	if len(cfg.ReplicaURLs) > 0 {
		pools := map[string]*sql.DB{}
		var names []string
		for _, u := range cfg.ReplicaURLs {
			pool, err := database.NewPool(u, lookupPool(cfg, log))
			if err != nil {
				o.close()
				return nil, err
			}
			name := replica.HostPort(u)
			pools[name] = pool
			names = append(names, name)
			closers = append(closers, func() { pool.Close() })
			o.metrics.WatchPool(pool, "replica "+name)
		}
		var obs replica.Observer
		if o.metrics != nil {
			obs = o.metrics
		}
		o.replicas = replica.New(sqlDB, pools, names, cfg.ReplicaMaxLag, cfg.ReplicaCheckInterval, log, obs)
		if err := o.replicas.Register(db); err != nil {
			o.close()
			return nil, err
		}
		rctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); o.replicas.Run(rctx) }()
		closers = append(closers, func() { cancel(); <-done })
		log.Info("reading from replicas", "replicas", names, "max_lag", cfg.ReplicaMaxLag)
	}
	if err := tracing.InstrumentDB(db, tp); err != nil {
		o.close()
		return nil, err
	}
	return o, nil
}
