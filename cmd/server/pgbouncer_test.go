package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"createinfo/internal/auth"
	"createinfo/tools/dbtest"
	"createinfo/tools/servertest"
)

// pgbouncerBin is Debian's pgbouncer (scripts/need.sh installs it for make test).
const pgbouncerBin = "/usr/sbin/pgbouncer"

// TestBehindPgBouncer runs the README's PgBouncer recipe (Deployment and operations) against
// Debian's pgbouncer in transaction mode in front of a test database: a login role that
// inherits createinfo_service (no DB_ROLE), the pools' startup parameters ignored by the
// pooler and set on the role instead, default_query_exec_mode=exec in DATABASE_URL. Two
// server processes in production mode serve lookups through both ways in, their audit rows
// form one chain that auditverify finds intact, and a write through the pooler as the
// service's login is refused by its grants (the read-only startup parameter being lost).
func TestBehindPgBouncer(t *testing.T) {
	if _, err := os.Stat(pgbouncerBin); err != nil {
		t.Fatalf("%v: scripts/need.sh %s pgbouncer installs it (make test does)", err, pgbouncerBin)
	}
	dbURL := dbtest.URL(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	admin := dbtest.SQL(t, dbURL)

	// The login role: createinfo_service's grants by inheritance, the pools' settings on the
	// role. Roles are per cluster: a name of this test's own.
	login := "createinfo_pgb_" + strings.TrimPrefix(strings.TrimPrefix(u.Path, "/"), "createinfo_test_")
	for _, q := range []string{
		`CREATE ROLE ` + login + ` LOGIN INHERIT IN ROLE createinfo_service`,
		`ALTER ROLE ` + login + ` SET statement_timeout = '5s'`,
		`ALTER ROLE ` + login + ` SET plan_cache_mode = force_generic_plan`,
	} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	t.Cleanup(func() {
		// The test database (which holds the role's grants) is dropped after this cleanup.
		admin.Exec(`REASSIGN OWNED BY ` + login + ` TO CURRENT_USER`)
		admin.Exec(`DROP OWNED BY ` + login)
		admin.Exec(`DROP ROLE IF EXISTS ` + login)
	})

	bouncer := startPgBouncer(t, u, login)
	serviceURL := fmt.Sprintf("postgres://%s@%s/createinfo?sslmode=disable&default_query_exec_mode=exec", login, bouncer)

	secret, entry, err := auth.NewKey("pgbouncer-test")
	if err != nil {
		t.Fatal(err)
	}
	const chainKey = "AUDIT_CHAIN_KEY=chain-key-of-the-pgbouncer-test-0123456789"
	env := []string{
		"DATABASE_URL=" + serviceURL, "APP_ENV=production", "API_KEYS=" + entry,
		"AUDIT_HMAC_KEY=shared-audit-key-of-both-instances-0123", chainKey, "TRUSTED_DOCUMENTS_ONLY=false",
	}
	servers := []*process{startServer(t, env...), startServer(t, env...)}

	// Lookups through both ways in, on both instances, alternating: 20 in all.
	const each = 5
	n := 0
	for i := range each {
		for s, p := range servers {
			for _, way := range []struct{ path, ctype, body, ok string }{
				{"/graphql", "application/json", `{"query":"{ applications(phone: \"0988123456\") { seqNo } }"}`, `"seqNo":"0A80d1d572650511ea8a30acde48001122"`},
				{"/intranet/api/v1.0/createaccount/GetCreateInfo", "application/json", `{"seqNo":"0A80d1d572650511ea8a30acde48001122"}`, `"success":true`},
			} {
				req, _ := http.NewRequest("POST", p.base+way.path, strings.NewReader(way.body))
				req.Header.Set("Content-Type", way.ctype)
				req.Header.Set("Authorization", "Bearer "+secret)
				req.Header.Set("X-Agent-Id", "agent-007")
				req.Header.Set("X-Request-Id", fmt.Sprintf("pgbouncer-%d-%d-%d", i, s, n))
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || !strings.Contains(string(b), way.ok) {
					t.Fatalf("%s on instance %d: %d %.300s", way.path, s, resp.StatusCode, b)
				}
				n++
			}
		}
	}

	// One chain, intact, with exactly one row per lookup.
	verify := exec.Command(build(t, "../auditverify"))
	verify.Env = append(os.Environ(), "DATABASE_URL="+dbURL, chainKey)
	out, err := verify.CombinedOutput()
	if err != nil || !strings.HasPrefix(strings.TrimSpace(string(out)), fmt.Sprintf("audit chain intact: %d rows ", n)) {
		t.Fatalf("auditverify: %v: %s", err, out)
	}
	var ours int
	if err := admin.QueryRow(`SELECT count(*) FROM audit.lookup WHERE request_id LIKE 'pgbouncer-%' AND outcome = 'OK'`).Scan(&ours); err != nil {
		t.Fatal(err)
	}
	if ours != n {
		t.Errorf("%d OK audit rows of ours, want %d", ours, n)
	}

	// Through the pooler as the service's login: the role's settings hold, and writes to the
	// bank's data or to the trail's past are refused by the grants.
	db := dbtest.SQL(t, serviceURL)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var timeout, plan string
	if err := db.QueryRowContext(ctx, `SELECT current_setting('statement_timeout'), current_setting('plan_cache_mode')`).Scan(&timeout, &plan); err != nil {
		t.Fatal(err)
	}
	if timeout != "5s" || plan != "force_generic_plan" {
		t.Errorf("through the pooler: statement_timeout %q plan_cache_mode %q, want the role's 5s and force_generic_plan", timeout, plan)
	}
	for _, q := range []string{
		`UPDATE account.create_master SET seq_no = seq_no`,
		`DELETE FROM audit.lookup`,
		`UPDATE audit.lookup SET outcome = 'OK'`,
	} {
		_, err := db.ExecContext(ctx, q)
		if err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("%s through the pooler: %v, want permission denied", q, err)
		}
	}
	var after int
	if err := admin.QueryRow(`SELECT count(*) FROM audit.lookup`).Scan(&after); err != nil || after != n {
		t.Errorf("audit rows after the write attempts: %d (%v), want %d", after, err, n)
	}
}

