package main

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"createinfo/tools/dbtest"
)

func TestMain(m *testing.M) {
	code := dbtest.Run(m)
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// TestSIGTERMFinishesInFlightRequests runs the real binary, holds a lookup on a table lock,
// sends SIGTERM, and checks that readiness turns 503 at once (DRAIN_DELAY) while the lookup
// still completes with 200 once the lock goes, and that the process then exits cleanly.
func TestSIGTERMFinishesInFlightRequests(t *testing.T) {
	url := dbtest.URL(t)
	p := startServer(t, "DATABASE_URL="+url, "REQUEST_TIMEOUT=20s", "STATEMENT_TIMEOUT=20s", "DRAIN_DELAY=1s")
	cmd, base, logs := p.cmd, p.base, p.logs

	db, _ := sql.Open("pgx", url)
	defer db.Close()
	tx, _ := db.BeginTx(context.Background(), nil)
	defer tx.Rollback()
	if _, err := tx.Exec(`LOCK TABLE account.create_master IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	type result struct {
		status int
		body   string
	}
	done := make(chan result, 1)
	go func() {
		resp, err := http.Post(base+"/intranet/api/v1.0/createaccount/GetCreateInfo", "application/json",
			strings.NewReader(`{"phone":"0988123456"}`))
		if err != nil {
			done <- result{0, err.Error()}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		done <- result{resp.StatusCode, string(b)}
	}()
	dbtest.WaitForLockWaiter(t, db, 10*time.Second) // the lookup is now waiting on the lock
	cmd.Process.Signal(syscall.SIGTERM)
	// Readiness turns 503 once the signal is handled, and stays so for DRAIN_DELAY (1s)
	// before the listener closes: poll for it.
	dbtest.Poll(t, "/readyz to answer 503 after SIGTERM", 5*time.Second, func() bool {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			t.Fatalf("readiness while draining: %v", err)
		}
		resp.Body.Close()
		return resp.StatusCode == 503
	})
	select {
	case r := <-done:
		t.Fatalf("the lookup ended before the lock went: %d %s", r.status, r.body)
	default:
	}
	tx.Rollback()
	r := <-done
	if r.status != 200 || !strings.Contains(r.body, `"success":true`) {
		t.Errorf("in-flight lookup: %d %s", r.status, r.body)
	}
	select {
	case <-p.exited: // the harness waits on the process
		if st := cmd.ProcessState; !st.Success() {
			t.Errorf("exit: %v\n%s", st, logs.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("the server did not exit")
	}
	if !strings.Contains(logs.String(), "shutting down") {
		t.Errorf("logs:\n%s", logs.String())
	}
}
