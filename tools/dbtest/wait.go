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

// Until polls cond until it holds, and fails the test after timeout naming what it waited
// for: tests synchronise on the condition itself, never on a sleep.
func Until(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(timeout); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %v", what, timeout)
		}
	}
}
