// Command seed applies the schema migrations and loads data: -demo loads CONTRACT.md's demo
// dataset (idempotent).
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"createinfo/config"
	"createinfo/database"
	"createinfo/demo"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(context.Background(), os.Args[1:], log); err != nil {
		log.Error("seed failed", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	withDemo := fs.Bool("demo", false, "load the demo dataset of CONTRACT.md")
	if err := fs.Parse(args); err != nil {
		return err
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

	if err := database.Migrate(ctx, sqlDB); err != nil {
		return err
	}
	log.Info("schema up to date")
	if *withDemo {
		if err := demo.Load(ctx, sqlDB); err != nil {
			return err
		}
		log.Info("demo data loaded")
	}
	if !*withDemo {
		fmt.Fprintln(os.Stderr, "nothing to load: pass -demo for the demo dataset")
	}
	return nil
}
