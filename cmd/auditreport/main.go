// Command auditreport prints, per agent, what the audit trail holds for a period: lookups,
// distinct customers, reveals by reason, refusals and insider-abuse threshold hits, as a table
// or as CSV (-csv). It reads DATABASE_URL, read-only.
package main

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"createinfo/graph"
	"createinfo/internal/audit"
	"createinfo/internal/cli"
	"createinfo/internal/database"
)

// options are the command's flags.
type options struct {
	from, to string
	csv      bool
}

func flags(fs *flag.FlagSet) *options {
	o := &options{}
	fs.StringVar(&o.from, "from", "", "start of the period, RFC 3339 or yyyy-mm-dd (UTC); default 24 hours before -to")
	fs.StringVar(&o.to, "to", "", "end of the period (excluded), RFC 3339 or yyyy-mm-dd (UTC); default now")
	fs.BoolVar(&o.csv, "csv", false, "print CSV instead of a table")
	return o
}

func main() {
	fs := flag.NewFlagSet("auditreport", flag.ContinueOnError)
	o := flags(fs)
	cli.Parse(fs, "usage: DATABASE_URL=postgres://… auditreport [-from yyyy-mm-dd] [-to yyyy-mm-dd] [-csv]\n\n"+
		"Prints per agent, from the audit trail: lookups, distinct customers, reveals by reason, refusals, threshold hits.", os.Args[1:])
	if err := run(context.Background(), *o, os.Getenv("DATABASE_URL"), os.Stdout, time.Now()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// parseTime reads an RFC 3339 instant or a date (midnight UTC).
func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, s)
}

func run(ctx context.Context, o options, dbURL string, w io.Writer, now time.Time) error {
	end, start := now, time.Time{}
	var err error
	if o.to != "" {
		if end, err = parseTime(o.to); err != nil {
			return fmt.Errorf("-to: %w", err)
		}
	}
	start = end.Add(-24 * time.Hour)
	if o.from != "" {
		if start, err = parseTime(o.from); err != nil {
			return fmt.Errorf("-from: %w", err)
		}
	}
	if dbURL == "" {
		return fmt.Errorf("DATABASE_URL is required")
	}
	db, err := database.Open(ctx, dbURL, database.Options{MaxOpenConns: 1, MaxIdleConns: 1, ReadOnly: true})
	if err != nil {
		return err
	}
	sqlDB, _ := db.DB()
	defer sqlDB.Close()
	rows, err := audit.Activity(ctx, sqlDB, start, end)
	if err != nil {
		return err
	}
	header := []string{"agent", "lookups", "customers"}
	for _, r := range graph.AllRevealReason {
		header = append(header, "reveals_"+string(r))
	}
	header = append(header, "refusals", "threshold_hits")
	lines := [][]string{header}
	for _, a := range rows {
		l := []string{a.Agent, strconv.Itoa(a.Lookups), strconv.Itoa(a.Customers)}
		for _, r := range graph.AllRevealReason {
			l = append(l, strconv.Itoa(a.Reveals[string(r)]))
		}
		lines = append(lines, append(l, strconv.Itoa(a.Refusals), strconv.Itoa(a.ThresholdHits)))
	}
	if o.csv {
		cw := csv.NewWriter(w)
		cw.WriteAll(lines)
		return cw.Error()
	}
	fmt.Fprintf(w, "agents' activity from %s to %s (UTC)\n", start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, l := range lines {
		for _, c := range l {
			fmt.Fprint(tw, c, "\t")
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}
