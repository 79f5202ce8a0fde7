package database_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"createinfo/internal/database"
	"createinfo/tools/dbtest"
)

// TestMultiHostURLFindsThePrimary: a read-only lookup pool over a URL naming a standby first and
// the primary second connects to the primary with target_session_attrs=primary and with
// read-write (which once rejected every host: the pool's read-only guard, sent as a startup
// parameter, made the primary look like a standby), and stays read-only there.
func TestMultiHostURLFindsThePrimary(t *testing.T) {
	ctx := t.Context()
	primary := dbtest.NewCluster(t)
	standby := primary.NewReplica(t)
	for _, attrs := range []string{"primary", "read-write"} {
		t.Run(attrs, func(t *testing.T) {
			o := dbtest.DefaultOptions()
			o.ReadOnly = true
			db, err := database.Open(ctx, dbtest.MultiHostURL(attrs, standby, primary), o)
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			sqlDB, _ := db.DB()
			defer sqlDB.Close()
			var recovering bool
			if err := sqlDB.QueryRowContext(ctx, `SELECT pg_is_in_recovery()`).Scan(&recovering); err != nil || recovering {
				t.Fatalf("connected to a standby (%v) or failed: %v", recovering, err)
			}
			_, err = sqlDB.ExecContext(ctx, `CREATE TABLE written_by_a_lookup (x int)`)
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "25006" {
				t.Fatalf("the lookup pool wrote on the primary: %v", err)
			}
		})
	}
	// Only the standby: no host is a primary, and the error says so.
	o := dbtest.DefaultOptions()
	o.ReadOnly = true
	if _, err := database.Open(context.Background(), dbtest.MultiHostURL("read-write", standby), o); err == nil {
		t.Fatal("a standby alone was accepted as read-write")
	}
}
