package demo_test

import (
	"context"
	"database/sql"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"createinfo/internal/database"
	"createinfo/tools/dbtest"
	"createinfo/tools/demo"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }

// fingerprint hashes the contents of every table of the account schema.
func fingerprint(t *testing.T, db *sql.DB) map[string]string {
	t.Helper()
	rows, err := db.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'account' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		rows.Scan(&name)
		tables = append(tables, name)
	}
	rows.Close()
	out := map[string]string{}
	for _, name := range tables {
		var sum string
		q := `SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM account.` + name + ` t`
		if err := db.QueryRow(q).Scan(&sum); err != nil {
			t.Fatal(err)
		}
		out[name] = sum
	}
	return out
}

func TestPrepareIsIdempotent(t *testing.T) {
	db, err := sql.Open("pgx", dbtest.URL(t)) // already migrated and loaded once
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	before := fingerprint(t, db)
	if len(before) < 19 {
		t.Fatalf("only %d tables: %v", len(before), before)
	}
	ctx := context.Background()
	if err := demo.Prepare(ctx, db); err != nil {
		t.Fatalf("second prepare: %v", err)
	}
	if applied, _, err := database.Migrate(ctx, db); err != nil || applied != 0 {
		t.Fatalf("third migrate applied %d migrations (%v), want none", applied, err)
	}
	after := fingerprint(t, db)
	for name, sum := range before {
		if after[name] != sum {
			t.Errorf("%s changed: %s -> %s", name, sum, after[name])
		}
	}
	if before["create_master"][:2] != "5:" {
		t.Errorf("create_master holds %s rows, want 5", before["create_master"])
	}
}
