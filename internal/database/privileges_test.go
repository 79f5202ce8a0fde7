package database_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"createinfo/internal/database"
	"createinfo/tools/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }

// TestLeastPrivilegeRefusesIndirectOwners: as in production, the audit schema, table and
// trigger function belong to ordinary (not superuser) roles. A login role holding only
// createinfo_service passes; one that could get round the append-only trigger is refused:
// CREATEROLE (on PostgreSQL 15 it may grant itself the table owner's role), a member of the
// schema's owner (who may drop the table), a member of the trigger function's owner (who may
// replace its body).
func TestLeastPrivilegeRefusesIndirectOwners(t *testing.T) {
	dbURL := dbtest.URL(t)
	admin, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	b := make([]byte, 4)
	rand.Read(b)
	suffix := hex.EncodeToString(b)
	var roles []string
	role := func(name, attrs string, grants ...string) string {
		name += "_" + suffix
		roles = append(roles, name)
		if _, err := admin.Exec(`CREATE ROLE ` + name + ` ` + attrs); err != nil {
			t.Fatal(err)
		}
		for _, g := range grants {
			if _, err := admin.Exec(`GRANT ` + g + ` TO ` + name); err != nil {
				t.Fatal(err)
			}
		}
		return name
	}
	t.Cleanup(func() {
		for i := len(roles) - 1; i >= 0; i-- {
			admin.Exec(`DROP OWNED BY ` + roles[i])
			admin.Exec(`DROP ROLE IF EXISTS ` + roles[i])
		}
	})
	table, schema, fn := role("ci_table_owner", "NOLOGIN"), role("ci_schema_owner", "NOLOGIN"), role("ci_fn_owner", "NOLOGIN")
	for _, q := range []string{`ALTER TABLE audit.lookup OWNER TO ` + table, `ALTER SCHEMA audit OWNER TO ` + schema,
		`ALTER FUNCTION audit.refuse_change() OWNER TO ` + fn} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	check := func(login string) error {
		u, _ := url.Parse(dbURL)
		u.User = url.User(login)
		db, err := sql.Open("pgx", u.String())
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		return database.CheckLeastPrivilege(context.Background(), db)
	}
	if err := check(role("ci_app", "LOGIN", "createinfo_service")); err != nil {
		t.Errorf("a login role granted only createinfo_service: %v", err)
	}
	for name, login := range map[string]string{
		"createrole":   role("ci_createrole", "LOGIN CREATEROLE", "createinfo_service"),
		"schema owner": role("ci_schema_member", "LOGIN", "createinfo_service", schema),
		"fn owner":     role("ci_fn_member", "LOGIN", "createinfo_service", fn),
		"table owner":  role("ci_table_member", "LOGIN", "createinfo_service", table),
	} {
		if err := check(login); err == nil || !strings.Contains(err.Error(), "refusing to serve") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
