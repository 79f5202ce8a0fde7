package dbtest

import (
	"database/sql"
	"testing"
	"time"
)

// Poll checks cond every 20ms until it holds, and fails the test after timeout: for conditions
// a test waits on that PostgreSQL or the service reaches by itself (a standby connecting, a
// check seeing it, a server ready), never a sleep. It is the tests' one poll loop.
func Poll(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(timeout); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
	}
}

// WaitForLockWaiter polls PostgreSQL until a session of db's database waits on a lock (a
// lookup blocked behind a lock the test holds), and fails the test after timeout.
func WaitForLockWaiter(t testing.TB, db *sql.DB, timeout time.Duration) {
	t.Helper()
	Poll(t, "a session waiting on a lock", timeout, func() bool {
		var n int
		err := db.QueryRow(`SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&n)
		return err == nil && n > 0
	})
}
