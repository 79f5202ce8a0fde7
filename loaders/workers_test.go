package loaders

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"createinfo/tools/dbtest"
)

// onWorker runs f through l.Go and reports whether it ran on one of the source's workers
// (its goroutine's stack starts in a worker's loop), once it has returned.
func onWorker(l *Loaders) bool {
	done := make(chan bool)
	l.Go(func() {
		buf := make([]byte, 8<<10)
		done <- strings.Contains(string(buf[:runtime.Stack(buf, false)]), "loaders.(*workers).loop")
	})
	return <-done
}

// Loaders.Go runs its function on the source's long-lived workers once Start has started
// them, on a goroutine of its own before Start and after Close (never waiting for a worker),
// and Close stops every worker.
func TestGoRunsOnTheWorkers(t *testing.T) {
	s := NewSource(nil, time.Millisecond, 0)
	l := s.New()
	base := runtime.NumGoroutine()
	if onWorker(l) {
		t.Fatal("a function ran on a worker before Start")
	}
	s.Start()
	s.Start() // once
	if n := runtime.NumGoroutine(); n != base+Workers {
		t.Fatalf("Start: %d goroutines more, want %d", n-base, Workers)
	}
	// A worker takes a function only once it waits for one: poll until one does.
	dbtest.Poll(t, "a function to run on a worker", 5*time.Second, func() bool { return onWorker(l) })
	s.Close()
	s.Close() // once
	dbtest.Poll(t, "the workers to stop", 5*time.Second, func() bool { return runtime.NumGoroutine() == base })
	if onWorker(l) {
		t.Fatal("a function ran on a worker after Close")
	}
}
