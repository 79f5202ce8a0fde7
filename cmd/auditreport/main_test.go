package main

import (
	"bytes"
	"context"
	"flag"
	"log/slog"
	"testing"
	"time"

	"createinfo/internal/audit"
	"createinfo/tools/dbtest"
)

// The report counts, per agent and inside the period only, what the writer recorded.
func TestReport(t *testing.T) {
	url := dbtest.URL(t)
	db := dbtest.SQL(t, url)
	w := audit.NewWriter(db, audit.Options{HMACKey: []byte("k"), ChainKey: []byte("c"), Log: slog.New(slog.DiscardHandler)})
	w.Start()
	t.Cleanup(w.Close)
	day := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	write := func(at time.Duration, agent, outcome, reason string, idnos []string, flags ...string) {
		t.Helper()
		r := &audit.Record{At: day.Add(at), RequestID: "r", Way: "graphql", AgentID: agent, Role: "agent", Proof: "token", Flags: flags}
		w.SetCustomers(r, idnos)
		audit.SetReveal(r, reason)
		if err := w.Write(context.Background(), r, outcome); err != nil {
			t.Fatal(err)
		}
	}
	write(-time.Minute, "agent001", "OK", "", []string{"A123456789"}) // the day before: not counted
	write(time.Hour, "agent001", "OK", "", []string{"A123456789", "B123456789"})
	write(2*time.Hour, "agent001", "OK", "", []string{"A123456789", "C123456789"}, "distinct_customers_per_hour")
	write(3*time.Hour, "agent001", "OK", "CUSTOMER_REQUEST", []string{"D123456789"})
	write(4*time.Hour, "agent001", "TOO_MANY_REQUESTS", "CUSTOMER_REQUEST", nil)
	write(5*time.Hour, "agent002", "OK", "COMPLAINT_HANDLING", []string{"A123456789"})
	write(6*time.Hour, "agent002", "UNAUTHORIZED", "", nil)
	write(7*time.Hour, "", "UNAUTHORIZED", "", nil)                   // no agent: not a line
	write(25*time.Hour, "agent002", "OK", "", []string{"E123456789"}) // the day after

	run := func(ctx context.Context, args []string, url string, w *bytes.Buffer, now time.Time) error {
		fs := flag.NewFlagSet("auditreport", flag.ContinueOnError)
		o := flags(fs)
		if err := fs.Parse(args); err != nil {
			return err
		}
		return run(ctx, *o, url, w, now)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-from", "2026-11-30", "-to", "2026-12-01", "-csv"}, url, &out, time.Now()); err != nil {
		t.Fatal(err)
	}
	want := "agent,lookups,customers,reveals_CALLER_IDENTITY_VERIFIED,reveals_CUSTOMER_REQUEST,reveals_COMPLAINT_HANDLING,refusals,threshold_hits\n" +
		"agent001,2,4,0,1,0,1,1\n" +
		"agent002,0,1,0,0,1,1,0\n"
	if out.String() != want {
		t.Fatalf("report:\n%s\nwant\n%s", out.String(), want)
	}
	out.Reset()
	if err := run(context.Background(), []string{"-to", "2026-12-01T00:00:00Z"}, url, &out, time.Now()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out.Bytes(), []byte("agent001")) || !bytes.Contains(out.Bytes(), []byte("from 2026-11-30T00:00:00Z")) {
		t.Fatalf("table:\n%s", out.String())
	}
	if err := run(context.Background(), []string{"-from", "yesterday"}, url, &out, time.Now()); err == nil {
		t.Fatal("a bad -from was accepted")
	}
}
