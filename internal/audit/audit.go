// Package audit records every lookup and every refused attempt in PostgreSQL (schema audit):
// who asked (key, agent, address), how (way in, operation), for what (phone and ID numbers as
// keyed HMACs, never in clear), what came back (count and seqNos) and how it ended. Rows are
// chained by hash; Verify finds an edited or missing row. If a row cannot be written, the
// lookup fails closed: no unrecorded data leaves (see Extension).
package audit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Record is the audit row of one request, filled as the request goes.
type Record struct {
	mu                                    sync.Mutex
	At                                    time.Time
	RequestID, KeyID, AgentID, ClientAddr string
	Way, Operation                        string
	IdnoHMAC, PhoneHMAC, SeqNo            string
	SeqNos                                []string
	Outcome                               string
	// TraceID is the request's trace (set by Write from its context).
	TraceID string
	written bool
}

type ctxKey struct{}

// NewContext returns ctx carrying r.
func NewContext(ctx context.Context, r *Record) context.Context {
	return context.WithValue(ctx, ctxKey{}, r)
}

// FromContext returns the request's record, nil outside an audited request.
func FromContext(ctx context.Context) *Record {
	r, _ := ctx.Value(ctxKey{}).(*Record)
	return r
}

// Written reports whether the record has been written.
func (r *Record) Written() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.written
}

// Writer appends records to audit.lookup. Records are written in groups: the first waiting
// record starts a transaction, and every record that arrives meanwhile joins the next one.
// Each caller still waits until its own row is committed (fail closed), but the chain's lock
// and round trips are paid once per group instead of once per lookup.
type Writer struct {
	db    *sql.DB
	key   []byte
	queue chan pending
	once  sync.Once
	obs   Observer // metrics hook (observe.go)
}

type pending struct {
	rec  *Record
	done chan error
}

// maxGroup bounds the rows of one transaction.
const maxGroup = 256

// NewWriter writes through db (a writable pool) and keys the HMACs with key.
func NewWriter(db *sql.DB, key []byte) *Writer {
	return &Writer{db: db, key: key, queue: make(chan pending, 4*maxGroup)}
}

// SetConditions records the lookup's normalised conditions, phone and idno as HMACs.
func (w *Writer) SetConditions(r *Record, idno, phone, seqNo string) {
	if w == nil || r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.IdnoHMAC, r.PhoneHMAC, r.SeqNo = w.mac(idno), w.mac(phone), seqNo
}

// SetResult records the applications returned.
func SetResult(r *Record, seqNos []string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.SeqNos = seqNos
}

func (w *Writer) mac(v string) string {
	if v == "" {
		return ""
	}
	m := hmac.New(sha256.New, w.key)
	m.Write([]byte(v))
	return hex.EncodeToString(m.Sum(nil))
}

// genesis is the prev_hash of the first row.
var genesis = strings.Repeat("0", 64)

// lockID serialises the writers of the chain across processes (pg_advisory_xact_lock).
const lockID = 0x6372656174 // "creat"

// writeTimeout bounds the wait for one's row, the group's transaction included.
const writeTimeout = 3 * time.Second

// Write appends r with outcome, chained to the last row, and returns once it is committed.
// A record is written once.
func (w *Writer) Write(ctx context.Context, r *Record, outcome string) (err error) {
	ctx, end := startSpan(ctx) // tracing hook (observe.go)
	defer func() { end(err) }()
	r.mu.Lock()
	if r.written {
		r.mu.Unlock()
		return nil
	}
	r.Outcome = outcome
	if r.TraceID == "" {
		r.TraceID = traceID(ctx)
	}
	if r.At.IsZero() {
		r.At = time.Now()
	}
	r.At = r.At.UTC().Truncate(time.Microsecond) // as timestamptz keeps it
	if r.SeqNos == nil {
		r.SeqNos = []string{}
	}
	r.mu.Unlock()

	w.once.Do(func() { go w.loop() })
	p := pending{rec: r, done: make(chan error, 1)}
	timer := time.NewTimer(writeTimeout) // a timed-out lookup is recorded too: not ctx
	defer timer.Stop()
	select {
	case w.queue <- p:
	case <-timer.C:
		return fmt.Errorf("audit: queue full")
	}
	select {
	case err := <-p.done:
		if err == nil {
			r.mu.Lock()
			r.written = true
			r.mu.Unlock()
		}
		return err
	case <-timer.C:
		return fmt.Errorf("audit: no commit within %v", writeTimeout)
	}
}

