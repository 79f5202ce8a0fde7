// Package demo prepares a database the way the demo, the tests and the benchmarks expect it:
// the bank's account schema (account.sql, a fixture: the service reads those tables but does
// not own or migrate them), the service's own migrations, and the demo dataset of CONTRACT.md
// (demo.sql): the seed's sample application and the applications around it.
package demo

import (
	"context"
	"database/sql"
	_ "embed"
	"fmt"

	"createinfo/internal/database"
)

var (
	//go:embed account.sql
	accountSchema string
	//go:embed demo.sql
	script string
)

// Prepare creates the bank's schema when it is missing, applies the service's migrations and
// loads the demo dataset: what a test database or `make run` needs, in the order the service's
// grants need (its migrations grant reads on the account tables, so those come first).
func Prepare(ctx context.Context, db *sql.DB) error {
	if err := CreateSchema(ctx, db); err != nil {
		return err
	}
	if _, _, err := database.Migrate(ctx, db); err != nil {
		return err
	}
	return Load(ctx, db)
}

// CreateSchema creates the fixture of the bank's account schema unless its tables are there.
func CreateSchema(ctx context.Context, db *sql.DB) error {
	var exists bool
	if err := db.QueryRowContext(ctx, "SELECT to_regclass('account.create_master') IS NOT NULL").Scan(&exists); err != nil {
		return fmt.Errorf("demo: look for the account schema: %w", err)
	}
	if exists {
		return nil
	}
	return inTx(ctx, db, "create the account schema", accountSchema)
}

// Load inserts the demo dataset in one transaction. Rows already there are kept as they are,
// so loading twice changes nothing.
func Load(ctx context.Context, db *sql.DB) error {
	return inTx(ctx, db, "load", script)
}

func inTx(ctx context.Context, db *sql.DB, what, sql string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("demo: %s: %w", what, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, sql); err != nil {
		return fmt.Errorf("demo: %s: %w", what, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("demo: %s: commit: %w", what, err)
	}
	return nil
}
