package main

import (
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"createinfo/tools/dbtest"
)

// TestTwoInstancesShareOneAuditChain runs two server processes on one database, as two
// instances behind a load balancer, drives both at once with lookups (bounded, loopback), and
// checks with the auditverify command that the chain both wrote is intact, with exactly one
// row per lookup, each carrying its request's trace id. One instance serves /metrics
// (METRICS_ADDR), whose counters must match the lookups it took.
func TestTwoInstancesShareOneAuditChain(t *testing.T) {
	url := dbtest.URL(t)
	verifier := build(t, "../auditverify")
	metricsAddr := freeAddr(t)
	var bases []string
	for i := range 2 {
		env := []string{"DATABASE_URL=" + url, "AUDIT_HMAC_KEY=shared-audit-key-of-both-instances-0123"}
		if i == 0 {
			env = append(env, "METRICS_ADDR="+metricsAddr)
		}
		base := startServer(t, env...).base
		bases = append(bases, base)
	}

	// 8 clients, 25 lookups each, alternating instances: 200 lookups in all.
	const clients, each = 8, 25
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		failed []string
	)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				base := bases[(c+i)%2]
				req, _ := http.NewRequest("POST", base+"/intranet/api/v1.0/createaccount/GetCreateInfo",
					strings.NewReader(`{"phone":"0988123456"}`))
				req.Header.Set("X-Request-Id", fmt.Sprintf("two-instances-%d-%d", c, i))
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					mu.Lock()
					failed = append(failed, err.Error())
					mu.Unlock()
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || !strings.Contains(string(b), `"success":true`) {
					mu.Lock()
					failed = append(failed, fmt.Sprintf("%d %.200s", resp.StatusCode, b))
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if len(failed) > 0 {
		t.Fatalf("%d lookups failed, first: %s", len(failed), failed[0])
	}

	resp, err := http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("/metrics: Cache-Control %q, X-Content-Type-Options %q", resp.Header.Get("Cache-Control"),
			resp.Header.Get("X-Content-Type-Options"))
	}
	for _, line := range []string{
		fmt.Sprintf(`createinfo_requests_total{code="OK",way="legacy"} %d`, clients*each/2),
		fmt.Sprintf(`createinfo_request_duration_seconds_count{code="OK",way="legacy"} %d`, clients*each/2),
		`go_sql_max_open_connections{db_name="lookup"} 16`,
		`go_sql_max_open_connections{db_name="audit"} 4`,
	} {
		if !strings.Contains(string(metrics), "\n"+line+"\n") {
			t.Errorf("/metrics of instance 0 lacks %q", line)
		}
	}

	verify := exec.Command(verifier)
	verify.Env = append(os.Environ(), "DATABASE_URL="+url)
	out, err := verify.CombinedOutput()
	if err != nil || !strings.HasPrefix(strings.TrimSpace(string(out)), fmt.Sprintf("audit chain intact: %d rows ", clients*each)) {
		t.Fatalf("auditverify: %v: %s", err, out)
	}
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rows, ids, traced, addrs int
	if err := db.QueryRow(`SELECT count(*), count(DISTINCT request_id), count(DISTINCT trace_id),
		count(*) FILTER (WHERE request_id LIKE 'two-instances-%' AND outcome = 'OK') FROM audit.lookup`).
		Scan(&rows, &ids, &traced, &addrs); err != nil {
		t.Fatal(err)
	}
	if rows != clients*each || ids != rows || traced != rows || addrs != rows {
		t.Errorf("audit rows %d, distinct request ids %d, distinct trace ids %d, ours and OK %d; want %d each",
			rows, ids, traced, addrs, clients*each)
	}
}
