// Package bench measures the service under load: the legacy endpoint, GraphQL's full tree,
// a typical customer-service screen, and a floor (one hand-written SQL statement per lookup),
// side by side, over real HTTP on loopback, with a closed-loop load generator (vegeta with a
// fixed number of workers and no rate limit).
package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"createinfo/graph"
	"createinfo/internal/console"
	"createinfo/internal/legacy"
)

// Scenario is one kind of request.
type Scenario struct {
	Name string
	// body returns the request for a phone.
	path string
	body func(phone string) []byte
	// floor marks the scenario served by the floor handler.
	floor bool
}

// screenBody is exactly what the customer-service console sends for a phone lookup: its
// lookup document (internal/console/documents/lookup.graphql) named by hash, as a trusted
// document, so the scenario measures the console's real request.
func screenBody(phone string) []byte {
	b, _ := json.Marshal(map[string]any{
		"operationName": console.LookupOperation,
		"variables":     map[string]string{"phone": phone},
		"extensions": map[string]any{"persistedQuery": map[string]any{
			"version": 1, "sha256Hash": graph.HashDocument(console.LookupDocument())}},
	})
	return b
}

func graphQLBody(query string) func(string) []byte {
	return func(phone string) []byte {
		b, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]string{"phone": phone}})
		return b
	}
}

func phoneBody(phone string) []byte { return []byte(`{"phone":"` + phone + `"}`) }

// Scenarios are (a) to (d) of the benchmark.
var Scenarios = []Scenario{
	{Name: "(a) legacy endpoint, full tree", path: legacy.Path, body: phoneBody},
	{Name: "(b) GraphQL, full tree", path: "/graphql", body: graphQLBody(legacy.Document())},
	{Name: "(c) GraphQL, customer-service screen", path: "/graphql", body: screenBody},
	{Name: "(d) floor: one SQL statement", path: "/floor", body: phoneBody, floor: true},
}

// Config of a run.
type Config struct {
	ServiceURL, FloorURL string
	// DebugURL is the service's pprof address, for its goroutine count.
	DebugURL string
	Service  *Process
	// Floor is the floor's process, for its CPU.
	Floor       *Process
	Pool        *pgxpool.Pool
	Duration    time.Duration
	Concurrency []int
	Phones      int
	// Headers go with every request to the service (credentials and agent).
	Headers http.Header
}

// Result is one scenario at one concurrency.
type Result struct {
	Scenario      string
	Clients       int
	Requests      uint64
	Throughput    float64
	P50, P95, P99 time.Duration
	Success       float64
	// CPU is the cost of one request: the answering process, PostgreSQL, the machine.
	CPU CPU
}

// Report is everything a run measured.
type Report struct {
	Results []Result
	// Hot is (a) to (c) at one client on the phone with the most applications (HotPhoneApps).
	Hot                               []Result
	Statements                        map[string][2]float64 // per scenario: 1-application phone, hot phone
	HotPhoneApps                      int
	StatStatements                    bool // statement counts come from pg_stat_statements
	PeakRSSMiB                        float64
	GoroutinesBefore, GoroutinesAfter int
	ConnsBefore, ConnsAfter           int
	Phones                            int
	// PGTime is, per scenario, PostgreSQL's time per request by statement at 16 clients.
	PGTime map[string][]StatementTime
}

// SamplePhones picks n distinct phones of 1 to 4 synthetic applications, spread over the data.
func SamplePhones(ctx context.Context, pool *pgxpool.Pool, n int) ([]string, error) {
	rows, err := pool.Query(ctx, `
		SELECT phone_number FROM account.create_master WHERE seq_no LIKE 'SYN%'
		GROUP BY phone_number HAVING count(*) <= 4 ORDER BY md5(phone_number) LIMIT $1`, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var phones []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		phones = append(phones, p)
	}
	if len(phones) < n/2 {
		return nil, fmt.Errorf("only %d phones: seed the database first (make bench seeds it)", len(phones))
	}
	return phones, rows.Err()
}

// Run measures every scenario at every concurrency.
// breakdownClients is the concurrency whose cells report PostgreSQL's time by statement.
const breakdownClients = 16

