package server_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"createinfo/internal/audit"
	"createinfo/internal/server"
	"createinfo/loaders"
	"createinfo/tools/dbtest"
	"createinfo/tools/servertest"
)

// TestConstructorsStartNoGoroutine: building the service (its audit writer, its handler with
// the refusal limiter on) starts no goroutine; Start starts exactly the background work (the
// writer's loop, the limiter's sweeps, the loaders' workers), and Close stops all of it. No
// PostgreSQL: nothing is written.
func TestConstructorsStartNoGoroutine(t *testing.T) {
	sqlDB, db := servertest.Unreachable(t)
	before := servertest.TakeGoroutines()
	w := audit.NewWriter(sqlDB, audit.Options{HMACKey: servertest.HMACKey, ChainKey: servertest.ChainKey})
	s := server.New(server.Options{DB: db, Audit: w, RefusedPerClient: 3, RefusedWindow: time.Hour,
		CodeCacheTTL: time.Minute, Log: slog.New(slog.DiscardHandler)})
	if extra := servertest.TakeGoroutines().Since(before); len(extra) != 0 {
		t.Fatalf("the constructors started %d goroutines:\n%s", len(extra), strings.Join(extra, "\n\n"))
	}
	w.Start()
	s.Start()
	if extra := servertest.TakeGoroutines().Since(before); len(extra) != 2+loaders.Workers {
		t.Errorf("Start: %d goroutines, want the writer's, the limiter's and %d workers:\n%s", len(extra), loaders.Workers, strings.Join(extra, "\n\n"))
	}
	s.Close()
	w.Close()
	dbtest.Poll(t, "no goroutine of the service after Close", 5*time.Second, func() bool {
		return len(servertest.TakeGoroutines().Since(before)) == 0
	})
}
