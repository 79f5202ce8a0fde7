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
