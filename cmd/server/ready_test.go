package main

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"createinfo/tools/dbtest"
)

// TestReadyFile: the server writes -ready-file only once it has bound LISTEN_ADDR (make run
// prints its banner on it), so the first request after the file appears is served without a
// retry; its "serving" line names the bound address. With the port taken it writes no file,
// exits 1 and says which setting to change.
func TestReadyFile(t *testing.T) {
	url := dbtest.URL(t)
	bin := build(t, ".")
	ready := filepath.Join(t.TempDir(), "ready")
	addr := freeAddr(t)
	cmd := exec.Command(bin, "-ready-file", ready)
	var logs bytes.Buffer
	cmd.Env = append(os.Environ(), "DATABASE_URL="+url, "LISTEN_ADDR="+addr)
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill(); <-exited })
	var got []byte
	dbtest.Poll(t, "the ready file", 20*time.Second, func() bool {
		select {
		case err := <-exited:
			t.Fatalf("server exited: %v", err)
		default:
		}
		b, err := os.ReadFile(ready)
		got = b
		return err == nil && len(b) > 0
	})
	if strings.TrimSpace(string(got)) != addr {
		t.Errorf("ready file %q, want %s", got, addr)
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("first request after the ready file: %v", err)
	}
	resp.Body.Close()

	// The port is now taken: a second server refuses, names LISTEN_ADDR, writes no file.
	second := filepath.Join(t.TempDir(), "ready")
	c2 := exec.Command(bin, "-ready-file", second)
	c2.Env = append(os.Environ(), "DATABASE_URL="+url, "LISTEN_ADDR="+addr)
	out, err := c2.CombinedOutput()
	if c2.ProcessState.ExitCode() != 1 || !strings.Contains(string(out), "listen on LISTEN_ADDR="+addr) ||
		!strings.Contains(string(out), "address already in use") {
		t.Errorf("second server on a taken port: %v\n%s", err, out)
	}
	if _, err := os.Stat(second); !os.IsNotExist(err) {
		t.Errorf("second server wrote its ready file: %v", err)
	}
	if !strings.Contains(logs.String(), "msg=serving addr="+addr) {
		t.Errorf("no serving line with the bound address:\n%s", logs.String())
	}
}
