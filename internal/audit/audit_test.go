package audit_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"createinfo/internal/audit"
	"createinfo/tools/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }

var chainKey = []byte(strings.Repeat("k", 32))

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

// TestGroupCommitGroups: records that arrive together share a transaction (one transaction
// holds tens of them), each is committed once, and the chain verifies.
func TestGroupCommitGroups(t *testing.T) {
	db := dbtest.SQL(t, dbtest.URL(t))
	w := audit.NewWriter(db, audit.Options{HMACKey: chainKey, ChainKey: chainKey})
	w.Start()
	t.Cleanup(w.Close)
	const n = 200
	writeConcurrently(t, w, "g", n)
	var rows, txs, largest int
	if err := db.QueryRow(`SELECT sum(c), count(*), max(c) FROM
		(SELECT count(*) AS c FROM audit.lookup GROUP BY xmin::text) g`).Scan(&rows, &txs, &largest); err != nil {
		t.Fatal(err)
	}
	if rows != n {
		t.Fatalf("%d rows, want %d", rows, n)
	}
	// Grouped, not merely fewer transactions than rows (199 for 200 would be that): the
	// records queued while one transaction commits go together, tens of them.
	if largest < 10 {
		t.Errorf("%d rows in %d transactions, the largest of %d rows: the writer does not group", rows, txs, largest)
	}
	t.Logf("%d rows in %d transactions, the largest of %d", rows, txs, largest)
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
	a := audit.NewWriter(dbtest.SQL(t, url), audit.Options{HMACKey: chainKey, ChainKey: chainKey})
	b := audit.NewWriter(dbtest.SQL(t, url), audit.Options{HMACKey: chainKey, ChainKey: chainKey})
	a.Start()
	t.Cleanup(a.Close)
	b.Start()
	t.Cleanup(b.Close)
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
	db := dbtest.SQL(t, url)
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
	db := dbtest.SQL(t, dbtest.URL(t))
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

// TestRewrittenAsUnkeyedRows: whoever can write the table (trigger off) but lacks the chain key
// rewrites the whole trail as rows "from before the keyed chain", whose plain SHA-256 links
// anyone can compute, editing one on the way; the service then chains its next keyed row to
// that forged head and logs a checkpoint of it. Verify must not call the trail intact, with
// or without that newest checkpoint.
func TestRewrittenAsUnkeyedRows(t *testing.T) {
	db := dbtest.SQL(t, dbtest.URL(t))
	var logs bytes.Buffer
	w := audit.NewWriter(db, audit.Options{HMACKey: chainKey, ChainKey: chainKey,
		Log: slog.New(slog.NewTextHandler(&logs, nil))})
	w.Start()
	t.Cleanup(w.Close)
	ctx := context.Background()
	for i := range 3 {
		if err := w.Write(ctx, &audit.Record{RequestID: fmt.Sprint("r", i), Way: "graphql", SeqNos: []string{"S1"}}, "OK"); err != nil {
			t.Fatal(err)
		}
	}

	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`ALTER TABLE audit.lookup DISABLE TRIGGER lookup_append_only`); err != nil {
		t.Fatal(err)
	}
	rows, err := tx.Query(`SELECT id, at, request_id, key_id, agent_id, client_addr, way, operation, idno_hmac,
		phone_hmac, seq_no, result_count, array_to_string(seq_nos, ','), outcome FROM audit.lookup ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	type forged struct {
		id         int64
		prev, hash string
	}
	var out []forged
	prev := strings.Repeat("0", 64)
	for rows.Next() {
		var id int64
		var at time.Time
		var f [12]string
		if err := rows.Scan(&id, &at, &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7], &f[8], &f[9], &f[10], &f[11]); err != nil {
			t.Fatal(err)
		}
		if id == 2 {
			f[9], f[10], f[11] = "0", "", "INVALID_REQUEST" // the lookup never happened
		}
		sum := sha256.Sum256([]byte(strings.Join(append([]string{prev, at.UTC().Format(time.RFC3339Nano)}, f[:]...), "\x1f")))
		out = append(out, forged{id, prev, hex.EncodeToString(sum[:])})
		prev = out[len(out)-1].hash
	}
	rows.Close()
	for _, f := range out {
		if _, err := tx.Exec(`UPDATE audit.lookup SET keyed = false, prev_hash = $2, hash = $3,
			outcome = CASE WHEN id = 2 THEN 'INVALID_REQUEST' ELSE outcome END,
			result_count = CASE WHEN id = 2 THEN 0 ELSE result_count END,
			seq_nos = CASE WHEN id = 2 THEN '{}' ELSE seq_nos END WHERE id = $1`, f.id, f.prev, f.hash); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tx.Exec(`ALTER TABLE audit.lookup ENABLE TRIGGER lookup_append_only`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	// The service goes on writing, chained to the forged head, and logs its checkpoint.
	if err := w.Write(ctx, &audit.Record{RequestID: "r3", Way: "graphql"}, "OK"); err != nil {
		t.Fatal(err)
	}
	w.Checkpoint()
	m := regexp.MustCompile(`checkpoint=(\S+)`).FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatalf("no checkpoint logged:\n%s", logs.String())
	}
	cp, err := audit.ParseCheckpoint(m[1], chainKey)
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := audit.Verify(ctx, db, chainKey, &cp); err == nil {
		t.Errorf("a trail rewritten as unkeyed rows verifies with the newest checkpoint: %+v", rep)
	}
	if rep, err := audit.Verify(ctx, db, chainKey, nil); err == nil {
		t.Errorf("a trail rewritten as unkeyed rows verifies: %+v", rep)
	}
	// Had three rows been written before the keyed chain (so counted, outside the database),
	// the rows would be well formed: the count is what tells the two apart. The writer saw its
	// own row 3 replaced under it, though, and recorded that in row 4: the one break left.
	if rep, _ := audit.VerifyUnkeyed(ctx, db, chainKey, &cp, 3); rep.Legacy != 3 || len(rep.Breaks) != 1 ||
		!strings.Contains(rep.Breaks[0], "row 4 records a break the writer found") {
		t.Errorf("three unkeyed rows allowed: %+v", rep)
	}
	if _, err := audit.VerifyUnkeyed(ctx, db, chainKey, &cp, 2); err == nil || !strings.Contains(err.Error(), "row 3 is not keyed") {
		t.Errorf("two unkeyed rows allowed: %v", err)
	}
}

// breaks counts the writer's CHAIN_BREAK observations (the metric's hook).
type breaks struct{ n atomic.Int64 }

func (b *breaks) AuditGroup(int, time.Duration, error) {}
func (b *breaks) AuditRefused()                        {}
func (b *breaks) AuditChainBreak()                     { b.n.Add(1) }

// watchedWriter starts a writer on db whose breaks are counted, and writes n legacy rows
// (r0, r1, …) through it.
func watchedWriter(t *testing.T, db *sql.DB, n int) (*audit.Writer, *breaks) {
	t.Helper()
	seen := &breaks{}
	w := audit.NewWriter(db, audit.Options{HMACKey: chainKey, ChainKey: chainKey})
	w.Start()
	t.Cleanup(w.Close)
	w.Watch(seen)
	for i := range n {
		if err := w.Write(context.Background(), &audit.Record{RequestID: fmt.Sprint("r", i), Way: "legacy"}, "OK"); err != nil {
			t.Fatal(err)
		}
	}
	return w, seen
}

// exec runs statements on one connection and fails the test on the first error.
func exec(t *testing.T, ctx context.Context, c interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, statements ...string) {
	t.Helper()
	for _, s := range statements {
		if _, err := c.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// outcomes are the trail's (way, outcome) pairs and notes, in order.
func trail(t *testing.T, db *sql.DB) (rows []string, notes []string) {
	t.Helper()
	r, err := db.Query(`SELECT way || ' ' || outcome, coalesce(note, '') FROM audit.lookup ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for r.Next() {
		var row, note string
		if err := r.Scan(&row, &note); err != nil {
			t.Fatal(err)
		}
		rows, notes = append(rows, row), append(notes, note)
	}
	return rows, notes
}

// TestWriterNoticesTrimmedTrail: two writers (two instances) share the chain without a break
// between them; then the table's owner deletes the newest rows (trigger off). The next write
// finds a head that is not the one its writer left and that no other writer's row explains:
// it logs an ERROR, counts it and writes a CHAIN_BREAK row noting both heads before its own,
// and Verify reports that break, without any checkpoint.
func TestWriterNoticesTrimmedTrail(t *testing.T) {
	db := dbtest.SQL(t, dbtest.URL(t))
	ctx := context.Background()
	var logs bytes.Buffer
	var seen breaks
	w := audit.NewWriter(db, audit.Options{HMACKey: chainKey, ChainKey: chainKey, Log: slog.New(slog.NewTextHandler(&logs, nil))})
	w.Start()
	t.Cleanup(w.Close)
	w.Watch(&seen)
	other := audit.NewWriter(db, audit.Options{HMACKey: chainKey, ChainKey: chainKey})
	other.Start()
	t.Cleanup(other.Close)
	write := func(w *audit.Writer, id string) {
		t.Helper()
		if err := w.Write(ctx, &audit.Record{RequestID: id, Way: "graphql"}, "OK"); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 2 { // interleaved: each writer finds the other's row at the head, explained
		write(w, fmt.Sprint("w", i))
		write(other, fmt.Sprint("o", i))
	}
	write(w, "w2")
	if n := seen.n.Load(); n != 0 || strings.Contains(logs.String(), "ERROR") {
		t.Fatalf("%d breaks between two honest writers:\n%s", n, logs.String())
	}
	if _, err := audit.Verify(ctx, db, chainKey, nil); err != nil {
		t.Fatalf("two writers: %v", err)
	}

	tx, err := db.BeginTx(ctx, nil) // the owner (the migrations' user) cuts rows 4 and 5
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	exec(t, ctx, tx, `ALTER TABLE audit.lookup DISABLE TRIGGER lookup_append_only`,
		`DELETE FROM audit.lookup WHERE id >= 4`, `ALTER TABLE audit.lookup ENABLE TRIGGER lookup_append_only`)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := audit.Verify(ctx, db, chainKey, nil); err != nil {
		t.Fatalf("the trimmed trail should verify on its own (only the writer can tell): %v", err)
	}

	write(w, "w3")
	rows, notes := trail(t, db)
	want := []string{"graphql OK", "graphql OK", "graphql OK", "audit CHAIN_BREAK", "graphql OK"}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Fatalf("trail %q, want %q", rows, want)
	}
	if !strings.Contains(notes[3], "expected head: row 5 ") || !strings.Contains(notes[3], "found head: row 3 ") ||
		!strings.Contains(notes[3], "row 5 of this writer is gone") {
		t.Errorf("break note %q", notes[3])
	}
	if n := seen.n.Load(); n != 1 || !strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("%d breaks counted, log:\n%s", n, logs.String())
	}
	rep, err := audit.Verify(ctx, db, chainKey, nil)
	if err == nil || len(rep.Breaks) != 1 || !strings.Contains(rep.Breaks[0], "row 6 records a break the writer found") {
		t.Errorf("verify after the recorded break: %+v, %v", rep, err)
	}
	write(w, "w4") // and the writer goes on from its break row, without another
	if n := seen.n.Load(); n != 1 {
		t.Errorf("%d breaks after writing on", n)
	}
}