// startPgBouncer runs pgbouncer in transaction mode on a free loopback port in front of the
// database of u, for the login role alone, and returns its host:port. As root it runs as
// the postgres user (pgbouncer refuses root).
func startPgBouncer(t *testing.T, u *url.URL, login string) string {
	t.Helper()
	dir := t.TempDir()
	// The postgres user reads the files: open the test's temporary folders to it.
	os.Chmod(filepath.Dir(dir), 0o755)
	os.Chmod(dir, 0o755)
	addr := freeAddr(t)
	host, port, _ := strings.Cut(addr, ":")
	pgHost, pgPort := u.Hostname(), u.Port()
	if pgPort == "" {
		pgPort = "5432"
	}
	ini := fmt.Sprintf(`[databases]
createinfo = host=%s port=%s dbname=%s
[pgbouncer]
listen_addr = %s
listen_port = %s
unix_socket_dir =
auth_type = trust
auth_file = %s
pool_mode = transaction
default_pool_size = 8
max_client_conn = 200
; the pools' startup parameters: set on the role instead (README)
ignore_startup_parameters = statement_timeout,default_transaction_read_only,plan_cache_mode
`, pgHost, pgPort, strings.TrimPrefix(u.Path, "/"), host, port, filepath.Join(dir, "users.txt"))
	for name, body := range map[string]string{"pgbouncer.ini": ini, "users.txt": fmt.Sprintf("%q \"\"\n", login)} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{pgbouncerBin, filepath.Join(dir, "pgbouncer.ini")}
	if os.Geteuid() == 0 {
		args = append([]string{"setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	logs := new(servertest.LogBuffer)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("pgbouncer log:\n%s", logs.String())
		}
	})
	// Ready once it answers a query for the login role.
	db, err := sql.Open("pgx", fmt.Sprintf("postgres://%s@%s/createinfo?sslmode=disable&default_query_exec_mode=exec&connect_timeout=2", login, addr))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dbtest.Poll(t, "pgbouncer to answer for the login role", 20*time.Second, func() bool {
		select {
		case <-exited:
			t.Fatalf("pgbouncer exited:\n%s", logs.String())
		default:
		}
		return db.Ping() == nil
	})
	return addr
}
