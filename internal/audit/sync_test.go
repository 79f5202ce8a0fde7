package audit_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"createinfo/internal/apperr"
	"createinfo/internal/audit"
	"createinfo/tools/dbtest"
	"createinfo/tools/demo"
)

// TestWriterSetsItsOwnSynchronousCommit runs a primary whose synchronous_standby_names names a
// standby that never connects, so that a commit under synchronous_commit=on waits forever:
//   - a writer set to on, over sessions whose default is local, waits on the standby (SyncRep)
//     and fails its caller (the lookup's answer would be withheld);
//   - a writer set to local, over sessions whose default is on, commits at once;
//   - a refused request's row (no data leaves) commits at once under on too;
//   - a connection that stops taking writes (a demoted primary: 25006) leaves the pool at its
//     first error, and the writer learns the head again on the next connection.
func TestWriterSetsItsOwnSynchronousCommit(t *testing.T) {
	poll := func(what string, cond func() bool) { t.Helper(); dbtest.Poll(t, what, 10*time.Second, cond) }
	ctx := t.Context()
	c := dbtest.NewCluster(t, "synchronous_commit=local", "synchronous_standby_names='ANY 1 (nobody)'")
	admin := dbtest.SQL(t, c.URL)
	if err := demo.Prepare(ctx, admin); err != nil {
		t.Fatal(err)
	}
	count := func() (n int) {
		t.Helper()
		if err := admin.QueryRow(`SELECT count(*) FROM audit.lookup`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	onDB := dbtest.SQL(t, c.URL+"&application_name=writer-on")
	on := audit.NewWriter(onDB, audit.Options{HMACKey: chainKey, ChainKey: chainKey, SynchronousCommit: "on"})
	on.Start()
	t.Cleanup(on.Close)
	errc := make(chan error, 1)
	go func() {
		errc <- on.Write(context.Background(), &audit.Record{RequestID: "waits", Way: "legacy"}, apperr.OK)
	}()
	poll("the writer's commit to wait for the synchronous standby", func() bool {
		var n int
		admin.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE application_name = 'writer-on' AND wait_event = 'SyncRep'`).Scan(&n)
		return n == 1
	})
	if err := <-errc; err == nil {
		t.Fatal("a row no standby confirmed was reported written under synchronous_commit=on")
	}
	// The writer gave up: PostgreSQL stops waiting too (the row stays, committed locally).
	poll("the abandoned commit to stop waiting", func() bool {
		var n int
		admin.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'`).Scan(&n)
		return n == 0
	})

	local := audit.NewWriter(dbtest.SQL(t, c.URL+"&synchronous_commit=on"),
		audit.Options{HMACKey: chainKey, ChainKey: chainKey, SynchronousCommit: "local"})
	local.Start()
	t.Cleanup(local.Close)
	before := count()
	writeConcurrently(t, local, "local", 20)
	if n := count(); n != before+20 {
		t.Fatalf("rows %d after 20 local commits, want %d", n, before+20)
	}

	refused := &audit.Record{RequestID: "refused", Way: "legacy"}
	audit.Refuse(refused, apperr.Unauthorized)
	if err := on.Write(ctx, refused, apperr.Unauthorized.String()); err != nil {
		t.Fatalf("a refusal's row waited on the standby: %v", err)
	}

	// Demoted: the node stops taking writes under the writer's open connection.
	lookupRO := func(on bool) {
		t.Helper()
		if _, err := admin.Exec(fmt.Sprintf(`ALTER SYSTEM SET default_transaction_read_only = %v`, on)); err != nil {
			t.Fatal(err)
		}
		if _, err := admin.Exec(`SELECT pg_reload_conf()`); err != nil {
			t.Fatal(err)
		}
	}
	pids := func() (p []int) {
		rows, err := admin.Query(`SELECT pid FROM pg_stat_activity WHERE application_name = 'writer-on' ORDER BY pid`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var pid int
			rows.Scan(&pid)
			p = append(p, pid)
		}
		return p
	}
	old := pids()
	if len(old) == 0 {
		t.Fatal("the writer keeps no connection")
	}
	lookupRO(true)
	t.Cleanup(func() { lookupRO(false) })
	poll("the writer's sessions to see the node read-only", func() bool {
		err := on.Write(ctx, refusedRecord("demoted"), apperr.Unauthorized.String())
		return err != nil
	})
	poll("the demoted connections to leave the pool", func() bool { return len(pids()) == 0 })
	lookupRO(false)
	if err := on.Write(ctx, refusedRecord("after"), apperr.Unauthorized.String()); err != nil {
		t.Fatalf("no write once the node takes writes again: %v", err)
	}
	if rep, err := audit.Verify(ctx, admin, chainKey, nil); err != nil || rep.Rows != count() {
		t.Fatalf("chain after the demotion: %+v %v", rep, err)
	}
}

func refusedRecord(id string) *audit.Record {
	r := &audit.Record{RequestID: id, Way: "legacy"}
	audit.Refuse(r, apperr.Unauthorized)
	return r
}
