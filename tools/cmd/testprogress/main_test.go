package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestRead: one closing line per package as go test prints it, compile errors shown, the
// tests' own output only in the log, and failure reported.
func TestRead(t *testing.T) {
	in := strings.Join([]string{
		`{"Action":"start","Package":"m/a"}`,
		`{"Action":"output","Package":"m/a","Test":"TestX","Output":"=== RUN   TestX\n"}`,
		`{"Action":"output","Package":"m/a","Test":"TestX","Output":"--- PASS: TestX (0.00s)\n"}`,
		`{"Action":"pass","Package":"m/a","Test":"TestX","Elapsed":0}`,
		`{"Action":"output","Package":"m/a","Output":"ok  \tm/a\t0.250s\n"}`,
		`{"Action":"pass","Package":"m/a","Elapsed":0.25}`,
		`{"ImportPath":"m/b","Action":"build-output","Output":"b.go:1: undefined: x\n"}`,
		`{"ImportPath":"m/b","Action":"build-fail"}`,
		`{"Action":"fail","Package":"m/b","Elapsed":0,"FailedBuild":"m/b"}`,
		`{"Action":"skip","Package":"m/c","Elapsed":0}`,
		`go: something outside the events`,
	}, "\n") + "\n"
	var out, log bytes.Buffer
	p := &progress{out: &out, log: &log, start: time.Now(), running: map[string]bool{}}
	if !p.read(strings.NewReader(in)) {
		t.Error("a failed build was not reported as a failure")
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{"ok  \tm/a\t0.250s\t(", "b.go:1: undefined: x", "FAIL\tm/b [build failed]\t(", "?   \tm/c\t[no test files]\t(", "go: something"}
	if len(lines) != len(want) {
		t.Fatalf("stdout:\n%s", out.String())
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d %q, want %q…", i, lines[i], w)
		}
	}
	if !strings.Contains(log.String(), "=== RUN   TestX\n--- PASS: TestX (0.00s)\nok  \tm/a\t0.250s\n") || strings.Contains(out.String(), "TestX") {
		t.Errorf("log:\n%s\nstdout:\n%s", log.String(), out.String())
	}
	if p.done != 3 || len(p.running) != 0 {
		t.Errorf("done %d running %v", p.done, p.running)
	}
}
