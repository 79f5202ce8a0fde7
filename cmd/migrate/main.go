// Command migrate applies the service's own migrations: the audit schema, the service role and
// its grants. It touches nothing of the bank's account schema, which must exist already (the
// grants name it). Run it before a new version of the server, as a user that may create schemas
// and roles; the server itself never migrates.
//
//	DATABASE_URL=postgres://… migrate
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"

	"createinfo/internal/cli"
	"createinfo/internal/database"
)

func main() {
	cli.Parse(flag.NewFlagSet("migrate", flag.ContinueOnError),
		"usage: DATABASE_URL=postgres://… migrate\n\nApplies the service's own migrations (audit schema, service role, grants).", os.Args[1:])
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, log); err != nil {
		cli.Fail(log, "migrate failed", err)
	}
}

func run(ctx context.Context, log *slog.Logger) error {
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		return fmt.Errorf("DATABASE_URL is not set")
	}
	db, err := database.Open(ctx, url, database.Options{MaxOpenConns: 1, MaxIdleConns: 1, Logger: log})
	if err != nil {
		return err
	}
	sqlDB, _ := db.DB()
	defer sqlDB.Close()
	applied, version, err := database.Migrate(ctx, sqlDB)
	if err != nil {
		return err
	}
	if applied == 0 {
		log.Info("audit schema already up to date", "version", version)
	} else {
		log.Info("audit schema migrated", "applied", applied, "version", version)
	}
	return nil
}
