package bench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"time"
)

// Process is a server started for the benchmark, with its JSON request log read as it comes.
type Process struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has ended

	mu       sync.Mutex
	cond     *sync.Cond
	requests int   // request lines seen
	last     int64 // statements of the last one
}

// Start runs name with args and env (added to this process's), waits until url answers, and
// reads the process's log: lines that are JSON request records are counted, others echoed
// to logw.
func Start(name string, args, env []string, url string, logw io.Writer) (*Process, error) {
	// Whatever answers url before the process starts is another server (an earlier run still
	// going): measuring it would report figures of the wrong binary.
	if resp, err := http.Get(url); err == nil {
		resp.Body.Close()
		return nil, fmt.Errorf("bench: %s already answers before %s starts: another server holds its port", url, name)
	}
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdout = logw
	p := &Process{cmd: cmd}
	p.cond = sync.NewCond(&p.mu)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: start %s: %w", name, err)
	}
	go p.read(stderr, logw)
	p.exited = make(chan struct{})
	go func() { cmd.Wait(); close(p.exited) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-p.exited:
			return nil, fmt.Errorf("bench: %s exited at start (see its log above)", name)
		default:
		}
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			return p, nil
		}
		if time.Now().After(deadline) {
			p.Stop()
			return nil, fmt.Errorf("bench: %s did not answer at %s", name, url)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (p *Process) read(r io.Reader, logw io.Writer) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		var rec struct {
			Msg        string `json:"msg"`
			Statements *int64 `json:"statements"`
		}
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "request" && rec.Statements != nil {
			p.mu.Lock()
			p.requests++
			p.last = *rec.Statements
			p.cond.Broadcast()
			p.mu.Unlock()
			continue
		}
		fmt.Fprintln(logw, sc.Text())
	}
}

// Requests is the number of request lines logged so far.
func (p *Process) Requests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.requests
}

// WaitRequest waits for the request line after the first `after` ones and returns its
// statement count.
func (p *Process) WaitRequest(after int, timeout time.Duration) (int64, error) {
	timer := time.AfterFunc(timeout, func() { p.mu.Lock(); p.cond.Broadcast(); p.mu.Unlock() })
	defer timer.Stop()
	start := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.requests <= after {
		if time.Since(start) >= timeout {
			return 0, fmt.Errorf("bench: no request line within %v", timeout)
		}
		p.cond.Wait()
	}
	return p.last, nil
}

// Pid is the process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Stop ends the process with SIGTERM, as an orchestrator would.
func (p *Process) Stop() error {
	p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.exited:
		return nil
	case <-time.After(20 * time.Second):
		p.cmd.Process.Kill()
		return fmt.Errorf("bench: process did not stop")
	}
}