// TestWriterRefusesJunkHead: with the service's own login (createinfo_service) an attacker
// appends a junk row to the chain. The writer verifies the head's MAC before chaining to it,
// finds it forged and records the break; the owner then edits an older row too. Verify reports
// every break, in order, going on past each: the edit, the junk row and the recorded break.
func TestWriterRefusesJunkHead(t *testing.T) {
	db := dbtest.SQL(t, dbtest.URL(t))
	ctx := context.Background()
	w, seen := watchedWriter(t, db, 2)
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	exec(t, ctx, conn, `SET ROLE createinfo_service`)
	var head string
	if err := conn.QueryRowContext(ctx, `SELECT hash FROM audit.lookup ORDER BY id DESC LIMIT 1`).Scan(&head); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(head + "junk"))
	if _, err := conn.ExecContext(ctx, `INSERT INTO audit.lookup (at, request_id, way, outcome, keyed, prev_hash, hash)
		VALUES (now(), 'junk', 'legacy', 'OK', true, $1, $2)`, head, hex.EncodeToString(sum[:])); err != nil {
		t.Fatalf("insert as the service role: %v", err)
	}
	exec(t, ctx, conn, `RESET ROLE`)

	if err := w.Write(ctx, &audit.Record{RequestID: "r2", Way: "legacy"}, "OK"); err != nil {
		t.Fatal(err)
	}
	rows, notes := trail(t, db)
	if want := []string{"legacy OK", "legacy OK", "legacy OK", "audit CHAIN_BREAK", "legacy OK"}; fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Fatalf("trail %q, want %q", rows, want)
	}
	if !strings.Contains(notes[3], "row 3's MAC does not hold") || seen.n.Load() != 1 {
		t.Errorf("break note %q, %d counted", notes[3], seen.n.Load())
	}

	tx, err := db.BeginTx(ctx, nil) // the owner edits row 1 as well
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	exec(t, ctx, tx, `ALTER TABLE audit.lookup DISABLE TRIGGER lookup_append_only`)
	if res, err := tx.ExecContext(ctx, `UPDATE audit.lookup SET outcome = 'INVALID_REQUEST' WHERE id = 1`); err != nil {
		t.Fatal(err)
	} else if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("%d rows edited", n)
	}
	exec(t, ctx, tx, `ALTER TABLE audit.lookup ENABLE TRIGGER lookup_append_only`)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	rep, err := audit.Verify(ctx, db, chainKey, nil)
	want := []string{"row 1 was altered", "row 3 was altered or forged", "row 4 records a break"}
	if err == nil || len(rep.Breaks) != len(want) || rep.Rows != 5 {
		t.Fatalf("verify: %+v, %v; want %d breaks in 5 rows", rep, err, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(rep.Breaks[i], w) {
			t.Errorf("break %d: %q, want %q…", i, rep.Breaks[i], w)
		}
	}
}

