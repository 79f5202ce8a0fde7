package bench

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Where PostgreSQL's time goes, statement by statement: pg_stat_statements' planning and
// execution time of each normalised statement (parameters are $n there, never values), over
// one measured cell, per request served. This is the database's own time for the statement,
// not the CPU of its process tree (which the main table reports): what one statement costs
// against another, and which one a change should aim at.

// StatementTime is one statement's share of a cell.
type StatementTime struct {
	Statement string  // the first words of its normalised text
	Calls     float64 // per request
	Time      time.Duration
}

type statementStat struct {
	text  string
	calls int64
	ms    float64
}

// statementTimes reads pg_stat_statements for the current database, keyed by queryid.
func statementTimes(ctx context.Context, pool *pgxpool.Pool) (map[int64]statementStat, error) {
	rows, err := pool.Query(ctx, `SELECT queryid, calls, total_exec_time + total_plan_time, query FROM pg_stat_statements
		WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND queryid IS NOT NULL`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[int64]statementStat{}
	for rows.Next() {
		var id int64
		var s statementStat
		if err := rows.Scan(&id, &s.calls, &s.ms, &s.text); err != nil {
			return nil, err
		}
		m[id] = s
	}
	return m, rows.Err()
}

// topStatements is what happened between two readings, per request of n, the costliest
// first; the meter's own statements are left out.
func topStatements(before, after map[int64]statementStat, n uint64, top int) []StatementTime {
	if n == 0 {
		return nil
	}
	var out []StatementTime
	for id, a := range after {
		b := before[id]
		calls, t := a.calls-b.calls, a.ms-b.ms
		if calls <= 0 || strings.Contains(a.text, "pg_stat_") {
			continue
		}
		out = append(out, StatementTime{Statement: shorten(a.text), Calls: float64(calls) / float64(n),
			Time: time.Duration(t / float64(n) * float64(time.Millisecond))})
	}
	slices.SortFunc(out, func(x, y StatementTime) int { return int(y.Time - x.Time) })
	if len(out) > top {
		out = out[:top]
	}
	return out
}

var (
	spaces = regexp.MustCompile(`\s+`)
	// The table a statement reads or writes first names it well enough for the report.
	target = regexp.MustCompile(`(?i)\b(?:from|into|update)\s+([a-z_."]+)`)
)

// shorten names a statement by its first words and the first table it names.
func shorten(q string) string {
	q = strings.TrimSpace(spaces.ReplaceAllString(q, " "))
	head := q
	if len(head) > 60 {
		head = head[:60] + "…"
	}
	if m := target.FindStringSubmatch(q); m != nil && !strings.Contains(head, m[1]) {
		head += " (" + m[1] + ")"
	}
	return strings.ReplaceAll(head, "|", `\|`)
}

// markdownStatements renders the per-statement tables of r.
func (r *Report) markdownStatements(b *strings.Builder) {
	if len(r.PGTime) == 0 {
		return
	}
	fmt.Fprintf(b, "\nPostgreSQL's own time per request by statement at 16 clients (`pg_stat_statements`: planning + execution, "+
		"per request served; the costliest first):\n\n")
	for _, s := range Scenarios {
		rows := r.PGTime[s.Name]
		if len(rows) == 0 {
			continue
		}
		var total time.Duration
		for _, x := range rows {
			total += x.Time
		}
		fmt.Fprintf(b, "%s (these %d: %s per request):\n\n| statement | calls/req | time/req |\n|---|---:|---:|\n", s.Name, len(rows), us(total))
		for _, x := range rows {
			fmt.Fprintf(b, "| `%s` | %.2f | %s |\n", x.Statement, x.Calls, us(x.Time))
		}
		b.WriteString("\n")
	}
}
