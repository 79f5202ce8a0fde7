// Command testprogress reads `go test -json` on stdin and shows where the run is: go test's own
// closing line for each package (ok, FAIL, or no test files) as soon as that package finishes,
// with the time since the start, and a line every -every while nothing finishes. The full text
// output, as `go test -v` would have printed it, goes to the -log file for the log checks.
//
//	go test -json ./... 2>&1 | testprogress -log .localdb/test.log
//
// It exits 1 when a package failed or the input held a build failure, so that a pipeline with
// pipefail fails with go test.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"createinfo/internal/cli"
)

func main() {
	fs := flag.NewFlagSet("testprogress", flag.ContinueOnError)
	logPath := fs.String("log", "", "write the full text output to this `file`")
	every := fs.Duration("every", 10*time.Second, "print a progress line when nothing finished for this long")
	cli.Parse(fs, "usage: go test -json ./... 2>&1 | testprogress -log file\n\n"+
		"Prints go test's closing line per package as it finishes, with progress while it runs.", os.Args[1:])
	log := io.Discard
	if *logPath != "" {
		f, err := os.Create(*logPath)
		if err != nil {
			fmt.Fprintln(os.Stderr, "testprogress:", err)
			os.Exit(1)
		}
		defer f.Close()
		log = f
	}
	p := &progress{out: os.Stdout, log: log, start: time.Now(), running: map[string]bool{}}
	stop := make(chan struct{})
	go p.tick(*every, stop)
	failed := p.read(os.Stdin)
	close(stop)
	p.mu.Lock()
	fmt.Fprintf(p.out, "%d packages in %s\n", p.done, since(p.start))
	p.mu.Unlock()
	if failed {
		os.Exit(1)
	}
}

// event is the part of test2json's output this command reads.
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
	// FailedBuild names the package whose compile failed the test binary.
	FailedBuild string
}

type progress struct {
	out, log io.Writer
	start    time.Time

	mu      sync.Mutex
	running map[string]bool // packages started and not yet finished
	done    int
	last    time.Time // of the last line printed
}

// read copies the events' output to the log and prints a line per finished package; it
// reports whether anything failed.
func (p *progress) read(r io.Reader) (failed bool) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			// Not an event (go's own errors before the tests run): keep it and show it.
			fmt.Fprintf(p.log, "%s\n", line)
			p.print("%s\n", line)
			if strings.HasPrefix(string(line), "FAIL") {
				failed = true
			}
			continue
		}
		if e.Output != "" {
			io.WriteString(p.log, e.Output)
		}
		if e.Test != "" {
			continue
		}
		switch e.Action {
		case "build-output":
			// A compile error: shown as go test would show it.
			p.print("%s", e.Output)
		case "start":
			p.mu.Lock()
			p.running[e.Package] = true
			p.mu.Unlock()
		case "build-fail":
			failed = true
		case "pass", "fail", "skip":
			if e.Action == "fail" {
				failed = true
			}
			p.mu.Lock()
			delete(p.running, e.Package)
			p.done++
			p.mu.Unlock()
			p.print("%s\t(%s)\n", closing(e), since(p.start))
		}
	}
	return failed
}

// closing is go test's own closing line for a package, as CI and people read it.
func closing(e event) string {
	switch e.Action {
	case "pass":
		return fmt.Sprintf("ok  \t%s\t%.3fs", e.Package, e.Elapsed)
	case "fail":
		if e.FailedBuild != "" {
			return fmt.Sprintf("FAIL\t%s [build failed]", e.Package)
		}
		return fmt.Sprintf("FAIL\t%s\t%.3fs", e.Package, e.Elapsed)
	}
	return fmt.Sprintf("?   \t%s\t[no test files]", e.Package)
}

func (p *progress) print(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.out, format, args...)
	p.last = time.Now()
}

// tick prints what is running whenever nothing was printed for every.
func (p *progress) tick(every time.Duration, stop <-chan struct{}) {
	t := time.NewTicker(every / 5)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			p.mu.Lock()
			if now.Sub(p.last) >= every && now.Sub(p.start) >= every {
				what := "compiling the test binaries"
				if n := len(p.running); n > 0 {
					what = fmt.Sprintf("%d package(s) running or compiling, e.g. %s", n, any1(p.running))
				}
				fmt.Fprintf(p.out, "  … %s; %d finished (%s)\n", what, p.done, since(p.start))
				p.last = now
			}
			p.mu.Unlock()
		}
	}
}

func any1(m map[string]bool) string {
	for k := range m {
		return k
	}
	return ""
}

func since(t time.Time) string { return time.Since(t).Round(time.Second).String() }
