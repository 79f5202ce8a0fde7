package audit_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"createinfo/internal/audit"
	"createinfo/tools/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }

var chainKey = []byte(strings.Repeat("k", 32))

func open(t *testing.T, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// writeConcurrently writes n records through w at once and fails on any error.
func writeConcurrently(t *testing.T, w *audit.Writer, prefix string, n int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := &audit.Record{RequestID: fmt.Sprintf("%s-%d", prefix, i), Way: "graphql", SeqNos: []string{"S1", "S2"}}
			errs <- w.Write(context.Background(), rec, "OK")
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestGroupCommitGroups: records that arrive together share a transaction (fewer distinct
// transaction ids than rows), each is committed once, and the chain verifies.
func TestGroupCommitGroups(t *testing.T) {
	db := open(t, dbtest.URL(t))
	w := audit.NewWriter(db, audit.Options{HMACKey: chainKey, ChainKey: chainKey})
	const n = 200
	writeConcurrently(t, w, "g", n)
	var rows, txs int
	if err := db.QueryRow(`SELECT count(*), count(DISTINCT xmin::text) FROM audit.lookup`).Scan(&rows, &txs); err != nil {
		t.Fatal(err)
	}
	if rows != n {
		t.Fatalf("%d rows, want %d", rows, n)
	}
	if txs >= rows {
		t.Errorf("%d transactions for %d rows: nothing was grouped", txs, rows)
	}
	t.Logf("%d rows in %d transactions", rows, txs)
	rep, err := audit.Verify(context.Background(), db, chainKey, nil)
	if err != nil || rep.Rows != n {
		t.Fatalf("verify: %+v, %v", rep, err)
	}
}

// TestWritersShareOneChain: two writers with pools of their own, as two instances have, append
// to one chain at the same time; each re-chains its group when the other moved the head, and
// the chain holds every row exactly once.
func TestWritersShareOneChain(t *testing.T) {
	url := dbtest.URL(t)
	a := audit.NewWriter(open(t, url), audit.Options{HMACKey: chainKey, ChainKey: chainKey})
	b := audit.NewWriter(open(t, url), audit.Options{HMACKey: chainKey, ChainKey: chainKey})
	var wg sync.WaitGroup
	for round := range 5 {
		for name, w := range map[string]*audit.Writer{"a": a, "b": b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				writeConcurrently(t, w, fmt.Sprintf("%s%d", name, round), 20)
			}()
		}
		wg.Wait()
	}
	db := open(t, url)
	var rows, distinct int
	if err := db.QueryRow(`SELECT count(*), count(DISTINCT request_id) FROM audit.lookup`).Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if rows != 200 || distinct != 200 {
		t.Fatalf("%d rows, %d distinct, want 200 of each", rows, distinct)
	}
	if rep, err := audit.Verify(context.Background(), db, chainKey, nil); err != nil || rep.Rows != 200 {
		t.Fatalf("verify: %+v, %v", rep, err)
	}
}

// TestAppendRefusesAStaleHead: audit.append inserts nothing when the head it is given is not
// the chain's, and says what the head is.
func TestAppendRefusesAStaleHead(t *testing.T) {
	db := open(t, dbtest.URL(t))
	var lastID int64
	var head string
	err := db.QueryRow(`SELECT last_id, head FROM audit.append($1, '[{"at":"2026-01-01T00:00:00Z","request_id":"x","way":"graphql","outcome":"OK","prev_hash":"x","hash":"y"}]')`,
		strings.Repeat("f", 64)).Scan(&lastID, &head)
	if err != nil {
		t.Fatal(err)
	}
	var rows int
	db.QueryRow(`SELECT count(*) FROM audit.lookup`).Scan(&rows)
	if lastID != 0 || head != strings.Repeat("0", 64) || rows != 0 {
		t.Errorf("stale head: last_id %d head %q, %d rows; want 0, the genesis, none", lastID, head, rows)
	}
}
