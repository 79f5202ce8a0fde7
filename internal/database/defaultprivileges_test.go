package database_test

import (
	"context"
	"strings"
	"testing"

	"createinfo/tools/dbtest"
)

// TestLaterAccountTablesAreReadable: a table the owner of the schema account creates after the
// migrations (the bank's next table) is readable by createinfo_service with no migration of
// ours (00040's default privileges), and only readable: the role can neither write it nor
// create a table of its own there.
func TestLaterAccountTablesAreReadable(t *testing.T) {
	db := dbtest.SQL(t, dbtest.URL(t))
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var owner string
	if err := conn.QueryRowContext(ctx, `SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'account'`).Scan(&owner); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`SET default_transaction_read_only = off`,
		`SET ROLE "` + owner + `"`,
		`CREATE TABLE account.later_notes (seq_no bigint PRIMARY KEY, body text)`,
		`INSERT INTO account.later_notes VALUES (1, 'x')`,
		`RESET ROLE`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if _, err := conn.ExecContext(ctx, `SET ROLE createinfo_service`); err != nil {
		t.Fatal(err)
	}
	var user string
	if err := conn.QueryRowContext(ctx, `SELECT current_user`).Scan(&user); err != nil || user != "createinfo_service" {
		t.Fatalf("current_user %q %v", user, err)
	}
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM account.later_notes`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("createinfo_service reading the later table: %d rows, %v", n, err)
	}
	for _, q := range []string{
		`INSERT INTO account.later_notes VALUES (2, 'y')`,
		`UPDATE account.later_notes SET body = 'z'`,
		`CREATE TABLE account.mine (x int)`,
	} {
		if _, err := conn.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("%s as createinfo_service: %v, want permission denied", q, err)
		}
	}
}
