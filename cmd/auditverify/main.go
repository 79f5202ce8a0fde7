// Command auditverify walks the audit trail's keyed MAC chain (AUDIT_CHAIN_KEY), prints every
// row that was edited, removed, reordered or forged and every break the service recorded
// (CHAIN_BREAK rows), one a line, going on past each, and fails when it found any. Given the
// newest checkpoint the service logged (-checkpoint id.mac.signature), it also reports rows
// missing after it.
// Rows not keyed are accepted only as the first -unkeyed rows (written before migration 3).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"createinfo/internal/audit"
	"createinfo/internal/cli"
	"createinfo/internal/config"
	"createinfo/internal/database"
)

func main() {
	fs := flag.NewFlagSet("auditverify", flag.ContinueOnError)
	checkpoint := fs.String("checkpoint", "", "the newest `id.mac.signature` the service logged (\"audit checkpoint\")")
	unkeyed := fs.Int("unkeyed", 0, "how many rows the trail held when migration 3 (the keyed chain) was applied, as counted then; 0 for a trail begun after it")
	cli.Parse(fs, "usage: DATABASE_URL=postgres://… AUDIT_CHAIN_KEY=… auditverify [-checkpoint id.mac.signature] [-unkeyed N]\n\nVerifies the audit trail's keyed MAC chain.", os.Args[1:])
	if err := run(context.Background(), *checkpoint, *unkeyed); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(ctx context.Context, checkpoint string, unkeyed int) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	var cp *audit.Checkpoint
	if checkpoint != "" {
		c, err := audit.ParseCheckpoint(checkpoint, cfg.AuditChainKey)
		if err != nil {
			return err
		}
		cp = &c
	}
	db, err := database.Open(ctx, cfg.DatabaseURL, database.Options{MaxOpenConns: 1, MaxIdleConns: 1, ReadOnly: true})
	if err != nil {
		return err
	}
	sqlDB, _ := db.DB()
	defer sqlDB.Close()
	rep, err := audit.VerifyUnkeyed(ctx, sqlDB, cfg.AuditChainKey, cp, unkeyed)
	for _, b := range rep.Breaks {
		fmt.Println("break:", b)
	}
	if err != nil && len(rep.Breaks) > 0 {
		return fmt.Errorf("audit chain broken: %d breaks in %d rows", len(rep.Breaks), rep.Rows)
	}
	if err != nil {
		return err
	}
	fmt.Printf("audit chain intact: %d rows (%d before the keyed chain), last id %d", rep.Rows, rep.Legacy, rep.LastID)
	if cp != nil {
		fmt.Printf(", checkpoint %d present", cp.ID)
	}
	fmt.Println()
	return nil
}
