package standby_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"createinfo/internal/apperr"
	"createinfo/internal/legacy"
	"createinfo/internal/metrics"
	"createinfo/internal/server"
	"createinfo/internal/standby"
	"createinfo/tools/dbtest"
	"createinfo/tools/demo"
	"createinfo/tools/servertest"
)

// TestRequireSyncStandby runs the service over a primary whose commits a real synchronous
// standby confirms (synchronous_standby_names = 'ANY 1 (*)'), with AUDIT_REQUIRE_SYNC_STANDBY:
// lookups answer while the standby is connected; once it stops, both ways in answer
// SERVICE_UNAVAILABLE, each with its audit row (committed at once, though no standby
// confirms it), and /readyz says why; once it is back, lookups answer again.
//
// The checks are run by the test (Watch.Check) rather than on the server's timer, so that each
// step happens when the test says.
func TestRequireSyncStandby(t *testing.T) {
	ctx := t.Context()
	poll := func(what string, cond func() bool) { t.Helper(); dbtest.Poll(t, what, 20*time.Second, cond) }
	primary := dbtest.NewCluster(t)
	pdb := dbtest.SQL(t, primary.URL)
	if err := demo.Prepare(ctx, pdb); err != nil {
		t.Fatal(err)
	}
	rep := primary.NewReplica(t)
	for _, q := range []string{`ALTER SYSTEM SET synchronous_standby_names = 'ANY 1 (*)'`, `SELECT pg_reload_conf()`} {
		if _, err := pdb.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	m := metrics.New()
	w := standby.New(pdb, "on", true, nil, m)
	env := servertest.NewOn(t, primary.URL, func(o *server.Options) { o.Standby, o.Metrics = w, m })

	readyz := func() (int, string) {
		t.Helper()
		resp, b := servertest.Do(t, http.MethodGet, env.URL+"/readyz", "", nil)
		return resp.StatusCode, string(b)
	}
	if code, body := readyz(); code != 503 || !strings.Contains(body, "not checked yet") {
		t.Errorf("readyz before the first check: %d %s", code, body)
	}
	lookup := func() (int, string) {
		t.Helper()
		resp, b := env.Post(t, legacy.Path, "application/json", `{"phone":"0988123456"}`)
		return resp.StatusCode, string(b)
	}

	poll("the standby to confirm the primary's commits", func() bool { w.Check(ctx); ok, _ := w.Ready(); return ok })
	// /readyz reuses its verdict for a second: poll for each change to show.
	poll("readyz to answer 200 with a synchronous standby", func() bool { code, _ := readyz(); return code == 200 })
	if code, body := lookup(); code != 200 || !strings.Contains(body, `"success":true`) {
		t.Fatalf("lookup with a synchronous standby: %d %s", code, body)
	}

	rep.Stop(t)
	poll("the check to see the standby gone", func() bool { w.Check(ctx); ok, _ := w.Ready(); return !ok })
	poll("readyz to say no synchronous standby is connected", func() bool {
		code, body := readyz()
		return code == 503 && strings.Contains(body, "no synchronous standby is connected")
	})
	if code, body := lookup(); code != 503 || !strings.Contains(body, apperr.ServiceUnavailable.String()) || strings.Contains(body, "0988123456") {
		t.Errorf("legacy lookup without the standby: %d %s", code, body)
	}
	if r := env.GraphQL(t, `{ applications(phone: "0988123456") { seqNo } }`, nil, nil); r.Code() != apperr.ServiceUnavailable {
		t.Errorf("GraphQL lookup without the standby: %+v", r)
	}
	var refused int
	if err := pdb.QueryRow(`SELECT count(*) FROM audit.lookup WHERE outcome = $1`, apperr.ServiceUnavailable).Scan(&refused); err != nil || refused != 2 {
		t.Errorf("audit rows of the refused lookups: %d %v, want 2", refused, err)
	}

	rep.Start(t)
	poll("the standby to confirm again", func() bool { w.Check(ctx); ok, _ := w.Ready(); return ok })
	if code, body := lookup(); code != 200 || !strings.Contains(body, `"success":true`) {
		t.Fatalf("lookup once the standby is back: %d %s", code, body)
	}
	var ok int
	pdb.QueryRow(`SELECT count(*) FROM audit.lookup WHERE outcome = 'OK'`).Scan(&ok)
	if ok != 2 {
		t.Errorf("%d OK audit rows, want 2", ok)
	}
}