func Run(ctx context.Context, c Config, log io.Writer) (*Report, error) {
	phones, err := SamplePhones(ctx, c.Pool, c.Phones)
	if err != nil {
		return nil, err
	}
	rep := &Report{Statements: map[string][2]float64{}, Phones: len(phones), PGTime: map[string][]StatementTime{}}
	m, err := newMeter(ctx, c.Pool, c.Service.Pid(), c.Floor.Pid())
	if err != nil {
		return nil, err
	}
	rep.StatStatements = m.haveStatStatemts
	// The baseline is a warm service: pool filled, statements prepared.
	attack(c, Scenarios[0], phones, c.Concurrency[len(c.Concurrency)-1], c.Duration/2)
	// The baseline is taken once the warm-up's goroutines have settled (the count holds).
	rep.GoroutinesBefore, _ = waitGoroutines(c.DebugURL, 10*time.Second, func(prev, n int) bool { return prev == n })
	rep.ConnsBefore, _ = serviceConns(ctx, c.Pool)

	for _, s := range Scenarios {
		for _, clients := range c.Concurrency {
			warm := c.Duration / 5
			attack(c, s, phones, clients, warm) // warm caches and connections, not counted
			var stmts map[int64]statementStat
			if clients == breakdownClients && rep.StatStatements {
				stmts, _ = statementTimes(ctx, c.Pool)
			}
			before := m.sample(ctx)
			r := attack(c, s, phones, clients, c.Duration)
			r.CPU = per(before, m.sample(ctx), r.Requests, s.floor)
			if stmts != nil {
				if after, err := statementTimes(ctx, c.Pool); err == nil {
					rep.PGTime[s.Name] = topStatements(stmts, after, r.Requests, 8)
				}
			}
			fmt.Fprintf(log, "%-40s %3d clients: %7.0f req/s  p50 %-8v p95 %-8v p99 %-8v ok %.1f%%  CPU/req %s + PostgreSQL %s (machine %s)  statements/req %.1f\n",
				s.Name, clients, r.Throughput, r.P50, r.P95, r.P99, 100*r.Success, ms(r.CPU.Server), ms(r.CPU.DB), ms(r.CPU.Machine), r.CPU.Statements)
			rep.Results = append(rep.Results, r)
		}
	}
	// The phone with the most applications, one client: its latency is the one a caller of
	// the worst phone sees.
	var hot string
	if err := c.Pool.QueryRow(ctx, `SELECT phone_number, count(*) FROM account.create_master WHERE seq_no LIKE 'SYN%'
		GROUP BY phone_number ORDER BY count(*) DESC, phone_number LIMIT 1`).Scan(&hot, &rep.HotPhoneApps); err != nil {
		return nil, err
	}
	for _, s := range Scenarios[:3] {
		attack(c, s, []string{hot}, 1, c.Duration/5)
		before := m.sample(ctx)
		r := attack(c, s, []string{hot}, 1, c.Duration/2)
		r.CPU = per(before, m.sample(ctx), r.Requests, false)
		fmt.Fprintf(log, "%-40s the %d-application phone, 1 client: %7.0f req/s  p50 %-8v p99 %-8v ok %.1f%%  CPU/req %s + PostgreSQL %s\n",
			s.Name, rep.HotPhoneApps, r.Throughput, r.P50, r.P99, 100*r.Success, ms(r.CPU.Server), ms(r.CPU.DB))
		rep.Hot = append(rep.Hot, r)
	}
	rep.PeakRSSMiB = peakRSS(c.Service.Pid())

	// Statements per request, for a phone of one application with every kind of child, and
	// the phone with the most applications.
	var rich string
	if err := c.Pool.QueryRow(ctx, richPhoneQuery).Scan(&rich); err != nil {
		rich = phones[0] // small data sets may have no such phone: any phone of few applications
		fmt.Fprintf(log, "no single-application phone with every kind of child (%v): using a sampled phone instead\n", err)
	}
	for _, s := range Scenarios {
		one, err := statementsPerRequest(c, s, rich)
		if err != nil {
			return nil, err
		}
		many, err := statementsPerRequest(c, s, hot)
		if err != nil {
			return nil, err
		}
		rep.Statements[s.Name] = [2]float64{one, many}
	}
	// Idle keep-alive goroutines of the last run take a moment to go: wait until the count is
	// back to the baseline, or report what is left after the wait (a leak).
	rep.GoroutinesAfter, _ = waitGoroutines(c.DebugURL, 10*time.Second, func(_, n int) bool { return n <= rep.GoroutinesBefore })
	rep.ConnsAfter, _ = serviceConns(ctx, c.Pool)
	return rep, nil
}

