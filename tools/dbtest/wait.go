package dbtest

import (
	"database/sql"
	"testing"
	"time"
)

// Poll is the tests' one way to wait: it checks cond every 10 ms until cond reports done, and
// fails the test after timeout, naming what it waited for and cond's last error. Tests
// synchronise on the condition itself, never on a sleep.
func Poll(t testing.TB, timeout time.Duration, what string, cond func() (done bool, err error)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		done, err := cond()
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s (last error: %v)", timeout, what, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// WaitForLockWaiter polls PostgreSQL until a session of db's database waits on a lock (a
// lookup blocked behind a lock the test holds), and fails the test after timeout.
func WaitForLockWaiter(t testing.TB, db *sql.DB, timeout time.Duration) {
	t.Helper()
	Poll(t, timeout, "a session waiting on a lock", func() (bool, error) {
		var n int
		err := db.QueryRow(`SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&n)
		return err == nil && n > 0, err
	})
}
