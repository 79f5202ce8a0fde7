package audit

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"createinfo/tools/dbtest"
)

// BenchmarkAppend writes lookup rows through a Writer (one op: one row, committed), at one
// client and at 16 at once (the rows then share groups), with pgx's default statement cache
// and with default_query_exec_mode=exec (a transaction-mode pooler's setting, README). Besides
// ns/op and allocs/op it reports, from pg_stat_statements when the cluster loads it,
// PostgreSQL's mean time in the writer's statement per call (pg-µs/call: one call per group)
// and per row (pg-µs/row), planning included when pg_stat_statements.track_planning is on
// (plan-µs/call: that part), and the rows per group.
func BenchmarkAppend(b *testing.B) {
	for _, mode := range []string{"cache", "exec"} {
		for _, clients := range []int{1, 16} {
			b.Run(fmt.Sprintf("%s/clients=%d", mode, clients), func(b *testing.B) {
				url := dbtest.URL(b)
				if mode == "exec" {
					url += "&default_query_exec_mode=exec"
				}
				db := dbtest.SQL(b, url)
				w := NewWriter(db, Options{HMACKey: []byte("h"), ChainKey: []byte(strings.Repeat("k", 32)),
					Log: slog.New(slog.DiscardHandler)})
				w.Start()
				defer w.Close()
				ctx := context.Background()
				write := func(i int) {
					r := &Record{RequestID: NewID(), ServerRequestID: NewID(), KeyID: "bench", AgentID: "agent-1",
						ClientAddr: "10.0.0.1", Way: "legacy", Role: "agent", Proof: "key",
						SeqNos: []string{"S1", "S2", "S3"}, TraceID: "0123456789abcdef0123456789abcdef"}
					w.SetConditions(r, "", "0988123456", "")
					w.SetCustomers(r, []string{"A123456789"})
					if err := w.Write(ctx, r, "OK"); err != nil {
						b.Error(err)
					}
				}
				write(0) // the first group learns the head
				stats := statementsOf(b, db)
				b.ReportAllocs()
				b.ResetTimer()
				if clients == 1 {
					for i := range b.N {
						write(i)
					}
				} else {
					b.SetParallelism(clients) // × GOMAXPROCS goroutines; at least clients
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							write(0)
						}
					})
				}
				b.StopTimer()
				stats.report(b)
			})
		}
	}
}

// statStatements reads the figures of the database's statements from pg_stat_statements: the
// writer's (but for the benchmark's own reads).
type statStatements struct {
	db           *sql.DB
	calls        int64
	total, plan  float64
	rows, unseen int64
}

// statementsOf resets nothing (the view is the cluster's): it notes the figures so far, so
// that report gives the difference. Without pg_stat_statements it reports nothing.
func statementsOf(b *testing.B, db *sql.DB) *statStatements {
	s := &statStatements{db: db}
	if _, err := db.Exec(`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
		return nil
	}
	if !s.read() {
		return nil
	}
	var n int64
	db.QueryRow(`SELECT count(*) FROM audit.lookup`).Scan(&n)
	s.rows = n
	return s
}

func (s *statStatements) read() bool {
	return s.db.QueryRow(`SELECT coalesce(sum(calls), 0)::bigint, coalesce(sum(total_plan_time + total_exec_time), 0),
		coalesce(sum(total_plan_time), 0)
		FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND query NOT LIKE '%pg_stat_statements%' AND query NOT LIKE 'SELECT count(*) FROM audit.lookup'`).Scan(&s.calls, &s.total, &s.plan) == nil
}

func (s *statStatements) report(b *testing.B) {
	if s == nil {
		return
	}
	calls, total, plan, rows := s.calls, s.total, s.plan, s.rows
	if !s.read() {
		return
	}
	var n int64
	s.db.QueryRow(`SELECT count(*) FROM audit.lookup`).Scan(&n)
	calls, total, plan, rows = s.calls-calls, s.total-total, s.plan-plan, n-rows
	if calls == 0 || rows == 0 {
		return
	}
	b.ReportMetric(total*1000/float64(calls), "pg-µs/call")
	b.ReportMetric(plan*1000/float64(calls), "plan-µs/call")
	b.ReportMetric(total*1000/float64(rows), "pg-µs/row")
	b.ReportMetric(float64(rows)/float64(calls), "rows/group")
}
