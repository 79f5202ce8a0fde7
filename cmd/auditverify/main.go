// Command auditverify walks the audit trail's hash chain and fails on the first row that was
// edited, removed or reordered.
package main

import (
	"context"
	"fmt"
	"os"

	"createinfo/internal/audit"
	"createinfo/internal/config"
	"createinfo/internal/database"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	db, err := database.Open(ctx, cfg.DatabaseURL, database.Options{MaxOpenConns: 1, MaxIdleConns: 1, ReadOnly: true})
	if err != nil {
		return err
	}
	sqlDB, _ := db.DB()
	defer sqlDB.Close()
	n, err := audit.Verify(ctx, sqlDB)
	if err != nil {
		return fmt.Errorf("audit chain broken after %d good rows: %w", n, err)
	}
	fmt.Printf("audit chain intact: %d rows\n", n)
	return nil
}
