package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"createinfo/internal/replica"
	"createinfo/tools/dbtest"
	"createinfo/tools/demo"
)

// TestFailover runs the server over a primary and a standby made with pg_basebackup -R, named
// together in a multi-host DATABASE_URL, with 8 clients looking up through both ways in; kills
// the primary's postmaster (kill -9) and promotes the standby, as a failover manager would.
// Then, on the promoted node: every response that carried data has its audit row (matched by
// request id), auditverify finds the chain intact with the checkpoints the server logged,
// lookups resumed (the times are logged), the promoted standby left the read rotation and the
// primary change was counted.
//
// With a synchronous standby (synchronous_standby_names = 'ANY 1 (*)', AUDIT_SYNCHRONOUS_COMMIT
// on) no acknowledged row may be lost. With an asynchronous one the test only reports how many
// were: the README promises nothing there.
func TestFailover(t *testing.T) {
	if testing.Short() { // before the builds: a skipped test costs nothing
		t.Skip("needs PostgreSQL clusters of its own: not under -short")
	}
	verifier := build(t, "../auditverify")
	for _, mode := range []struct {
		name  string
		sync  bool
		attrs string // target_session_attrs: both must find the primary
	}{{"synchronous standby", true, "read-write"}, {"asynchronous standby", false, "primary"}} {
		t.Run(mode.name, func(t *testing.T) { failover(t, verifier, mode.sync, mode.attrs) })
	}
}

