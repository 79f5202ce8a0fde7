package dbtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// Cluster is a private PostgreSQL cluster of one test, which the test may stop and start
// again (to see the service lose and regain its database).
type Cluster struct {
	URL        string
	bin, data  string
	port       int
	asPostgres bool
	settings   []string
}

// NewCluster initialises and starts a cluster in a temporary folder, with the database
// "createinfo", and stops it when the test ends. settings are extra server settings
// ("shared_preload_libraries=pg_stat_statements").
func NewCluster(t testing.TB, settings ...string) *Cluster {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a PostgreSQL cluster of its own: not under -short")
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Strings(dirs)
	if len(dirs) == 0 {
		t.Fatal("dbtest: no PostgreSQL binaries under /usr/lib/postgresql (make test installs them)")
	}
	c := &Cluster{bin: dirs[len(dirs)-1], settings: settings}
	c.prepare(t)
	if out, err := c.run("initdb", "-D", c.data, "-U", "postgres", "--auth=trust", "-E", "UTF8"); err != nil {
		t.Fatalf("dbtest: initdb: %v\n%s", err, out)
	}
	c.Start(t)
	t.Cleanup(func() { c.run("pg_ctl", "-D", c.data, "-m", "immediate", "stop") })
	if out, err := c.run("psql", "-X", "-q", "-h", "127.0.0.1", "-p", strconv.Itoa(c.port), "-U", "postgres",
		"-c", "CREATE DATABASE createinfo"); err != nil {
		t.Fatalf("dbtest: create database: %v\n%s", err, out)
	}
	c.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/createinfo?sslmode=disable", c.port)
	return c
}

// prepare makes the cluster's folder, owned by postgres when running as root, and picks a
// free port.
func (c *Cluster) prepare(t testing.TB) {
	t.Helper()
	dir, err := os.MkdirTemp("", "createinfo-cluster-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	c.data = filepath.Join(dir, "data")
	if u, _ := user.Current(); u != nil && u.Uid == "0" {
		c.asPostgres = true // PostgreSQL refuses to run as root
		pg, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("dbtest: running as root needs the postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(pg.Uid)
		gid, _ := strconv.Atoi(pg.Gid)
		os.Chown(dir, uid, gid)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c.port = l.Addr().(*net.TCPAddr).Port
	l.Close()
}

// NewReplica makes a streaming replica of the cluster (pg_basebackup -R: a standby that
// follows the primary over a replication connection), starts it on a port of its own with
// the same settings, and stops it when the test ends. Its URL names the same database.
func (c *Cluster) NewReplica(t testing.TB) *Cluster {
	t.Helper()
	r := &Cluster{bin: c.bin, settings: c.settings}
	r.prepare(t)
	if out, err := r.run("pg_basebackup", "-D", r.data, "-R", "-X", "stream", "-c", "fast",
		"-h", "127.0.0.1", "-p", strconv.Itoa(c.port), "-U", "postgres"); err != nil {
		t.Fatalf("dbtest: pg_basebackup: %v\n%s", err, out)
	}
	r.Start(t)
	t.Cleanup(func() { r.run("pg_ctl", "-D", r.data, "-m", "immediate", "stop") })
	r.URL = strings.Replace(c.URL, ":"+strconv.Itoa(c.port)+"/", ":"+strconv.Itoa(r.port)+"/", 1)
	return r
}

// Start starts the cluster (again).
func (c *Cluster) Start(t testing.TB) {
	t.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", c.port, filepath.Dir(c.data))
	for _, s := range c.settings {
		opts += " -c " + s
	}
	if out, err := c.run("pg_ctl", "-D", c.data, "-l", c.data+".log", "-w", "-o", opts, "start"); err != nil {
		t.Fatalf("dbtest: start: %v\n%s", err, out)
	}
}

// Stop stops the cluster at once, dropping every connection.
func (c *Cluster) Stop(t testing.TB) {
	t.Helper()
	if out, err := c.run("pg_ctl", "-D", c.data, "-m", "immediate", "-w", "stop"); err != nil {
		t.Fatalf("dbtest: stop: %v\n%s", err, out)
	}
}

func (c *Cluster) run(name string, args ...string) ([]byte, error) {
	path := filepath.Join(c.bin, name)
	if c.asPostgres {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...).CombinedOutput()
	}
	return exec.Command(path, args...).CombinedOutput()
}

// MultiHostURL is the URL of the database createinfo on every node, in order, with
// target_session_attrs=attrs: what a client of a failover pair is given, so that it finds the
// node that is the primary now.
func MultiHostURL(attrs string, nodes ...*Cluster) string {
	var hosts []string
	for _, n := range nodes {
		hosts = append(hosts, "127.0.0.1:"+strconv.Itoa(n.port))
	}
	return "postgres://postgres@" + strings.Join(hosts, ",") + "/createinfo?sslmode=disable&target_session_attrs=" + attrs
}

// Kill sends SIGKILL to the cluster's postmaster, as a crash of its machine would stop it: no
// shutdown checkpoint, no goodbye to its clients or standbys. (Its backends notice the
// postmaster's death and exit.)
func (c *Cluster) Kill(t testing.TB) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(c.data, "postmaster.pid"))
	if err != nil {
		t.Fatalf("dbtest: postmaster.pid: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if err != nil {
		t.Fatalf("dbtest: postmaster.pid: %v", err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("dbtest: kill -9 %d: %v", pid, err)
	}
}

// Promote makes a standby the primary (pg_ctl promote) and returns once it accepts writes.
func (c *Cluster) Promote(t testing.TB) {
	t.Helper()
	if out, err := c.run("pg_ctl", "-D", c.data, "-w", "promote"); err != nil {
		t.Fatalf("dbtest: promote: %v\n%s", err, out)
	}
}
