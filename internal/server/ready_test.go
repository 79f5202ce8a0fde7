package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"createinfo/internal/database"
	"createinfo/internal/legacy"
	"createinfo/internal/server"
	"createinfo/tools/dbtest"
	"createinfo/tools/servertest"
)

// readyz returns /readyz's status and body.
func readyz(t *testing.T, env *servertest.Env) (int, string) {
	t.Helper()
	resp, b := servertest.Do(t, http.MethodGet, env.URL+"/readyz", "", nil)
	return resp.StatusCode, string(b)
}

// TestReadyOnlyWhileAuditWritable: /readyz answers 503 "audit trail not writable" while the
// audit table is locked past the bound and while the service role's INSERT is revoked, and 200
// again once each is undone, without a restart; lookups meanwhile answer SERVICE_UNAVAILABLE.
// The writer connects as production does: as createinfo_service.
func TestReadyOnlyWhileAuditWritable(t *testing.T) {
	url := dbtest.URL(t)
	pool, err := database.NewPool(url, database.Options{MaxOpenConns: 4, MaxIdleConns: 4, Role: "createinfo_service"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	env := servertest.NewOn(t, url, func(o *server.Options) { o.Audit = servertest.NewWriter(pool, o.Log) })
	admin := dbtest.SQL(t, url)
	ready := func() bool { st, _ := readyz(t, env); return st == 200 }
	notWritable := func() bool {
		st, body := readyz(t, env)
		return st == 503 && body == "audit trail not writable\n"
	}
	if st, body := readyz(t, env); st != 200 {
		t.Fatalf("before: %d %s", st, body)
	}

	tx, err := admin.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`LOCK TABLE audit.lookup IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	dbtest.Poll(t, "503 while audit.lookup is locked", 10*time.Second, notWritable)
	if resp, body := env.Post(t, legacy.Path, "application/json", `{"seqNo":"x"}`); resp.StatusCode != 503 {
		t.Errorf("lookup while locked: %d %s", resp.StatusCode, body)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	dbtest.Poll(t, "200 once the lock is gone", 10*time.Second, ready)

	if _, err := admin.Exec(`REVOKE INSERT ON audit.lookup FROM createinfo_service`); err != nil {
		t.Fatal(err)
	}
	dbtest.Poll(t, "503 while INSERT is revoked", 10*time.Second, notWritable)
	if resp, body := env.Post(t, legacy.Path, "application/json", `{"seqNo":"x"}`); resp.StatusCode != 503 ||
		!strings.Contains(string(body), "SERVICE_UNAVAILABLE") {
		t.Errorf("lookup with INSERT revoked: %d %s", resp.StatusCode, body)
	}
	if _, err := admin.Exec(`GRANT INSERT ON audit.lookup TO createinfo_service`); err != nil {
		t.Fatal(err)
	}
	dbtest.Poll(t, "200 once INSERT is granted again", 10*time.Second, ready)
	if resp, body := env.Post(t, legacy.Path, "application/json", `{"seqNo":"x"}`); resp.StatusCode != 200 {
		t.Errorf("lookup after recovery: %d %s", resp.StatusCode, body)
	}
}
