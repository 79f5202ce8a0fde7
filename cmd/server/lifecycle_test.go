package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"createinfo/tools/dbtest"
	"createinfo/tools/servertest"
)

// TestShutdownStopsEverything runs the service in this process (run, as main does), serves a
// lookup, ends run's context as SIGTERM would, and checks that run returns cleanly and leaves
// no goroutine behind: no background work (audit writer, limiter sweeps, standby watch,
// metrics listener), no HTTP server or connection, no pool. The audit writer was closed after
// the lookup's row: the last checkpoint is logged.
func TestShutdownStopsEverything(t *testing.T) {
	url := dbtest.URL(t)
	for k, v := range map[string]string{"DATABASE_URL": url, "LISTEN_ADDR": "127.0.0.1:0", "METRICS_ADDR": "127.0.0.1:0",
		"AUDIT_CHECKPOINT_INTERVAL": "1h", "REFUSED_PER_CLIENT": "3"} {
		t.Setenv(k, v)
	}
	readyFile := filepath.Join(t.TempDir(), "ready")
	logs := new(servertest.LogBuffer)
	before := servertest.TakeGoroutines()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	ran := make(chan error, 1)
	go func() { ran <- run(ctx, slog.New(slog.NewTextHandler(logs, nil)), readyFile) }()
	var addr []byte
	dbtest.Poll(t, "the server to write its ready file", 20*time.Second, func() bool {
		select {
		case err := <-ran:
			t.Fatalf("run returned at start: %v\n%s", err, logs.String())
		default:
		}
		addr, _ = os.ReadFile(readyFile)
		return len(addr) > 0
	})
	base := "http://" + strings.TrimSpace(string(addr))
	resp, err := http.Post(base+"/intranet/api/v1.0/createaccount/GetCreateInfo", "application/json",
		strings.NewReader(`{"phone":"0988123456"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("lookup: %d", resp.StatusCode)
	}
	http.DefaultClient.CloseIdleConnections()

	cancel()
	select {
	case err := <-ran:
		if err != nil {
			t.Fatalf("run: %v\n%s", err, logs.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("run did not return\n%s", logs.String())
	}
	var left []string
	t.Cleanup(func() {
		if t.Failed() && len(left) > 0 {
			t.Logf("goroutines left:\n%s", strings.Join(left, "\n\n"))
		}
	})
	dbtest.Poll(t, "no goroutine of the service after run returned", 5*time.Second, func() bool {
		left = servertest.TakeGoroutines().Since(before)
		return len(left) == 0
	})
	if !strings.Contains(logs.String(), "audit checkpoint") || !strings.Contains(logs.String(), "checkpoint=1.") {
		t.Errorf("no checkpoint of the lookup's row logged on shutdown:\n%s", logs.String())
	}
}
