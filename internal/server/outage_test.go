package server_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"createinfo/internal/apperr"
	"createinfo/internal/legacy"
	"createinfo/internal/server"
	"createinfo/tools/dbtest"
	"createinfo/tools/demo"
	"createinfo/tools/servertest"
)

// TestDatabaseOutageAndRecovery stops the service's PostgreSQL mid-run: lookups answer 503
// SERVICE_UNAVAILABLE fast and /readyz 503; once PostgreSQL is back, both recover without a
// restart of the service.
func TestDatabaseOutageAndRecovery(t *testing.T) {
	cluster := dbtest.NewCluster(t)
	db, err := sql.Open("pgx", cluster.URL)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := demo.Prepare(ctx, db); err != nil {
		t.Fatal(err)
	}
	db.Close()
	env := servertest.NewOn(t, cluster.URL)
	lookup := func() (int, time.Duration) {
		start := time.Now()
		resp, _ := env.Post(t, legacy.Path, "application/json", `{"phone":"0988123456"}`)
		return resp.StatusCode, time.Since(start)
	}
	if st, _ := lookup(); st != 200 {
		t.Fatalf("before the outage: %d", st)
	}

	cluster.Stop(t)
	st, took := lookup()
	if st != 503 || took > 3*time.Second {
		t.Errorf("during the outage: %d after %v, want 503 fast", st, took)
	}
	// /readyz reuses its verdict for a second (readyTTL): poll for the outage to show.
	dbtest.Poll(t, "/readyz to answer 503 during the outage", 15*time.Second, func() bool {
		code, _ := servertest.Get(env.URL + "/readyz")
		return code == 503
	})

	cluster.Start(t)
	dbtest.Poll(t, "/readyz to answer 200 after PostgreSQL came back", 15*time.Second, func() bool {
		code, _ := servertest.Get(env.URL + "/readyz")
		return code == 200
	})
	if st, _ := lookup(); st != 200 {
		t.Errorf("after the outage: %d", st)
	}
}

// TestBusyAnswersFast fills the service's only slot with a lookup held on a table lock: the
// next lookup answers SERVICE_UNAVAILABLE after the queue wait, not at its deadline.
func TestBusyAnswersFast(t *testing.T) {
	env := servertest.New(t, func(o *server.Options) {
		o.MaxInFlight, o.QueueWait, o.RequestTimeout = 1, 200*time.Millisecond, 10*time.Second
	})
	release := holdLookup(t, env) // the held lookup has the only slot
	start := time.Now()
	resp, body := env.Post(t, legacy.Path, "application/json", `{"phone":"0988123456"}`)
	if resp.StatusCode != 503 || !strings.Contains(string(body), "SERVICE_UNAVAILABLE") || time.Since(start) > 2*time.Second {
		t.Errorf("busy: %d %s after %v", resp.StatusCode, body, time.Since(start))
	}
	if st := release(); st != 200 {
		t.Errorf("the held lookup: %d", st)
	}
}

// TestOneAdmissionBudget: MAX_IN_FLIGHT is one budget for the process. With the only slot
// held by a legacy lookup, a GraphQL request (one that needs no database) is refused after
// the queue wait like a second legacy one; once the slot is free, both are served.
func TestOneAdmissionBudget(t *testing.T) {
	env := servertest.New(t, func(o *server.Options) {
		o.MaxInFlight, o.QueueWait, o.RequestTimeout = 1, 200*time.Millisecond, 10*time.Second
	})
	typename := func() apperr.Code { return env.GraphQL(t, "{ __typename }", nil, nil).Code() }
	release := holdLookup(t, env)
	if code := typename(); code != apperr.ServiceUnavailable {
		t.Errorf("GraphQL while a legacy lookup holds the only slot: %q, want SERVICE_UNAVAILABLE", code)
	}
	if resp, body := env.Post(t, legacy.Path, "application/json", `{"phone":"0988123456"}`); resp.StatusCode != 503 {
		t.Errorf("legacy while a legacy lookup holds the only slot: %d %s", resp.StatusCode, body)
	}
	if st := release(); st != 200 {
		t.Errorf("the held lookup: %d", st)
	}
	if code := typename(); code != "" {
		t.Errorf("GraphQL with the slot free: %q", code)
	}
}