// loop writes the queued records, a group per transaction, for the life of the process.
func (w *Writer) loop() {
	for first := range w.queue {
		group := []pending{first}
	gather:
		for len(group) < maxGroup {
			select {
			case p := <-w.queue:
				group = append(group, p)
			default:
				break gather
			}
		}
		start := time.Now()
		err := w.writeGroup(group)
		w.observeGroup(len(group), start, err) // metrics hook
		for _, p := range group {
			p.done <- err
		}
	}
}

func (w *Writer) writeGroup(group []pending) error {
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("audit: begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, lockID); err != nil {
		return fmt.Errorf("audit: lock: %w", err)
	}
	prev := genesis
	err = tx.QueryRowContext(ctx, `SELECT hash FROM audit.lookup ORDER BY id DESC LIMIT 1`).Scan(&prev)
	if err != nil && err != sql.ErrNoRows {
		return fmt.Errorf("audit: last hash: %w", err)
	}
	var (
		query strings.Builder
		args  []any
	)
	query.WriteString(`INSERT INTO audit.lookup (at, request_id, key_id, agent_id, client_addr, way, operation,
		idno_hmac, phone_hmac, seq_no, result_count, seq_nos, outcome, trace_id, prev_hash, hash) VALUES `)
	for i, p := range group {
		r := p.rec
		r.mu.Lock()
		hash := rowHash(prev, r)
		row := []any{r.At, r.RequestID, r.KeyID, r.AgentID, r.ClientAddr, r.Way, r.Operation, r.IdnoHMAC,
			r.PhoneHMAC, r.SeqNo, len(r.SeqNos), r.SeqNos, r.Outcome, nullable(r.TraceID), prev, hash}
		r.mu.Unlock()
		if i > 0 {
			query.WriteByte(',')
		}
		query.WriteByte('(')
		for j := range row {
			if j > 0 {
				query.WriteByte(',')
			}
			fmt.Fprintf(&query, "$%d", len(args)+j+1)
		}
		query.WriteByte(')')
		args = append(args, row...)
		prev = hash
	}
	// A multi-row VALUES list takes its serial ids in list order, so the chain follows ids.
	if _, err := tx.ExecContext(ctx, query.String(), args...); err != nil {
		return fmt.Errorf("audit: insert: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("audit: commit: %w", err)
	}
	return nil
}

// rowHash is the SHA-256 of the previous hash and every field of the row, unit-separated.
func rowHash(prev string, r *Record) string {
	fields := []string{prev, r.At.UTC().Format(time.RFC3339Nano), r.RequestID, r.KeyID, r.AgentID,
		r.ClientAddr, r.Way, r.Operation, r.IdnoHMAC, r.PhoneHMAC, r.SeqNo, strconv.Itoa(len(r.SeqNos)),
		strings.Join(r.SeqNos, ","), r.Outcome}
	if r.TraceID != "" {
		fields = append(fields, r.TraceID) // rows without one hash as they did before it existed
	}
	sum := sha256.Sum256([]byte(strings.Join(fields, "\x1f")))
	return hex.EncodeToString(sum[:])
}

// Verify walks the chain from the first row and returns the number of rows checked, or an
// error naming the first row whose hash or link does not hold.
func Verify(ctx context.Context, db *sql.DB) (int, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, at, request_id, key_id, agent_id, client_addr, way, operation,
		idno_hmac, phone_hmac, seq_no, result_count, array_to_string(seq_nos, ','), outcome, coalesce(trace_id, ''), prev_hash, hash
		FROM audit.lookup ORDER BY id`)
	if err != nil {
		return 0, fmt.Errorf("audit: read: %w", err)
	}
	defer rows.Close()
	prev, n := genesis, 0
	for rows.Next() {
		var (
			id          int64
			r           Record
			count       int
			seqNos      string
			prevHash, h string
		)
		if err := rows.Scan(&id, &r.At, &r.RequestID, &r.KeyID, &r.AgentID, &r.ClientAddr, &r.Way, &r.Operation,
			&r.IdnoHMAC, &r.PhoneHMAC, &r.SeqNo, &count, &seqNos, &r.Outcome, &r.TraceID, &prevHash, &h); err != nil {
			return n, fmt.Errorf("audit: read: %w", err)
		}
		r.SeqNos = []string{}
		if seqNos != "" {
			r.SeqNos = strings.Split(seqNos, ",")
		}
		switch {
		case prevHash != prev:
			return n, fmt.Errorf("audit: row %d does not follow the row before it (a row was removed or reordered)", id)
		case len(r.SeqNos) != count || rowHash(prev, &r) != h:
			return n, fmt.Errorf("audit: row %d was altered", id)
		}
		prev = h
		n++
	}
	return n, rows.Err()
}

// nullable stores an empty string as NULL.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
