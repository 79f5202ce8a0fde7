package servertest

import (
	"runtime"
	"strings"
)

// Goroutines are the goroutines of the process, other than the caller's, that run the
// service's own code or hold one of its resources (a pool's connection opener, an HTTP
// server or one of its connections), by id, each with its stack. Tests take them before and
// after a step and compare (Since): a constructor must start none, a Close must leave none.
type Goroutines map[string]string

// Owned is the part of a stack that makes a goroutine the service's.
var owned = []string{"createinfo/", "database/sql.", "net/http.(*Server).Serve", "net/http.(*conn).serve"}

// TakeGoroutines lists the service's goroutines now.
func TakeGoroutines() Goroutines {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	stacks := strings.Split(string(buf), "\n\n")
	g := Goroutines{}
	for _, s := range stacks[1:] { // the first is the caller's
		id, _, _ := strings.Cut(strings.TrimPrefix(s, "goroutine "), " ")
		for _, o := range owned {
			if strings.Contains(s, o) {
				g[id] = s
				break
			}
		}
	}
	return g
}

// Since is the goroutines of g that were not in before.
func (g Goroutines) Since(before Goroutines) []string {
	var out []string
	for id, s := range g {
		if _, ok := before[id]; !ok {
			out = append(out, s)
		}
	}
	return out
}
