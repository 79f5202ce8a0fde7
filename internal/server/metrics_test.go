package server_test

import (
	"bufio"
	"database/sql"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"createinfo/internal/apperr"
	"createinfo/internal/audit"
	"createinfo/internal/legacy"
	"createinfo/internal/metrics"
	"createinfo/internal/server"
	"createinfo/tools/dbtest"
	"createinfo/tools/servertest"
)

// scrape fetches /metrics from the metrics handler over HTTP, as Prometheus does, and returns
// every sample by its series ("name{label="value",…}").
func scrape(t *testing.T, m *metrics.Metrics) (map[string]float64, string) {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	samples := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(string(body)))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("sample %q: %v", line, err)
		}
		samples[line[:i]] = v
	}
	return samples, string(body)
}

// TestMetricsMoveWithRequests sends real lookups and scrapes /metrics: the request counters,
// latency histogram, statements per request, loader batches, code cache, audit writer and pool
// figures move as the requests say, and no label holds a phone, ID number, seqNo or request id.
func TestMetricsMoveWithRequests(t *testing.T) {
	m := metrics.New()
	var db *sql.DB
	env := servertest.New(t, func(o *server.Options) {
		o.Metrics = m
		o.CodeCacheTTL = time.Minute
		db, _ = o.DB.DB()
		m.WatchPool(db, "lookup")
	})
	before, _ := scrape(t, m)
	if before[`createinfo_requests_in_flight{way="legacy"}`] != 0 || before[`createinfo_requests_total{code="OK",way="legacy"}`] != 0 {
		t.Fatalf("figures before any request: %v", before)
	}

	body := `{"phone":"0988123456"}`
	resp, b := env.Post(t, legacy.Path, "application/json", body)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"success":true`) {
		t.Fatalf("legacy: %d %s", resp.StatusCode, b)
	}
	firstStatements := env.LastStatements()
	resp, _ = env.Post(t, legacy.Path, "application/json", body) // code tables now cached
	if resp.StatusCode != 200 {
		t.Fatalf("second legacy: %d", resp.StatusCode)
	}
	secondStatements := env.LastStatements()
	if r := env.GraphQL(t, `{ applications(phone: "12345") { seqNo } }`, nil, nil); r.Code() != apperr.InvalidPhone {
		t.Fatalf("graphql: %+v", r)
	}
	if r := env.GraphQL(t, `query Screen { applications(seqNo: "DEMO-APP-A-01") { seqNo createDetails { seqNo } } }`, nil, nil); r.Code() != "" {
		t.Fatalf("graphql: %+v", r)
	}

	s, text := scrape(t, m)
	want := map[string]float64{
		`createinfo_requests_total{code="OK",way="legacy"}`:                             2,
		`createinfo_requests_total{code="INVALID_PHONE",way="graphql"}`:                 1,
		`createinfo_requests_total{code="OK",way="graphql"}`:                            1,
		`createinfo_request_duration_seconds_count{code="OK",way="legacy"}`:             2,
		`createinfo_request_duration_seconds_count{code="INVALID_PHONE",way="graphql"}`: 1,
		`createinfo_requests_in_flight{way="legacy"}`:                                   0,
		`createinfo_sql_statements_per_request_count{way="legacy"}`:                     2,
		`createinfo_sql_statements_per_request_sum{way="legacy"}`:                       float64(firstStatements + secondStatements),
		`createinfo_sql_statements_per_request_sum{way="graphql"}`:                      2, // the invalid one runs none; the screen 2
		`createinfo_admission_wait_seconds_count{way="legacy"}`:                         2, // no limit: admitted at once
		`createinfo_audit_rows_written_total`:                                           4,
		`createinfo_audit_refusals_total`:                                               0,
		`createinfo_code_cache_requests_total{result="miss",table="account.industry"}`:  1,
		`createinfo_code_cache_requests_total{result="hit",table="account.industry"}`:   1,
		`go_sql_max_open_connections{db_name="lookup"}`:                                 8,
	}
	for series, v := range want {
		if got, ok := s[series]; !ok && v != 0 || got != v {
			t.Errorf("%s = %v (present %v), want %v", series, got, ok, v)
		}
	}
	// This phone's legacy tree: 13 statements, 8 once the five code tables are cached.
	if firstStatements != 13 || secondStatements != 8 {
		t.Errorf("statements: first %d, second (cached codes) %d", firstStatements, secondStatements)
	}
	// The legacy lookups' latency is within the histogram's resolved range and split in buckets.
	if s[`createinfo_request_duration_seconds_bucket{code="OK",way="legacy",le="0.5"}`] != 2 {
		t.Errorf("legacy lookups slower than 500 ms or not bucketed:\n%s", grep(text, "createinfo_request_duration_seconds_bucket"))
	}
	// One batch per lookup that selects the relation: the two legacy trees, and the screen for
	// the create details.
	for rel, batches := range map[string]float64{"CreateDetail": 3, "DocumentResend": 2, "ManualReviewFlag": 2, "TellerCheckRecord": 2, "StepBreakPoint": 2} {
		if s[`createinfo_loader_batch_keys_count{relation="`+rel+`"}`] != batches {
			t.Errorf("no batches of %s counted:\n%s", rel, grep(text, "createinfo_loader_batch_keys_count"))
		}
		if s[`createinfo_loader_batch_duration_seconds_count{relation="`+rel+`"}`] != batches {
			t.Errorf("no batch latency of %s", rel)
		}
	}
	if s[`createinfo_audit_group_rows_sum`] != 4 || s[`createinfo_audit_commit_duration_seconds_count`] != 4 {
		t.Errorf("audit groups:\n%s", grep(text, "createinfo_audit"))
	}
	for _, series := range []string{"go_goroutines", "process_resident_memory_bytes", "go_build_info{"} {
		if !strings.Contains(text, series) {
			t.Errorf("%s missing from /metrics", series)
		}
	}
	for _, secret := range []string{"0988123456", "N123456789", "A123456789", "0A80d1d572650511ea8a30acde48001122", "DEMO-APP", "12345"} {
		if strings.Contains(text, secret) {
			t.Errorf("/metrics holds %q", secret)
		}
	}
}

// TestMetricsOfRefusals: the admission limit's refusals and waits, and the audit trail's
// fail-closed refusals, are counted.
func TestMetricsOfRefusals(t *testing.T) {
	t.Run("admission", func(t *testing.T) {
		m := metrics.New()
		env := servertest.New(t, func(o *server.Options) {
			o.Metrics = m
			o.MaxInFlight = 1
			o.QueueWait = 50 * time.Millisecond
		})
		// One lookup holds the only slot, waiting on a lock; the next is refused.
		release := holdLookup(t, env)
		resp, b := env.Post(t, legacy.Path, "application/json", `{"phone":"0988123456"}`)
		if resp.StatusCode != 503 || !strings.Contains(string(b), "SERVICE_UNAVAILABLE") {
			t.Fatalf("second lookup: %d %s", resp.StatusCode, b)
		}
		s, _ := scrape(t, m)
		if s[`createinfo_requests_in_flight{way="legacy"}`] != 1 {
			t.Errorf("in flight while one lookup waits: %v", s[`createinfo_requests_in_flight{way="legacy"}`])
		}
		if status := release(); status != 200 {
			t.Fatalf("held lookup: %d", status)
		}
		// The client may have its response a moment before the handler returns.
		waitFor(t, "no lookup in flight", func() bool {
			s, _ = scrape(t, m)
			return s[`createinfo_requests_in_flight{way="legacy"}`] == 0
		})
		if s[`createinfo_admission_refused_total{way="legacy"}`] != 1 ||
			s[`createinfo_requests_total{code="SERVICE_UNAVAILABLE",way="legacy"}`] != 1 ||
			s[`createinfo_admission_wait_seconds_count{way="legacy"}`] != 1 ||
			s[`createinfo_requests_in_flight{way="legacy"}`] != 0 {
			t.Errorf("admission figures: refused %v, 503s %v, admitted %v, in flight %v",
				s[`createinfo_admission_refused_total{way="legacy"}`], s[`createinfo_requests_total{code="SERVICE_UNAVAILABLE",way="legacy"}`],
				s[`createinfo_admission_wait_seconds_count{way="legacy"}`], s[`createinfo_requests_in_flight{way="legacy"}`])
		}
	})
	t.Run("audit fails closed", func(t *testing.T) {
		m := metrics.New()
		env := servertest.New(t, func(o *server.Options) {
			o.Metrics = m
			dead, err := sql.Open("pgx", "postgres://createinfo@127.0.0.1:1/none?connect_timeout=1")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { dead.Close() })
			o.Audit = audit.NewWriter(dead, audit.Options{HMACKey: servertest.HMACKey, ChainKey: servertest.ChainKey})
		})
		resp, b := env.Post(t, legacy.Path, "application/json", `{"phone":"0988123456"}`)
		if resp.StatusCode != 503 || strings.Contains(string(b), "0988123456") {
			t.Fatalf("lookup with the audit trail down: %d %s", resp.StatusCode, b)
		}
		s, text := scrape(t, m)
		if s[`createinfo_audit_refusals_total`] != 1 || s[`createinfo_audit_group_failures_total`] < 1 ||
			s[`createinfo_audit_rows_written_total`] != 0 ||
			s[`createinfo_requests_total{code="SERVICE_UNAVAILABLE",way="legacy"}`] != 1 {
			t.Errorf("audit failure figures:\n%s\n%s", grep(text, "createinfo_audit"), grep(text, "createinfo_requests_total"))
		}
	})
}

func grep(text, prefix string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// waitFor polls cond until it holds, failing the test after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	dbtest.Poll(t, what, 10*time.Second, cond)
}
