package audit_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"createinfo/internal/apperr"
	"createinfo/internal/audit"
	"createinfo/tools/dbtest"
)

// TestRecorderDecidesTheOutcomeOnce: the refusal noted on a record is its outcome whatever the
// writer of the row saw; the row is written once however often Finish is called, and the
// outcome read back is the row's. An aggregated row counts its attempts under client "*". Before
// Start the writer refuses (fail closed) and the recorder says so.
func TestRecorderDecidesTheOutcomeOnce(t *testing.T) {
	db := dbtest.SQL(t, dbtest.URL(t))
	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&logs, nil))
	w := audit.NewWriter(db, audit.Options{HMACKey: chainKey, ChainKey: chainKey, Log: log})
	rc := audit.NewRecorder(w, log)
	ctx := context.Background()

	early := &audit.Record{RequestID: "early", Way: "legacy"}
	if err := rc.Finish(ctx, early, apperr.OK); err == nil || !strings.Contains(logs.String(), "audit row not written") {
		t.Fatalf("before Start: %v, log %q", err, logs.String())
	}
	w.Start()
	t.Cleanup(w.Close)

	rec := &audit.Record{RequestID: "r1", Way: "legacy"}
	ctx1 := rc.Open(ctx, rec)
	audit.Refuse(audit.FromContext(ctx1), apperr.Unauthorized)
	if got := audit.Outcome(rec); got != apperr.Unauthorized.String() {
		t.Errorf("outcome before the row: %q", got)
	}
	for range 2 {
		if err := rc.Finish(ctx1, rec, apperr.OK); err != nil {
			t.Fatal(err)
		}
	}
	if err := rc.Aggregate(ctx, "agg", time.Now(), "*", 34); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`SELECT request_id, outcome, client_addr, attempts FROM audit.lookup ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var id, outcome, addr string
		var n int
		if err := rows.Scan(&id, &outcome, &addr, &n); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %s %q %d", id, outcome, addr, n))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{`r1 UNAUTHORIZED "" 1`, `agg TOO_MANY_REQUESTS "*" 34`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("rows %q, want %q", got, want)
	}
	if got := audit.Outcome(rec); got != apperr.Unauthorized.String() {
		t.Errorf("outcome read back: %q", got)
	}
}
