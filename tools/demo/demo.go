// Package demo loads the demo dataset of CONTRACT.md (demo.sql): the seed's sample application
// and the applications around it that the tests and anyone trying the service rely on.
package demo

import (
	"context"
	"database/sql"
	_ "embed"
	"fmt"
)

//go:embed demo.sql
var script string

// Load inserts the demo dataset in one transaction. Rows already there are kept as they are,
// so loading twice changes nothing.
func Load(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("demo: begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, script); err != nil {
		return fmt.Errorf("demo: load: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("demo: commit: %w", err)
	}
	return nil
}
