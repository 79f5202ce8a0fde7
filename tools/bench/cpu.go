package bench

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// CPU time is read from /proc, as the kernel accounts it: the service's process, the floor's,
// the PostgreSQL server's whole process tree and the machine's total. The load generator runs in
// this process and is counted only in the machine's total.

// clockTick is the unit of /proc's CPU times (USER_HZ, 100 on every Linux this runs on).
const clockTick = 10 * time.Millisecond

// cpuSample is the CPU consumed so far by each party.
type cpuSample struct {
	service, floor, db, machine time.Duration
	// statements and commits run so far in the benchmark's database (pg_stat_statements,
	// pg_stat_database); statements is -1 when pg_stat_statements is not loaded.
	statements, commits int64
}

// CPU is what one request cost, on average over a measured cell.
type CPU struct {
	// Server is the process that answered: the service, or the floor for the floor scenario.
	Server, DB, Machine time.Duration
	// Statements and Commits per request on the database, audit trail included: every
	// statement the server ran, counted by PostgreSQL itself (Statements is -1 when
	// pg_stat_statements is not loaded).
	Statements, Commits float64
}

// meter samples the parties of one run.
type meter struct {
	pool             *pgxpool.Pool
	service, floor   int // pids
	postmaster       int
	haveStatStatemts bool
}

// newMeter finds the PostgreSQL server's main process: the parent of this connection's
// backend, which must therefore run on this machine.
func newMeter(ctx context.Context, pool *pgxpool.Pool, service, floor int) (*meter, error) {
	var backend int
	if err := pool.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&backend); err != nil {
		return nil, err
	}
	st, err := readStat(backend)
	if err != nil {
		return nil, fmt.Errorf("bench: PostgreSQL must run on this machine to measure its CPU: %w", err)
	}
	m := &meter{pool: pool, service: service, floor: floor, postmaster: st.ppid}
	// pg_stat_statements counts every statement, the audit trail's included; it needs
	// shared_preload_libraries (scripts/localdb.sh sets it).
	if _, err := pool.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err == nil {
		var n int64
		m.haveStatStatemts = pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_statements`).Scan(&n) == nil
	}
	return m, nil
}

func (m *meter) sample(ctx context.Context) cpuSample {
	s := cpuSample{statements: -1}
	s.service = procCPU(m.service)
	s.floor = procCPU(m.floor)
	s.db = treeCPU(m.postmaster)
	s.machine = machineCPU()
	m.pool.QueryRow(ctx, `SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`).Scan(&s.commits)
	if m.haveStatStatemts {
		m.pool.QueryRow(ctx, `SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements
			WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&s.statements)
	}
	return s
}

// per divides what happened between two samples by the n requests served in between; the
// meter's own two queries are taken off the statement and commit counts.
func per(before, after cpuSample, n uint64, floor bool) CPU {
	if n == 0 {
		return CPU{}
	}
	d := float64(n)
	div := func(t time.Duration) time.Duration { return time.Duration(float64(t) / d) }
	c := CPU{DB: div(after.db - before.db), Machine: div(after.machine - before.machine),
		Commits: float64(after.commits-before.commits-2) / d, Statements: -1}
	c.Server = div(after.service - before.service)
	if floor {
		c.Server = div(after.floor - before.floor)
	}
	if before.statements >= 0 && after.statements >= 0 {
		c.Statements = float64(after.statements-before.statements-2) / d
	}
	return c
}

type procStat struct {
	ppid                         int
	utime, stime, cutime, cstime int64
}

// readStat parses /proc/pid/stat; the command name may hold spaces and parentheses, so the
// fields are counted from the last ')'.
func readStat(pid int) (procStat, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return procStat{}, fmt.Errorf("bench: malformed /proc/%d/stat", pid)
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3 (state)
	if len(f) < 15 {
		return procStat{}, fmt.Errorf("bench: short /proc/%d/stat", pid)
	}
	num := func(k int) int64 { v, _ := strconv.ParseInt(f[k-3], 10, 64); return v }
	return procStat{ppid: int(num(4)), utime: num(14), stime: num(15), cutime: num(16), cstime: num(17)}, nil
}

func procCPU(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	st, err := readStat(pid)
	if err != nil {
		return 0
	}
	return time.Duration(st.utime+st.stime) * clockTick
}

// treeCPU is the CPU of root and every live descendant, plus what root has reaped from
// children that ended (PostgreSQL backends end when their connection closes).
func treeCPU(root int) time.Duration {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	children := map[int][]int{}
	stats := map[int]procStat{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		st, err := readStat(pid)
		if err != nil {
			continue // ended meanwhile
		}
		stats[pid] = st
		children[st.ppid] = append(children[st.ppid], pid)
	}
	var ticks int64
	if st, ok := stats[root]; ok {
		ticks += st.cutime + st.cstime
	}
	for queue := []int{root}; len(queue) > 0; queue = queue[1:] {
		pid := queue[0]
		if st, ok := stats[pid]; ok {
			ticks += st.utime + st.stime
		}
		queue = append(queue, children[pid]...)
	}
	return time.Duration(ticks) * clockTick
}

// machineCPU is the busy time of every core (the cpu line of /proc/stat, idle and iowait
// excluded).
func machineCPU() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	f := strings.Fields(strings.SplitN(string(b), "\n", 2)[0])
	var ticks int64
	for k, v := range f[1:] {
		if k == 3 || k == 4 { // idle, iowait
			continue
		}
		if k >= 8 { // guest time is already inside user time
			break
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		ticks += n
	}
	return time.Duration(ticks) * clockTick
}

// Durability says how the database commits, for the report: fsync=off (the local cluster's
// setting for tests) understates every commit, the audit trail's included, so a run says which
// it measured and warns when it is not production's.
func Durability(ctx context.Context, pool *pgxpool.Pool) (string, error) {
	var fsync, syncCommit string
	if err := pool.QueryRow(ctx, `SELECT current_setting('fsync'), current_setting('synchronous_commit')`).Scan(&fsync, &syncCommit); err != nil {
		return "", fmt.Errorf("bench: durability settings: %w", err)
	}
	s := fmt.Sprintf("fsync=%s, synchronous_commit=%s", fsync, syncCommit)
	if fsync != "on" || syncCommit == "off" {
		s += " (**not production's**: every commit is understated; make bench sets both with scripts/localdb.sh durable)"
		fmt.Fprintf(os.Stderr, "bench: warning: %s\n", s)
	}
	return s, nil
}