// TestTrimBehindARestoredHead: the attacker's variant of keeping the chain's head where the
// writer need not re-read it. A superuser (the test's user; triggers off) cuts rows 3 and 4
// out of the trail and puts the writer's last row back as it was (same id, same MAC), so that
// the head is exactly the one the writer left. audit.append reads the head from the trail
// itself, so there is no second copy of it to rewrite; this head is the writer's, and the
// writer chains on without a break of its own. The cut shows in the chain: Verify reports
// that the restored row no longer follows the row before it, and nothing else.
func TestTrimBehindARestoredHead(t *testing.T) {
	db := dbtest.SQL(t, dbtest.URL(t))
	ctx := context.Background()
	w, seen := watchedWriter(t, db, 5)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	exec(t, ctx, tx, `CREATE TEMP TABLE kept AS SELECT * FROM audit.lookup WHERE id = 5`,
		`ALTER TABLE audit.lookup DISABLE TRIGGER lookup_append_only`,
		`DELETE FROM audit.lookup WHERE id >= 3`,
		`INSERT INTO audit.lookup SELECT * FROM kept`,
		`ALTER TABLE audit.lookup ENABLE TRIGGER lookup_append_only`)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	if err := w.Write(ctx, &audit.Record{RequestID: "r5", Way: "legacy"}, "OK"); err != nil {
		t.Fatal(err)
	}
	rows, _ := trail(t, db)
	if want := []string{"legacy OK", "legacy OK", "legacy OK", "legacy OK"}; fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Fatalf("trail %q, want %q", rows, want)
	}
	if n := seen.n.Load(); n != 0 {
		t.Errorf("%d breaks counted for the head the writer left", n)
	}
	rep, err := audit.Verify(ctx, db, chainKey, nil)
	if err == nil || rep.Rows != 4 || len(rep.Breaks) != 1 ||
		!strings.HasPrefix(rep.Breaks[0], "row 5 does not follow the row before it") {
		t.Fatalf("verify: %+v, %v; want row 5's link broken, and only that", rep, err)
	}
}
