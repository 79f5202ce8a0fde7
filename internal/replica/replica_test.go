package replica_test

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"createinfo/internal/database"
	"createinfo/internal/legacy"
	"createinfo/internal/metrics"
	"createinfo/internal/replica"
	"createinfo/internal/server"
	"createinfo/tools/dbtest"
	"createinfo/tools/demo"
	"createinfo/tools/servertest"
)

// TestReadsOnStreamingReplica runs the service over a primary and a real streaming replica
// made with pg_basebackup -R, and reads pg_stat_statements on each node to show where each
// statement ran: lookups on the replica and audit rows on the primary; a replica that lags
// (replay paused) leaves the rotation, lookups read the primary meanwhile (they see a row the
// replica has not replayed), and it comes back once replay resumes; a replica that stops
// fails no lookup: its statements move to the primary at once.
//
// The health checks are run by the test (Set.Check) rather than on a timer, so that each step
// happens when the test says: the server runs the same checks every REPLICA_CHECK_INTERVAL.
func TestReadsOnStreamingReplica(t *testing.T) {
	ctx := t.Context()
	primary := dbtest.NewCluster(t, "shared_preload_libraries=pg_stat_statements", "pg_stat_statements.track=all")
	pdb := dbtest.SQL(t, primary.URL)
	if err := demo.Prepare(ctx, pdb); err != nil {
		t.Fatal(err)
	}
	if _, err := pdb.Exec(`CREATE EXTENSION pg_stat_statements`); err != nil {
		t.Fatal(err)
	}
	rep := primary.NewReplica(t)
	rdb := dbtest.SQL(t, rep.URL)
	poll(t, "the replica to replay the primary", func() bool {
		var caughtUp bool
		var lsn string
		pdb.QueryRow(`SELECT pg_current_wal_lsn()::text`).Scan(&lsn)
		rdb.QueryRow(`SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn`, lsn).Scan(&caughtUp)
		return caughtUp
	})
	var inRecovery bool
	if err := rdb.QueryRow(`SELECT pg_is_in_recovery()`).Scan(&inRecovery); err != nil || !inRecovery {
		t.Fatalf("the replica is not a standby: %v %v", inRecovery, err)
	}

	name := replica.HostPort(rep.URL)
	m := metrics.New()
	var set *replica.Set
	env := servertest.NewOn(t, primary.URL, func(o *server.Options) {
		pool, err := database.NewPool(rep.URL, database.Options{MaxOpenConns: 4, MaxIdleConns: 4,
			ConnMaxLifetime: time.Minute, StatementTimeout: 10 * time.Second, ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { pool.Close() })
		primarySQL, _ := o.DB.DB()
		set = replica.New(primarySQL, map[string]*sql.DB{name: pool}, []string{name}, time.Second, time.Hour, nil, m)
		if err := set.Register(o.DB); err != nil {
			t.Fatal(err)
		}
		o.Replicas, o.Metrics = set, m
	})
	if set.InRotation(name) {
		t.Fatal("a replica is in rotation before its first check")
	}
	set.Check(ctx)
	if !set.InRotation(name) {
		t.Fatalf("healthy replica not in rotation:\n%s", readyz(t, env))
	}

	lookups := func(n int, phone string) []string {
		t.Helper()
		var bodies []string
		for range n {
			resp, b := env.Post(t, legacy.Path, "application/json", `{"phone":"`+phone+`"}`)
			if resp.StatusCode != 200 || !strings.Contains(string(b), `"success":true`) {
				t.Fatalf("lookup: %d %s", resp.StatusCode, b)
			}
			bodies = append(bodies, string(b))
		}
		return bodies
	}

	// 1. Lookups read the replica; the audit trail writes the primary.
	reset(t, pdb)
	reset(t, rdb)
	lookups(5, "0988123456")
	// Each lookup of this phone runs 8 statements that name create_master (the root lookup,
	// the children keyed by create_master_seq_no, the abnormal-account matches, the tax
	// residences); one of the lag probe's phone (no flags) as many, since the tax residences
	// are read at the applications' level, flags or not. Priming makes these fixed.
	if got := calls(t, rdb, "%create_master%"); got != 5*8 {
		t.Errorf("replica ran %d statements on create_master, want 40", got)
	}
	if got := calls(t, pdb, "%create_master%"); got != 0 {
		t.Errorf("primary ran %d statements on create_master while the replica was healthy", got)
	}
	if got := calls(t, pdb, "%INSERT INTO audit.lookup%"); got != 5 {
		t.Errorf("primary ran %d audit inserts", got)
	}
	if got := calls(t, rdb, "%audit.lookup%"); got != 0 {
		t.Errorf("replica saw %d audit statements", got)
	}
	var rows int
	if err := pdb.QueryRow(`SELECT count(*) FROM audit.lookup`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 5 {
		t.Errorf("%d audit rows on the primary, want 5", rows)
	}
	if body := readyz(t, env); !strings.Contains(body, "primary: ok") || !strings.Contains(body, "replica "+name+": in rotation") {
		t.Errorf("readyz:\n%s", body)
	}

	// 2. A lagging replica leaves the rotation; lookups read the primary, fresh.
	if _, err := rdb.Exec(`SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	if _, err := pdb.Exec(`INSERT INTO account.create_master (seq_no, phone_number, idno, status)
		VALUES ('LAG-PROBE-1', '0911000111', 'C123456789', 'L1')`); err != nil {
		t.Fatal(err)
	}
	poll(t, "the paused replica to leave the rotation", func() bool {
		set.Check(ctx)
		return !set.InRotation(name)
	})
	if body := readyz(t, env); !strings.Contains(body, "replica "+name+": out of rotation (lags") {
		t.Errorf("readyz of a lagging replica:\n%s", body)
	}
	reset(t, pdb)
	if b := lookups(1, "0911000111")[0]; !strings.Contains(b, "LAG-PROBE-1") {
		t.Errorf("lookup while the replica lags did not see the primary's new row: %s", b)
	}
	if got := calls(t, pdb, "%create_master%"); got != 8 {
		t.Errorf("primary ran %d statements on create_master while the replica lagged, want 8", got)
	}
	if s := gauge(t, m, `createinfo_db_replica_in_rotation{replica="`+name+`"}`); s != "0" {
		t.Errorf("in-rotation gauge of the lagging replica: %s", s)
	}
	if _, err := rdb.Exec(`SELECT pg_wal_replay_resume()`); err != nil {
		t.Fatal(err)
	}
	poll(t, "the caught-up replica to return to the rotation", func() bool {
		set.Check(ctx)
		return set.InRotation(name)
	})
	reset(t, rdb)
	if b := lookups(1, "0911000111")[0]; !strings.Contains(b, "LAG-PROBE-1") {
		t.Errorf("lookup on the caught-up replica: %s", b)
	}
	if got := calls(t, rdb, "%create_master%"); got != 8 {
		t.Errorf("the replica back in rotation ran %d statements on create_master, want 8", got)
	}

	// 3. The replica stops: no lookup fails, the statements move to the primary at once,
	// before any health check has run.
	rep.Stop(t)
	reset(t, pdb)
	lookups(5, "0988123456")
	if got := calls(t, pdb, "%create_master%"); got != 5*8 {
		t.Errorf("primary ran %d statements on create_master after the replica stopped, want 40", got)
	}
	if set.InRotation(name) {
		t.Errorf("a stopped replica is still in rotation")
	}
	if s := gauge(t, m, `createinfo_db_replica_failovers_total{replica="`+name+`"}`); s == "" || s == "0" {
		t.Errorf("failovers counted: %q", s)
	}
	set.Check(ctx)
	if body := readyz(t, env); !strings.Contains(body, "replica "+name+": out of rotation (unreachable)") {
		t.Errorf("readyz with the replica down:\n%s", body)
	}
	pdb.QueryRow(`SELECT count(*) FROM audit.lookup`).Scan(&rows)
	if rows != 12 {
		t.Errorf("%d audit rows, want 12 (one per lookup)", rows)
	}
}

func reset(t *testing.T, db *sql.DB) {
	t.Helper()
	if _, err := db.Exec(`SELECT pg_stat_statements_reset()`); err != nil {
		t.Fatal(err)
	}
}

// calls is how many times the node ran statements whose text matches pattern, since reset.
func calls(t *testing.T, db *sql.DB, pattern string) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(`SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements
		WHERE query ILIKE $1 AND query NOT ILIKE '%pg_stat_statements%'`, pattern).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func readyz(t *testing.T, env *servertest.Env) string {
	t.Helper()
	resp, err := http.Get(env.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Errorf("readyz %d: %s", resp.StatusCode, b)
	}
	return string(b)
}

// gauge is the value of one series on /metrics, "" when absent.
func gauge(t *testing.T, m *metrics.Metrics, series string) string {
	t.Helper()
	rec := &strings.Builder{}
	req, _ := http.NewRequestWithContext(context.Background(), "GET", "/metrics", nil)
	w := &writer{h: http.Header{}, b: rec}
	m.Handler().ServeHTTP(w, req)
	for _, l := range strings.Split(rec.String(), "\n") {
		if v, ok := strings.CutPrefix(l, series+" "); ok {
			return v
		}
	}
	return ""
}

type writer struct {
	h http.Header
	b *strings.Builder
}

func (w *writer) Header() http.Header         { return w.h }
func (w *writer) Write(p []byte) (int, error) { return w.b.Write(p) }
func (w *writer) WriteHeader(int)             {}

// poll waits for cond, failing the test after 20 s.
func poll(t *testing.T, what string, cond func() bool) {
	t.Helper()
	dbtest.Poll(t, what, 20*time.Second, cond)
}
