package database_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"

	"createinfo/tools/dbtest"
)

// TestAppendMigrationDownAndUp: migration 41 gives audit.append a written-out column list, so
// a row must name every column (the writer's rows do); its Down gives back migration 4's
// function, which takes the columns from the first row's keys and leaves the others to their
// DEFAULT; Up again, the static one. Each appends a whole row to the chain's head.
func TestAppendMigrationDownAndUp(t *testing.T) {
	ctx := context.Background()
	db := dbtest.SQL(t, dbtest.URL(t)) // migrated to the newest version
	p, err := goose.NewProvider(goose.DialectPostgres, db, os.DirFS("migrations"))
	if err != nil {
		t.Fatal(err)
	}
	const whole = `{"at":"2026-01-01T00:00:00Z","request_id":"r","server_request_id":"s","key_id":"k","agent_id":"",
		"client_addr":"","way":"graphql","operation":"","idno_hmac":"","phone_hmac":"","seq_no":"","result_count":0,
		"seq_nos":[],"outcome":"OK","attempts":1,"keyed":true,"prev_hash":"p","hash":"%s","trace_id":null,"note":null,
		"role":"","proof":"","asserted_agent":"","reveal_reason":"","flags":[],"customers":[]}`
	const partial = `{"at":"2026-01-01T00:00:00Z","request_id":"r","way":"graphql","outcome":"OK","prev_hash":"p","hash":"%s"}`
	head := strings.Repeat("0", 64)
	// appendRow appends one row (whole or partial) with MAC mac to the head and says whether it went in.
	appendRow := func(row, mac string) error {
		var id int64
		var got string
		err := db.QueryRowContext(ctx, `SELECT last_id, head FROM audit.append($1, $2)`, head,
			"["+strings.Replace(row, "%s", mac, 1)+"]").Scan(&id, &got)
		if err == nil && (id == 0 || got != mac) {
			t.Fatalf("append to the head: last_id %d, head %q", id, got)
		}
		if err == nil {
			head = mac
		}
		return err
	}
	if err := appendRow(whole, "a"); err != nil {
		t.Fatalf("migration 41, a whole row: %v", err)
	}
	if err := appendRow(partial, "b"); err == nil || !strings.Contains(err.Error(), "not-null") {
		t.Fatalf("migration 41, a row without key_id: %v, want a not-null violation", err)
	}

	if r, err := p.Down(ctx); err != nil || r.Source.Version != 41 {
		t.Fatalf("down: %v, %v", r, err)
	}
	if err := appendRow(whole, "c"); err != nil {
		t.Fatalf("migration 4, a whole row: %v", err)
	}
	if err := appendRow(partial, "d"); err != nil {
		t.Fatalf("migration 4, a row without key_id: %v", err)
	}
	var keyID string
	if err := db.QueryRowContext(ctx, `SELECT key_id FROM audit.lookup WHERE hash = 'd'`).Scan(&keyID); err != nil || keyID != "" {
		t.Fatalf("migration 4's row without key_id: %q, %v", keyID, err)
	}

	if r, err := p.UpByOne(ctx); err != nil || r.Source.Version != 41 {
		t.Fatalf("up: %v, %v", r, err)
	}
	if err := appendRow(whole, "e"); err != nil {
		t.Fatalf("migration 41 again, a whole row: %v", err)
	}
	if err := appendRow(partial, "f"); err == nil {
		t.Fatal("migration 41 again: a row without key_id went in")
	}
	var rows int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM audit.lookup`).Scan(&rows); err != nil || rows != 4 {
		t.Fatalf("%d rows, want 4 (a, c, d, e): %v", rows, err)
	}
}
