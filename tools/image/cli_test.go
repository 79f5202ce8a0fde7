package image

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"createinfo/tools/dbtest"
)

// TestEveryCommandHelp runs each binary of the module with -h, --help, an unknown flag and
// -version: help and version exit 0 having done nothing else (against an empty database that
// migrate and seed would fill, and a free port the server would hold), an unknown flag exits 2
// with the usage.
func TestEveryCommandHelp(t *testing.T) {
	if len(commands) != 10 {
		t.Fatalf("found commands %v, want the 10 of cmd/ and tools/cmd/", commands)
	}
	admin := dbtest.SQL(t, os.Getenv("DATABASE_URL"))
	const name = "createinfo_test_help_acts_not"
	admin.Exec("DROP DATABASE IF EXISTS " + name)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)") })
	u, err := url.Parse(os.Getenv("DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	empty := u.String()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	rev := gitHead(t)

	for _, c := range commands {
		t.Run(c, func(t *testing.T) {
			for _, h := range []string{"-h", "--help", "-help"} {
				code, stdout, stderr := runCmd(t, c, empty, addr, h)
				if code != 0 || !strings.HasPrefix(stdout, "usage: ") || !strings.Contains(stdout, "-version") || stderr != "" {
					t.Errorf("%s %s: exit %d\nstdout: %s\nstderr: %s", c, h, code, stdout, stderr)
				}
			}
			code, stdout, stderr := runCmd(t, c, empty, addr, "-no-such-flag")
			if code != 2 || stdout != "" || !strings.HasPrefix(stderr, "flag provided but not defined: -no-such-flag\nusage: ") {
				t.Errorf("%s -no-such-flag: exit %d\nstdout: %s\nstderr: %s", c, code, stdout, stderr)
			}
			code, stdout, stderr = runCmd(t, c, empty, addr, "-version")
			f := strings.Fields(stdout)
			if code != 0 || len(f) != 4 || f[0] != c || f[1] == "" || !strings.HasPrefix(f[3], "go1.") || stderr != "" {
				t.Errorf("%s -version: exit %d\nstdout: %s\nstderr: %s", c, code, stdout, stderr)
			} else if rev != "" && strings.TrimSuffix(f[2], "+modified") != rev {
				t.Errorf("%s -version: revision %s, want HEAD %s", c, f[2], rev)
			}
		})
	}

	// Nothing acted: the empty database is still empty (migrate would create the audit schema,
	// seed the account schema).
	db := dbtest.SQL(t, empty)
	var schemas int
	if err := db.QueryRow(`SELECT count(*) FROM pg_namespace WHERE nspname NOT LIKE 'pg_%' AND nspname NOT IN ('public', 'information_schema')`).Scan(&schemas); err != nil {
		t.Fatal(err)
	}
	if schemas != 0 {
		t.Errorf("a command acted on -h, --help or -version: %d schemas created", schemas)
	}
}

// runCmd runs a built command with DATABASE_URL and LISTEN_ADDR set, as a user who types
// -h in a configured shell would; a command that starts serving instead is killed and fails.
func runCmd(t *testing.T, name, url, addr string, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, name), args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "DATABASE_URL="+url, "LISTEN_ADDR="+addr)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s %v did not exit within 20s (it acted instead):\n%s", name, args, stderr.String())
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

// gitHead is the commit the binaries were built from, or "" when the go command does not stamp
// it: without git, or in a git worktree (whose .git is a file, which go build does not read).
func gitHead(t *testing.T) string {
	if fi, err := os.Stat("../../.git"); err != nil || !fi.IsDir() {
		t.Logf("not a git clone: the revision is not compared")
		return ""
	}
	out, err := exec.Command("git", "-C", "../..", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Logf("no git: the revision is not compared (%v)", err)
		return ""
	}
	return strings.TrimSpace(string(out))
}

// TestConfigErrorsOnePerLine: the commands that read the configuration print its errors one
// per line, as config.Errors writes them, not as one quoted log value.
func TestConfigErrorsOnePerLine(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
	}{{"server", nil}, {"seed", []string{"-demo"}}, {"auditverify", nil}} {
		cmd := exec.Command(filepath.Join(binDir, c.name), c.args...)
		cmd.Env = append(os.Environ(), "DATABASE_URL=", "APP_ENV=production", "API_KEYS=", "AUDIT_HMAC_KEY=", "AUDIT_CHAIN_KEY=")
		out, err := cmd.CombinedOutput()
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if cmd.ProcessState.ExitCode() != 1 || len(lines) != 5 || lines[0] != "config: 4 setting(s) to fix:" {
			t.Errorf("%s: %v\n%s", c.name, err, out)
			continue
		}
		for i, name := range []string{"AUDIT_CHAIN_KEY ", "OIDC_ISSUER or API_KEYS ", "AUDIT_HMAC_KEY ", "DATABASE_URL "} {
			if !strings.HasPrefix(lines[i+1], "  "+name) {
				t.Errorf("%s: line %d %q, want the setting %s first", c.name, i+1, lines[i+1], name)
			}
		}
	}
}

// TestMakeRunRefusesTakenPort: `make run` with its port taken stops before it starts a
// database, builds or seeds anything, with one line on stderr naming the port and the way out.
func TestMakeRunRefusesTakenPort(t *testing.T) {
	if testing.Short() {
		t.Skip("runs make: not under -short")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "make", "-s", "-C", "../..", "run", "LISTEN_ADDR=127.0.0.1:"+strconv.Itoa(port))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second // were the check gone, make would start a server holding the pipes
	err = cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("make run with its port taken: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	want := "make run: port " + strconv.Itoa(port) + " is taken by another process: stop it, or choose another port: make run LISTEN_ADDR=:8081"
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if lines[0] != want || stdout.Len() != 0 {
		t.Errorf("stdout %q, stderr %q: want nothing on stdout and first the line %q", stdout.String(), stderr.String(), want)
	}
	for _, l := range lines[1:] {
		if !regexp.MustCompile(`^make(\[[0-9]+\])?: \*\*\* `).MatchString(l) { // make's own note of the failed recipe (make[1] under make test)
			t.Errorf("more than the one line: %q", l)
		}
	}
}
