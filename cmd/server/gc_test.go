package main

import (
	"runtime/debug"
	"testing"

	"createinfo/internal/config"
)

func TestTuneGCSetsTheRuntime(t *testing.T) {
	before, beforeLimit := debug.SetGCPercent(100), debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetGCPercent(before); debug.SetMemoryLimit(beforeLimit) })

	tuneGC(config.Config{GCPercent: 321, MemoryLimit: 77 << 20})
	if got := debug.SetGCPercent(321); got != 321 {
		t.Errorf("GC percent %d, want 321", got)
	}
	if got := debug.SetMemoryLimit(-1); got != 77<<20 {
		t.Errorf("memory limit %d, want %d", got, 77<<20)
	}
}
