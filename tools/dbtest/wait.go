package dbtest

import (
	"database/sql"
	"testing"
	"time"
)

// WaitForLockWaiter polls PostgreSQL until a session of db's database waits on a lock (a
// lookup blocked behind a lock the test holds), and fails the test after timeout: tests
// synchronise on that condition, never on a sleep.
func WaitForLockWaiter(t testing.TB, db *sql.DB, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var n int
		err := db.QueryRow(`SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&n)
		if err == nil && n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no session waits on a lock after %v (last error: %v)", timeout, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Poll checks cond every 20ms until it holds, and fails the test after timeout: for conditions
// a test waits on that PostgreSQL or the service reaches by itself (a standby connecting, a
// check seeing it), never a sleep.
func Poll(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(timeout); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
	}
}
