// Command bench measures the service against the floor on a seeded database and writes the
// table to docs/BENCHMARKS.md. `make bench` builds, seeds and runs it:
//
//	bench -server bin/server [-duration 10s] [-phones 5000] [-out docs/BENCHMARKS.md]
//
// With -serve-floor ADDR it only serves the floor handler (the benchmark starts itself that
// way, so the floor runs in a process of its own, like the service).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"createinfo/internal/auth"
	"createinfo/internal/cli"
	"createinfo/internal/config"
	"createinfo/tools/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		cli.Fail(slog.Default(), "bench failed", err)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	serverBin := fs.String("server", "bin/server", "the service binary")
	duration := fs.Duration("duration", 10*time.Second, "measured time per scenario and concurrency")
	phones := fs.Int("phones", 5000, "distinct phones to rotate over")
	out := fs.String("out", "docs/BENCHMARKS.md", "file whose generated section is rewritten")
	floorAddr := fs.String("serve-floor", "", "only serve the floor handler on this address")
	obsRounds := fs.Int("observability", 0, "instead: measure the cost of metrics and tracing in this many interleaved rounds")
	syncRounds := fs.Int("sync-commit", 0, "instead: measure the cost of synchronous audit commits in this many interleaved rounds (needs a streaming standby: scripts/localdb.sh standby)")
	cli.Parse(fs, "usage: DATABASE_URL=postgres://… bench [flags]\n\nMeasures the service and rewrites the generated section of docs/BENCHMARKS.md.", args)
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	pool, err := pgxpool.New(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()

	if *floorAddr != "" {
		srv := &http.Server{Addr: *floorAddr, Handler: bench.FloorHandler(pool)}
		go func() { <-ctx.Done(); srv.Close() }()
		if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}

	const serviceAddr, debugAddr, floorListen = "127.0.0.1:18080", "127.0.0.1:18081", "127.0.0.1:18090"
	// Production mode: authenticated and audited, as the call centre would run it.
	secret, entry, err := auth.NewKey("bench")
	if err != nil {
		return err
	}
	// Production refuses a superuser: the service logs in as a role that holds only the
	// service role's grants, as the README's "Database login" says.
	serviceURL, err := serviceLogin(ctx, pool, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	// One chain key for every run on the benchmark's database: under a new key each run, the
	// writer would find a head it cannot verify and rightly record a break in the trail.
	const chainKey = "createinfo benchmark chain key: synthetic data only"
	settings := []string{"APP_ENV=production", "LISTEN_ADDR=" + serviceAddr, "DEBUG_ADDR=" + debugAddr,
		"API_KEYS=" + entry, "AUDIT_HMAC_KEY=" + secret, "AUDIT_CHAIN_KEY=" + chainKey, "DATABASE_URL=" + serviceURL}
	headers := http.Header{"Authorization": {"Bearer " + secret}, "X-Agent-Id": {"bench"}}
	if *syncRounds > 0 {
		return syncCommit(ctx, pool, cfg, *serverBin, *duration, *phones, *syncRounds, *out, settings[:1], settings[3:], headers)
	}
	if *obsRounds > 0 {
		return observability(ctx, pool, cfg, *serverBin, *duration, *phones, *obsRounds, *out, settings[:1], settings[3:], headers)
	}
	service, err := bench.Start(*serverBin, nil, settings, "http://"+serviceAddr+"/healthz", os.Stderr)
	if err != nil {
		return err
	}
	defer service.Stop()
	self, _ := os.Executable()
	floor, err := bench.Start(self, []string{"-serve-floor", floorListen}, nil, "http://"+floorListen+"/", os.Stderr)
	if err != nil {
		return err
	}
	defer floor.Stop()

	env := environment(ctx, pool, cfg, "make bench", settings[:1], *duration)
	durability, err := bench.Durability(ctx, pool)
	if err != nil {
		return err
	}

	rep, err := bench.Run(ctx, bench.Config{
		ServiceURL: "http://" + serviceAddr, FloorURL: "http://" + floorListen, DebugURL: "http://" + debugAddr,
		Service: service, Floor: floor, Pool: pool, Duration: *duration, Concurrency: []int{1, 16, 64}, Phones: *phones,
		Headers: headers,
	}, os.Stdout)
	if err != nil {
		return err
	}
	env.Durability = durability
	section := rep.Markdown(env)
	fmt.Print(section)
	return bench.WriteSection(*out, section)
}

// benchLogin is the login role the benchmarked service connects as.
const benchLogin = "createinfo_bench_app"

// serviceLogin makes sure benchLogin exists with exactly the service role's grants and returns
// dbURL with it as the user.
func serviceLogin(ctx context.Context, pool *pgxpool.Pool, dbURL string) (string, error) {
	_, err := pool.Exec(ctx, `DO $$ BEGIN
		CREATE ROLE `+benchLogin+` LOGIN;
	EXCEPTION WHEN duplicate_object THEN NULL;
	END $$`)
	if err == nil {
		_, err = pool.Exec(ctx, `GRANT createinfo_service TO `+benchLogin)
	}
	if err != nil {
		return "", fmt.Errorf("bench: service login role: %w", err)
	}
	u, err := url.Parse(dbURL)
	if err != nil || u.Scheme == "" {
		return "", fmt.Errorf("bench: DATABASE_URL must be a postgres:// URL")
	}
	u.User = url.User(benchLogin)
	return u.String(), nil
}

// observability measures the legacy full tree with metrics and tracing off, with metrics on,
// and with metrics and tracing on (exporter none), three servers side by side, in interleaved
// rounds, and writes the observability section of docs/BENCHMARKS.md.
func observability(ctx context.Context, pool *pgxpool.Pool, cfg config.Config, serverBin string, duration time.Duration,
	phones, rounds int, out string, mode, keys []string, headers http.Header) error {
	variants := []bench.Variant{
		{Name: "off (no METRICS_ADDR, OTEL_SDK_DISABLED=true)", Env: []string{"OTEL_SDK_DISABLED=true"}},
		{Name: "metrics on, tracing off", Env: []string{"OTEL_SDK_DISABLED=true", "METRICS_ADDR=127.0.0.1:18191"},
			MetricsURL: "http://127.0.0.1:18191/metrics"},
		{Name: "metrics on, tracing on (OTEL_TRACES_EXPORTER=none)", Env: []string{"METRICS_ADDR=127.0.0.1:18192", "OTEL_TRACES_EXPORTER=none"},
			MetricsURL: "http://127.0.0.1:18192/metrics"},
	}
	for i := range variants {
		addr := fmt.Sprintf("127.0.0.1:%d", 18180+i)
		v := &variants[i]
		v.URL = "http://" + addr
		env := append(append(append([]string{}, mode...), keys...), "LISTEN_ADDR="+addr)
		env = append(env, v.Env...)
		p, err := bench.Start(serverBin, nil, env, v.URL+"/healthz", os.Stderr)
		if err != nil {
			return err
		}
		defer p.Stop()
		v.Process = p
	}
	const clients = 16
	results, err := bench.Observability(ctx, bench.Config{Pool: pool, Duration: duration, Phones: phones, Headers: headers},
		variants, rounds, clients, os.Stdout)
	if err != nil {
		return err
	}
	section := bench.ObservabilityMarkdown(results, environment(ctx, pool, cfg, fmt.Sprintf("bench -observability %d -duration %v", rounds, duration), mode, duration), clients)
	fmt.Print(section)
	return bench.WriteObservabilitySection(out, section)
}

// syncCommit measures the legacy full tree under each AUDIT_SYNCHRONOUS_COMMIT level with a
// synchronous standby named on the primary for the run (synchronous_standby_names = 'ANY 1
// (*)', reset afterwards): local does not wait for the standby, on and remote_apply do. One
// server per level, side by side, in interleaved rounds at 1 client and at 16, and writes the
// synchronous-commit section of docs/BENCHMARKS.md.
func syncCommit(ctx context.Context, pool *pgxpool.Pool, cfg config.Config, serverBin string, duration time.Duration,
	phones, rounds int, out string, mode, keys []string, headers http.Header) error {
	var standby string
	if err := pool.QueryRow(ctx, `SELECT coalesce(max(client_addr::text || ' (' || application_name || ')'), '')
		FROM pg_stat_replication WHERE state = 'streaming'`).Scan(&standby); err != nil || standby == "" {
		return fmt.Errorf("bench: -sync-commit needs a streaming standby of this server (scripts/localdb.sh standby): %v", err)
	}
	set := func(names string) error {
		if _, err := pool.Exec(ctx, `ALTER SYSTEM SET synchronous_standby_names = '`+names+`'`); err != nil {
			return fmt.Errorf("bench: synchronous_standby_names: %w", err)
		}
		_, err := pool.Exec(ctx, `SELECT pg_reload_conf()`)
		return err
	}
	if err := set("ANY 1 (*)"); err != nil {
		return err
	}
	defer set("")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var n int
		pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_replication WHERE sync_state IN ('sync', 'quorum')`).Scan(&n)
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("bench: the standby does not become synchronous")
		}
	}
	levels := []string{"local", "on", "remote_apply"}
	var variants []bench.Variant
	for i, level := range levels {
		addr, metricsAddr := fmt.Sprintf("127.0.0.1:%d", 18280+i), fmt.Sprintf("127.0.0.1:%d", 18290+i)
		v := bench.Variant{Name: level, URL: "http://" + addr, MetricsURL: "http://" + metricsAddr + "/metrics"}
		env := append(append(append([]string{}, mode...), keys...), "LISTEN_ADDR="+addr, "METRICS_ADDR="+metricsAddr,
			"AUDIT_SYNCHRONOUS_COMMIT="+level)
		p, err := bench.Start(serverBin, nil, env, v.URL+"/healthz", os.Stderr)
		if err != nil {
			return err
		}
		defer p.Stop()
		v.Process = p
		variants = append(variants, v)
	}
	c := bench.Config{Pool: pool, Duration: duration, Phones: phones, Headers: headers}
	one, err := bench.Observability(ctx, c, variants, rounds, 1, os.Stdout)
	if err != nil {
		return err
	}
	sixteen, err := bench.Observability(ctx, c, variants, rounds, 16, os.Stdout)
	if err != nil {
		return err
	}
	var results []bench.SyncCommitResult
	for i := range levels {
		tx, err := bench.MeanAuditTx(variants[i].MetricsURL)
		if err != nil {
			return err
		}
		results = append(results, bench.SyncCommitResult{One: one[i], Sixteen: sixteen[i], AuditTx: tx})
	}
	section := bench.SyncCommitMarkdown(results, environment(ctx, pool, cfg, fmt.Sprintf("bench -sync-commit %d -duration %v", rounds, duration), mode, duration), standby)
	fmt.Print(section)
	return bench.WriteSyncCommitSection(out, section)
}

// environment is what a report says of the run: PostgreSQL's version, the data, the service's
// settings (mode: the settings that differ from the README's defaults).
func environment(ctx context.Context, pool *pgxpool.Pool, cfg config.Config, command string, mode []string, duration time.Duration) bench.Environment {
	var pgVersion string
	var apps int
	pool.QueryRow(ctx, `SELECT split_part(version(), ' on ', 1)`).Scan(&pgVersion)
	pool.QueryRow(ctx, `SELECT count(*) FROM account.create_master`).Scan(&apps)
	return bench.Environment{
		Command:  command,
		Postgres: pgVersion,
		Dataset:  fmt.Sprintf("%d applications (synthetic, `seed -applications N`, plus the demo set)", apps),
		Settings: fmt.Sprintf("defaults of the README (DB_MAX_OPEN_CONNS %d, CODE_CACHE_TTL %v), %s, API keys and the audit trail on (one audit row per lookup)",
			cfg.DBMaxOpenConns, cfg.CodeCacheTTL, strings.Join(mode, " ")),
		Duration: duration,
	}
}
