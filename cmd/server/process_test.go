package main

import (
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"createinfo/tools/dbtest"
	"createinfo/tools/servertest"
)

// The tests of this package run the real binaries, built once per test binary.
var (
	buildDir  string
	buildMu   sync.Mutex
	buildsErr = map[string]error{}
)

// build compiles the command in pkg (relative to this package) once and returns its path.
func build(t *testing.T, pkg string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if buildDir == "" {
		dir, err := os.MkdirTemp("", "createinfo-cmd-test-")
		if err != nil {
			t.Fatal(err)
		}
		buildDir = dir
	}
	name := filepath.Base(pkg)
	if pkg == "." {
		name = "server"
	}
	bin := filepath.Join(buildDir, name)
	err, done := buildsErr[pkg]
	if !done {
		if out, e := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); e != nil {
			err = &buildError{pkg, e, out}
		}
		buildsErr[pkg] = err
	}
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

type buildError struct {
	pkg string
	err error
	out []byte
}

func (e *buildError) Error() string {
	return "build " + e.pkg + ": " + e.err.Error() + "\n" + string(e.out)
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// process is a server started by startServer.
type process struct {
	cmd  *exec.Cmd
	base string // http://host:port
	logs *servertest.LogBuffer
	// exited closes once the process has ended (its Wait is the harness's: wait on this).
	exited <-chan struct{}
}

// startServer starts the server with env (added to this process's) on a free loopback address,
// waits until /readyz answers 200, and ends it when the test ends. Its log goes into the test
// output, where scripts/check-logs.sh looks for personal data.
func startServer(t *testing.T, env ...string) *process {
	t.Helper()
	addr := freeAddr(t)
	p := &process{cmd: exec.Command(build(t, ".")), base: "http://" + addr, logs: new(servertest.LogBuffer)}
	p.cmd.Env = append(append(os.Environ(), env...), "LISTEN_ADDR="+addr)
	p.cmd.Stderr = p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// exited closes when the process ends, so that a server that stops at start (a bad
	// setting, a database it cannot reach) fails the wait at once instead of at its timeout.
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = p.cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-exited
		t.Logf("server log:\n%s", p.logs.String())
	})
	dbtest.Poll(t, "the server to be ready", 20*time.Second, func() bool {
		select {
		case <-exited:
			t.Fatalf("the server exited before it was ready: %v", waitErr)
		default:
		}
		resp, err := http.Get(p.base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	p.exited = exited
	return p
}

// wait waits for the process to end (the harness holds its Wait) and returns its exit status
// as an error when it did not exit 0.
func (p *process) wait() error {
	<-p.exited
	if st := p.cmd.ProcessState; !st.Success() {
		return errors.New(st.String())
	}
	return nil
}