func attack(c Config, s Scenario, phones []string, clients int, d time.Duration) Result {
	base := c.ServiceURL
	if s.floor {
		base = c.FloorURL
	}
	var i atomic.Uint64
	header := http.Header{"Content-Type": []string{"application/json"}}
	if !s.floor {
		for k, v := range c.Headers {
			header[k] = v
		}
	}
	targeter := func(t *vegeta.Target) error {
		t.Method, t.URL, t.Header = http.MethodPost, base+s.path, header
		t.Body = s.body(phones[i.Add(1)%uint64(len(phones))])
		return nil
	}
	transport := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients, IdleConnTimeout: time.Minute}
	defer transport.CloseIdleConnections() // leave no keep-alive connection to the next cell
	a := vegeta.NewAttacker(vegeta.Workers(uint64(clients)), vegeta.MaxWorkers(uint64(clients)),
		vegeta.Client(&http.Client{Transport: transport, Timeout: 30 * time.Second}))
	var m vegeta.Metrics
	for res := range a.Attack(targeter, vegeta.Rate{Freq: 0}, d, s.Name) {
		if res.Code == 200 {
			if why := failure(res.Body); why != "" {
				res.Code, res.Error = 500, why // a 200 that is not a success is a failure
			}
		}
		m.Add(res)
	}
	m.Close()
	return Result{Scenario: s.Name, Clients: clients, Requests: m.Requests, Throughput: m.Throughput,
		P50: m.Latencies.P50, P95: m.Latencies.P95, P99: m.Latencies.P99, Success: m.Success}
}

// statementsPerRequest averages the statements of 20 requests, one after the other, as the
// service's request log reports them; the floor runs one statement by construction.
func statementsPerRequest(c Config, s Scenario, phone string) (float64, error) {
	if s.floor {
		return 1, nil
	}
	const n = 20
	var total int64
	for i := 0; i < n; i++ {
		before := c.Service.Requests()
		req, _ := http.NewRequest(http.MethodPost, c.ServiceURL+s.path, bytes.NewReader(s.body(phone)))
		req.Header = c.Headers.Clone()
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		stmts, err := c.Service.WaitRequest(before, 2*time.Second)
		if err != nil {
			return 0, err
		}
		total += stmts
	}
	return float64(total) / n, nil
}

// richPhoneQuery finds a phone of one application that has every kind of child: the
// statement count of its tree is the most any one application can cost.
const richPhoneQuery = `
SELECT m.phone_number FROM account.create_master m
WHERE m.seq_no LIKE 'SYN%'
  AND (SELECT count(*) FROM account.create_master o WHERE o.phone_number = m.phone_number) = 1
  AND EXISTS (SELECT 1 FROM account.manual_review_flag f WHERE f.create_master_seq_no = m.seq_no
              AND f.ocr IS NOT NULL AND f.z21 IS NOT NULL AND f.z22 IS NOT NULL)
  AND EXISTS (SELECT 1 FROM account.pay_taxes t WHERE t.idno = m.idno)
  AND EXISTS (SELECT 1 FROM account.document_resend r WHERE r.create_master_seq_no = m.seq_no AND r.category = 'EDD')
  AND EXISTS (SELECT 1 FROM account.document_resend r WHERE r.create_master_seq_no = m.seq_no AND r.category = 'FINANCIAL_PROOF')
  AND EXISTS (SELECT 1 FROM account.teller_check_record v WHERE v.create_master_seq_no = m.seq_no)
LIMIT 1`

// waitGoroutines polls the service's goroutine count every 100ms until done(previous, current)
// holds or timeout passes, and returns the last count.
func waitGoroutines(debugURL string, timeout time.Duration, done func(prev, n int) bool) (int, error) {
	prev, err := goroutines(debugURL)
	if err != nil {
		return 0, err
	}
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		n, err := goroutines(debugURL)
		if err != nil {
			return 0, err
		}
		if done(prev, n) {
			return n, nil
		}
		prev = n
	}
	return prev, nil
}

func goroutines(debugURL string) (int, error) {
	if debugURL == "" {
		return 0, fmt.Errorf("no debug address")
	}
	resp, err := http.Get(debugURL + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	line, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	// "goroutine profile: total 12"
	fields := strings.Fields(strings.SplitN(string(line), "\n", 2)[0])
	return strconv.Atoi(fields[len(fields)-1])
}

func serviceConns(ctx context.Context, pool *pgxpool.Pool) (int, error) {
	var n int
	err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'createinfo'`).Scan(&n)
	return n, err
}

// peakRSS reads the process's peak resident set (VmHWM) in MiB.
func peakRSS(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.Atoi(strings.Fields(line)[1])
			return float64(kb) / 1024
		}
	}
	return 0
}