func failover(t *testing.T, verifier string, syncStandby bool, attrs string) {
	ctx := t.Context()
	poll := func(what string, cond func() bool) { t.Helper(); dbtest.Poll(t, what, 20*time.Second, cond) }
	// A standby whose primary is gone retries every wal_retrieve_retry_interval (5s by default),
	// and notices a promotion only then: a failover manager's standby is tuned the same way.
	primary := dbtest.NewCluster(t, "wal_retrieve_retry_interval=100ms")
	pdb := dbtest.SQL(t, primary.URL)
	if err := demo.Prepare(ctx, pdb); err != nil {
		t.Fatal(err)
	}
	standby := primary.NewReplica(t)
	state := "async"
	if syncStandby {
		// After the base backup: the standby, once promoted, names no standby of its own.
		for _, q := range []string{`ALTER SYSTEM SET synchronous_standby_names = 'ANY 1 (*)'`, `SELECT pg_reload_conf()`} {
			if _, err := pdb.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		state = "quorum"
	}
	poll("the standby to stream ("+state+")", func() bool {
		var n int
		pdb.QueryRow(`SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND sync_state = $1`, state).Scan(&n)
		return n == 1
	})

	metricsAddr := freeAddr(t)
	srv := startServer(t, "DATABASE_URL="+dbtest.MultiHostURL(attrs, primary, standby),
		"DATABASE_REPLICA_URLS="+standby.URL, "REPLICA_CHECK_INTERVAL=100ms", "METRICS_ADDR="+metricsAddr,
		"AUDIT_CHECKPOINT_INTERVAL=100ms", "AUDIT_HMAC_KEY=failover-audit-key-0123456789abcdef")

	// 8 clients, alternating the ways in, until told to stop (at most 4000 lookups each).
	type answer struct {
		id         string
		data       bool
		status     int
		body       string // of an answer without data
		start, end time.Time
	}
	var (
		mu       sync.Mutex
		answers  []answer
		withData atomic.Int64
		stop     = make(chan struct{})
		wg       sync.WaitGroup
	)
	client := &http.Client{Timeout: 10 * time.Second}
	for c := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 4000 {
				select {
				case <-stop:
					return
				default:
				}
				a := answer{id: fmt.Sprintf("failover-%d-%d", c, i), start: time.Now()}
				var req *http.Request
				if i%2 == 0 {
					req, _ = http.NewRequest("POST", srv.base+"/intranet/api/v1.0/createaccount/GetCreateInfo",
						strings.NewReader(`{"phone":"0988123456"}`))
				} else {
					req, _ = http.NewRequest("POST", srv.base+"/graphql",
						strings.NewReader(`{"query":"{ applications(phone: \"0988123456\") { seqNo status } }"}`))
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Request-Id", a.id)
				resp, err := client.Do(req)
				if err == nil {
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					a.status = resp.StatusCode
					a.data = resp.StatusCode == 200 && (strings.Contains(string(b), `"success":true`) ||
						strings.Contains(string(b), `"seqNo":`))
					if !a.data {
						a.body = string(b)
					}
				}
				a.end = time.Now()
				if a.data {
					withData.Add(1)
				}
				mu.Lock()
				answers = append(answers, a)
				mu.Unlock()
			}
		}()
	}
	poll("200 lookups before the failover", func() bool { return withData.Load() >= 200 })
	logsAtKill := len(srv.logs.String())
	killed := time.Now()
	primary.Kill(t)
	standby.Promote(t)
	promoted := time.Now()
	before := withData.Load()
	poll("200 lookups after the promotion", func() bool { return withData.Load() >= before+200 })
	close(stop)
	wg.Wait()

	// The server checks the primary every second (standby.Interval): wait for it to see the change.
	var metrics []byte
	poll("the server to count the change of primary", func() bool {
		resp, err := http.Get("http://" + metricsAddr + "/metrics")
		if err != nil {
			return false
		}
		metrics, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		return strings.Contains(string(metrics), "\ncreateinfo_db_primary_changes_total 1\n")
	})
	// /readyz reuses its verdict for a second: poll until it shows the promoted node.
	var ready []byte
	poll("readyz to show the promoted standby out of the read rotation", func() bool {
		resp, err := http.Get(srv.base + "/readyz")
		if err != nil {
			return false
		}
		ready, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		return strings.Contains(string(ready), "out of rotation")
	})
	srv.cmd.Process.Signal(syscall.SIGTERM) // the last checkpoint is logged on shutdown
	<-srv.exited

	// Lookups resumed: the first answer with data to a request sent after pg_ctl promote
	// returned, and the longest time without any answer with data from the kill on (the
	// killed postmaster's backends may still answer for a few milliseconds: a machine's crash
	// would not let them).
	var resumed time.Time
	var ends []time.Time
	refused, other := 0, map[string]int{}
	for _, a := range answers {
		switch {
		case a.data:
			ends = append(ends, a.end)
			if a.start.After(promoted) && (resumed.IsZero() || a.end.Before(resumed)) {
				resumed = a.end
			}
		case a.status == http.StatusServiceUnavailable || // GraphQL's errors come with 200
			a.status == http.StatusOK && strings.Contains(a.body, `"code":"SERVICE_UNAVAILABLE"`) && strings.HasSuffix(a.body, `"data":null}`):
			refused++
		default:
			other[fmt.Sprintf("%d %.200s", a.status, a.body)]++
		}
	}
	if resumed.IsZero() {
		t.Fatal("no lookup answered after the promotion")
	}
	slices.SortFunc(ends, time.Time.Compare)
	var gap time.Duration
	prev := killed
	for _, e := range ends {
		if e.After(killed) {
			gap = max(gap, e.Sub(prev))
			prev = e
		}
	}
	t.Logf("%d lookups answered with data (%d before the kill), %d answered SERVICE_UNAVAILABLE meanwhile; "+
		"pg_ctl promote returned %v after the kill, the first lookup sent after it was answered %v later; "+
		"longest time without an answered lookup from the kill on: %v",
		withData.Load(), before, refused, promoted.Sub(killed).Round(time.Millisecond),
		resumed.Sub(promoted).Round(time.Millisecond), gap.Round(time.Millisecond))
	if len(other) > 0 {
		t.Errorf("answers neither with data nor 503, by status and body (0: no answer): %v", other)
	}

	// The promoted node's trail.
	ndb := dbtest.SQL(t, standby.URL)
	audited := map[string]bool{}
	rows, err := ndb.Query(`SELECT request_id FROM audit.lookup`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		audited[id] = true
	}
	rows.Close()
	var lost []string
	for _, a := range answers {
		if a.data && !audited[a.id] {
			lost = append(lost, a.id)
		}
	}
	if syncStandby && len(lost) > 0 {
		t.Errorf("%d answered lookups have no audit row on the promoted standby, first %v", len(lost), lost[0])
	}
	t.Logf("acknowledged lookups whose audit row was lost in the failover: %d of %d", len(lost), withData.Load())

	checkpoints := regexp.MustCompile(`msg="audit checkpoint" checkpoint=(\S+)`).FindAllStringSubmatch(srv.logs.String(), -1)
	lastBefore := regexp.MustCompile(`msg="audit checkpoint" checkpoint=(\S+)`).FindAllStringSubmatch(srv.logs.String()[:logsAtKill], -1)
	if len(checkpoints) == 0 || len(lastBefore) == 0 {
		t.Fatalf("no audit checkpoint logged (%d, %d before the kill)", len(checkpoints), len(lastBefore))
	}
	for _, cp := range []struct{ when, sig string }{
		{"logged before the kill", lastBefore[len(lastBefore)-1][1]},
		{"logged on shutdown", checkpoints[len(checkpoints)-1][1]},
	} {
		verify := exec.Command(verifier, "-checkpoint", cp.sig)
		verify.Env = append(os.Environ(), "DATABASE_URL="+standby.URL)
		out, err := verify.CombinedOutput()
		switch {
		case err == nil && strings.HasPrefix(string(out), "audit chain intact: "):
			t.Logf("auditverify, checkpoint %s: %s", cp.when, strings.TrimSpace(string(out)))
		case !syncStandby && onlyRecordedBreaks(string(out)):
			// Asynchronous: the promoted node may lack rows the writer committed, or hold rows
			// whose commit it never heard of; when it finds a head it cannot explain, it says so
			// in the trail (a CHAIN_BREAK row), which is what auditverify reports here.
			t.Logf("auditverify, checkpoint %s, after an asynchronous failover, the writer recorded the break: %s", cp.when, strings.TrimSpace(string(out)))
		case syncStandby || cp.when == "logged on shutdown":
			t.Errorf("auditverify, checkpoint %s: %v: %s", cp.when, err, out)
		default: // asynchronous: rows lost after the checkpoint are found, as they should be
			t.Logf("auditverify, checkpoint %s, after an asynchronous failover: %s", cp.when, strings.TrimSpace(string(out)))
		}
	}

	// The server said at start what an acknowledged row survives.
	if want := fmt.Sprintf("survives_failover=%v", syncStandby); !strings.Contains(srv.logs.String(), want) {
		t.Errorf("no %q in the server's log", want)
	}
	// Audit commits that waited for the standby: some with a synchronous one, none without.
	waited := regexp.MustCompile(`\ncreateinfo_audit_standby_commit_duration_seconds_count (\d+)\n`).FindSubmatch(metrics)
	if waited == nil || (string(waited[1]) == "0") == syncStandby {
		t.Errorf("audit commits that waited for the standby: %q, want some only with a synchronous standby", waited)
	}
	name := replica.HostPort(standby.URL)
	if !strings.Contains(string(ready), "replica "+name+": out of rotation (not a replica: not in recovery)") {
		t.Errorf("the promoted standby is still a read replica:\n%s", ready)
	}
}

// onlyRecordedBreaks reports whether auditverify's output names at least one break and every
// break it names is a CHAIN_BREAK row the writer wrote (it found a head it could not explain),
// rather than a row edited, forged or missing.
func onlyRecordedBreaks(out string) bool {
	n := 0
	for _, l := range strings.Split(out, "\n") {
		if !strings.HasPrefix(l, "break: ") {
			continue
		}
		if !strings.Contains(l, "records a break the writer found") {
			return false
		}
		n++
	}
	return n > 0
}
