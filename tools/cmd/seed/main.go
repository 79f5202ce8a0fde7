// Command seed makes a database look like the bank's for the demo and the benchmarks: it
// creates the fixture of the bank's account schema when missing and loads data into it. It does
// not apply the service's own migrations (the audit schema): `migrate` does, after it.
//
//	seed -demo                          CONTRACT.md's demo dataset (idempotent)
//	seed -applications N [-rand-seed S]  the demo dataset plus N synthetic applications,
//	                                     bulk-loaded with COPY (nothing to do when exactly N
//	                                     are there; -reset empties the tables first)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"

	"github.com/jackc/pgx/v5/pgxpool"

	"createinfo/internal/cli"
	"createinfo/internal/config"
	"createinfo/internal/database"
	"createinfo/tools/demo"
	"createinfo/tools/synthetic"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], log); err != nil {
		cli.Fail(log, "seed failed", err)
	}
}

func run(ctx context.Context, args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	withDemo := fs.Bool("demo", false, "load the demo dataset of CONTRACT.md")
	apps := fs.Int("applications", 0, "also load this many synthetic applications")
	seed := fs.Uint64("rand-seed", 1, "seed of the synthetic data")
	reset := fs.Bool("reset", false, "empty the account tables before loading")
	cli.Parse(fs, "usage: DATABASE_URL=postgres://… seed -demo | -applications N [-rand-seed S] [-reset]\n\nLoads the demo dataset and/or synthetic applications into the bank's account schema.", args)
	if !*withDemo && *apps == 0 {
		return fmt.Errorf("nothing to load: pass -demo and/or -applications N")
	}
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	db, err := database.Open(ctx, cfg.DatabaseURL, database.Options{MaxOpenConns: 2, MaxIdleConns: 2, Logger: log})
	if err != nil {
		return err
	}
	sqlDB, _ := db.DB()
	defer sqlDB.Close()
	if err := demo.CreateSchema(ctx, sqlDB); err != nil {
		return err
	}

	var pool *pgxpool.Pool
	if *apps > 0 || *reset {
		if pool, err = pgxpool.New(ctx, cfg.DatabaseURL); err != nil {
			return fmt.Errorf("seed: connect: %w", err)
		}
		defer pool.Close()
	}
	if *reset {
		if err := synthetic.Reset(ctx, pool); err != nil {
			return fmt.Errorf("seed: reset: %w", err)
		}
		log.Info("account tables emptied")
	}
	if err := demo.Load(ctx, sqlDB); err != nil {
		return err
	}
	log.Info("demo data loaded")
	if *apps > 0 {
		err := synthetic.Load(ctx, pool, synthetic.Options{Applications: *apps, Seed: *seed, Progress: os.Stderr})
		if errors.Is(err, synthetic.ErrPartial) {
			return fmt.Errorf("%w: run again with -reset", err)
		}
		if err != nil {
			return err
		}
		log.Info("synthetic data loaded", "applications", *apps)
	}
	return nil
}
