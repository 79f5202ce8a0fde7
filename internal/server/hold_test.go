package server_test

import (
	"database/sql"
	"net/http"
	"strings"
	"testing"
	"time"

	"createinfo/internal/legacy"
	"createinfo/tools/dbtest"
	"createinfo/tools/servertest"
)

// holdLookup takes an exclusive lock on account.create_master and starts a legacy lookup of the
// demo phone, which takes a lookup slot and then waits on the lock; it returns once PostgreSQL
// shows the lookup waiting. release lifts the lock, lets the lookup finish and returns its HTTP
// status (0 when the request failed).
func holdLookup(t *testing.T, env *servertest.Env) (release func() int) {
	t.Helper()
	db, err := sql.Open("pgx", env.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback() })
	if _, err := tx.Exec(`LOCK TABLE account.create_master IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	held := make(chan int, 1)
	go func() {
		resp, err := http.Post(env.URL+legacy.Path, "application/json", strings.NewReader(`{"phone":"0988123456"}`))
		if err != nil {
			held <- 0
			return
		}
		resp.Body.Close()
		held <- resp.StatusCode
	}()
	dbtest.WaitForLockWaiter(t, db, 10*time.Second)
	return func() int {
		tx.Rollback()
		return <-held
	}
}
