// Package audit records every lookup and every refused attempt in PostgreSQL (schema audit):
// who asked (key, agent, address), how (way in, operation), for what (phone and ID numbers as
// keyed HMACs, never in clear), what came back (count and seqNos) and how it ended. Every row
// is recorded through one API, the Recorder (recorder.go): the GraphQL layer and the HTTP
// middleware fill the Record and decide when; the Recorder decides the outcome and writes.
//
// Rows are chained by a keyed MAC (HMAC-SHA-256 under a chain key the database never holds):
// whoever can write the table cannot edit a row and recompute the chain, nor append a row
// that verifies. The writer periodically logs a signed checkpoint (the last row's id and MAC),
// kept outside the database, so that rows removed from the end are found too (Verify).
package audit

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"createinfo/internal/apperr"
)

// Record is the audit row of one request, filled as the request goes.
type Record struct {
	mu sync.Mutex
	At time.Time
	// RequestID is the caller's X-Request-Id (or the server's id when it sent none);
	// ServerRequestID is always the server's own unique id.
	RequestID, ServerRequestID string
	KeyID, AgentID, ClientAddr string
	// Role is the caller's role; Proof how its agent was established (token: proven by the
	// provider's signature; key: asserted by a key's holder in X-Agent-Id; none: development);
	// AssertedAgent an X-Agent-Id that disagreed with the token's agent, ignored (migration 20).
	Role, Proof, AssertedAgent string
	// RevealReason is the reason an agent gave for revealApplication; Flags the insider-abuse
	// thresholds this request went over; Customers the HMACs of the ID numbers of the
	// applications returned (migration 20).
	RevealReason               string
	Flags, Customers           []string
	Way, Operation             string
	IdnoHMAC, PhoneHMAC, SeqNo string
	SeqNos                     []string
	Outcome                    string
	// Attempts is how many requests the row stands for: 1, or the refusals of one client in
	// one interval when they are aggregated.
	Attempts int
	// TraceID is the request's trace, so that an auditor can go from a row to its trace (set
	// by Write from its context; "" outside a trace).
	TraceID string
	// Note says why the writer itself wrote the row: on a CHAIN_BREAK row, the head it expected
	// and the head it found ("" on every request's row).
	Note    string
	pending apperr.Code // the outcome noted before the row is written
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

// SetOperation records the GraphQL operation's name.
func (r *Record) SetOperation(name string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Operation = name
}

// Refuse notes the code a request was refused with, for the row written on its way out.
func Refuse(r *Record, code apperr.Code) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pending = code
}

// Refused is the code noted by Refuse, "" when none was.
func (r *Record) Refused() apperr.Code {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pending
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

// Options configure a Writer.
type Options struct {
	// HMACKey keys the HMACs of phone and ID numbers (AUDIT_HMAC_KEY).
	HMACKey []byte
	// ChainKey keys the chain's MACs (AUDIT_CHAIN_KEY); the database never holds it.
	ChainKey []byte
	// CheckpointEvery is how often a checkpoint is logged while rows are written (0: only
	// when Checkpoint is called).
	CheckpointEvery time.Duration
	// SynchronousCommit is the synchronous_commit of the writer's transactions
	// (AUDIT_SYNCHRONOUS_COMMIT; "" is on): set in each, whatever the server's default, so that
	// with a synchronous standby a row is on it before its lookup's answer leaves (sync.go).
	SynchronousCommit string
	Log               *slog.Logger
}

// Writer appends records to audit.lookup. Records are written in groups: the first waiting
// record starts a write, and every record that arrives meanwhile joins the next one. Each
// caller still waits until its own row is committed (fail closed), but the chain's lock and
// the one round trip are paid once per group instead of once per lookup.
type Writer struct {
	db    *sql.DB
	o     Options
	queue chan pending
	// running is true between Start and Close: a Write outside it fails at once (fail closed).
	running       atomic.Bool
	stop, stopped chan struct{}

	mu               sync.Mutex
	head             string     // the chain's head as this writer last saw it ("" before its first group)
	headID           int64      // its row's id (0 before the first group)
	obs              Observer   // metrics hook (observe.go)
	last, lastLogged Checkpoint // the newest row this writer committed, and the last one logged
}

type pending struct {
	rec  *Record
	done chan error
}

// maxGroup bounds the rows of one transaction.
const maxGroup = 256

// NewWriter writes through db (a writable pool). It starts nothing: rows are written between
// Start and Close, which the owner of the process calls (cmd/server, in its shutdown order).
func NewWriter(db *sql.DB, o Options) *Writer {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Writer{db: db, o: o, queue: make(chan pending, 4*maxGroup),
		stop: make(chan struct{}), stopped: make(chan struct{})}
}

// errNotRunning is what Write returns before Start and after Close: the lookup is refused.
var errNotRunning = errors.New("audit: the writer is not running")

// Start starts the goroutine that writes the queued records (and logs checkpoints). A Writer
// is started once.
func (w *Writer) Start() {
	if !w.running.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer close(w.stopped)
		w.loop(w.stop)
	}()
}

// Close writes the records already queued, stops the writing goroutine, and logs the last
// checkpoint; a Write after it fails. The service closes the writer after the HTTP server and
// the limiter (whose last aggregated rows it writes) have stopped.
func (w *Writer) Close() {
	if !w.running.CompareAndSwap(true, false) {
		return
	}
	close(w.stop)
	<-w.stopped
	w.Checkpoint()
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

func (w *Writer) mac(v string) string {
	if v == "" {
		return ""
	}
	m := hmac.New(sha256.New, w.o.HMACKey)
	m.Write([]byte(v))
	return hex.EncodeToString(m.Sum(nil))
}

// genesis is the prev_hash of the first row.
var genesis = strings.Repeat("0", 64)

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
	if r.Attempts < 1 {
		r.Attempts = 1
	}
	r.mu.Unlock()

	if !w.running.Load() {
		return errNotRunning
	}
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

// loop writes the queued records, a group per transaction, until stop closes (then it writes
// what is still queued), and logs a checkpoint every CheckpointEvery while rows are written.
func (w *Writer) loop(stop <-chan struct{}) {
	var tick <-chan time.Time
	if w.o.CheckpointEvery > 0 {
		t := time.NewTicker(w.o.CheckpointEvery)
		defer t.Stop()
		tick = t.C
	}
	for {
		var first pending
		select {
		case first = <-w.queue:
		case <-tick:
			w.Checkpoint()
			continue
		case <-stop:
			select {
			case first = <-w.queue: // what came before Close is still written
			default:
				return
			}
		}
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

// writeGroup appends the group in one round trip: one call of audit.append (migrations 4, 41),
// which takes the chain's lock, checks that the head is still the MAC this writer last saw and
// inserts the rows, chained to it, in the statement's own transaction. When the head has moved
// meanwhile, nothing is inserted: the writer reads the new head and checks that it is
// explained, a row whose MAC holds under the chain key (another instance's) following this
// writer's last row, which must still be there. Otherwise the trail was cut or a row was
// forged: the writer logs an ERROR, counts it and puts a CHAIN_BREAK row, noting both heads, at
// the front of the group. Either way the group is chained to the new head and sent again. The
// first group of a process learns the head that way (checking only the head's MAC).
func (w *Writer) writeGroup(group []pending) error {
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	w.mu.Lock()
	prev, prevID := w.head, w.headID
	w.mu.Unlock()
	recs := make([]*Record, len(group))
	for i, p := range group {
		recs[i] = p.rec
	}
	broken := false
	level := w.level(group)
	for try := 0; ; try++ {
		rows, last := w.chain(recs, prev)
		lastID, _, err := w.append(ctx, prev, rows, level)
		if err != nil {
			return fmt.Errorf("audit: append: %w", err)
		}
		if lastID > 0 {
			w.mu.Lock()
			w.head, w.headID = last, lastID
			w.last = Checkpoint{ID: lastID, MAC: last}
			w.mu.Unlock()
			return nil
		}
		if try == maxRechain {
			return fmt.Errorf("audit: the chain's head moved %d times in a row", try+1)
		}
		found, why, err := w.judgeHead(ctx, prev, prevID)
		if err != nil {
			return err
		}
		if why != "" && !broken { // one CHAIN_BREAK row per group, however often the head moves
			broken = true
			note := fmt.Sprintf("expected head: row %d %s; found head: row %d %s; %s", prevID, prev, found.id, found.hash, why)
			w.o.Log.Error("audit: the chain's head is not the one this writer left, and nothing explains it",
				"expected_id", prevID, "found_id", found.id, "why", why)
			w.observeBreak() // metrics hook
			id := NewID()
			recs = append([]*Record{{At: time.Now().UTC().Truncate(time.Microsecond), RequestID: id, ServerRequestID: id,
				Way: "audit", Outcome: ChainBreak, Attempts: 1, SeqNos: []string{}, Note: note}}, recs...)
		}
		prev, prevID = found.hash, found.id
	}
}

// ChainBreak is the outcome of the row the writer writes when the chain's head is not the one it
// left and no other writer's row explains it.
const ChainBreak = "CHAIN_BREAK"

// head is the newest row of the trail as judgeHead read it.
type head struct {
	id   int64
	hash string
}

// judgeHead reads the trail's newest row and says why it does not explain a head other than
// expected (row expectedID, "" and 0 before this writer's first group): "" when it does.
func (w *Writer) judgeHead(ctx context.Context, expected string, expectedID int64) (head, string, error) {
	var (
		h    head
		r    Record
		n    int
		seqs string
		prev string
		ok   bool
		kept bool
		ids  identityRow
	)
	err := w.db.QueryRowContext(ctx, `SELECT id, at, request_id, server_request_id, key_id, agent_id, client_addr,
		way, operation, idno_hmac, phone_hmac, seq_no, result_count, array_to_string(seq_nos, ','), outcome,
		attempts, keyed, coalesce(trace_id, ''), coalesce(note, ''), `+identityColumns+`, prev_hash, hash,
		EXISTS (SELECT 1 FROM audit.lookup m WHERE m.id = $1 AND m.hash = $2)
		FROM audit.lookup ORDER BY id DESC LIMIT 1`, expectedID, expected).Scan(&h.id, &r.At, &r.RequestID,
		&r.ServerRequestID, &r.KeyID, &r.AgentID, &r.ClientAddr, &r.Way, &r.Operation, &r.IdnoHMAC, &r.PhoneHMAC,
		&r.SeqNo, &n, &seqs, &r.Outcome, &r.Attempts, &ok, &r.TraceID, &r.Note, &ids.role, &ids.proof, &ids.asserted,
		&ids.reason, &ids.flags, &ids.customers, &prev, &h.hash, &kept)
	ids.set(&r)
	if errors.Is(err, sql.ErrNoRows) {
		if expectedID > 0 {
			return head{hash: genesis}, fmt.Sprintf("the trail is empty: row %d of this writer is gone", expectedID), nil
		}
		return head{hash: genesis}, "", nil
	}
	if err != nil {
		return h, "", fmt.Errorf("audit: read the head: %w", err)
	}
	r.SeqNos = splitSeqNos(seqs)
	switch {
	case !macHolds(w.o.ChainKey, prev, &r, n, ok, h.hash, expectedID == 0):
		return h, fmt.Sprintf("row %d's MAC does not hold under the chain key (forged or altered)", h.id), nil
	case expectedID > 0 && !kept:
		return h, fmt.Sprintf("row %d of this writer is gone or altered", expectedID), nil
	case expectedID > 0 && h.id < expectedID:
		return h, fmt.Sprintf("the head precedes row %d of this writer", expectedID), nil
	}
	return h, "", nil
}

// macHolds reports whether a row's stored MAC is the one its fields and previous MAC give:
// keyed under key; or, where unkeyed may be true (nothing of this writer's precedes it), by the
// plain SHA-256 link of a trail begun before migration 3.
func macHolds(key []byte, prev string, r *Record, count int, keyed bool, mac string, unkeyed bool) bool {
	want := ""
	switch {
	case keyed:
		want = chainMAC(key, prev, r)
	case unkeyed:
		want = legacyHash(prev, r)
	default:
		return false
	}
	return len(r.SeqNos) == count && hmac.Equal([]byte(want), []byte(mac))
}

func splitSeqNos(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// NewID is a random id of 24 hex digits: the server's own request id and the id of a row the
// writer writes of its own accord. About one random id in a hundred holds ten digits starting
// 09 somewhere, which apperr.Personal (rightly) reads as a phone number in a caller's id; the
// server's own ids are drawn again until they are not, so that no id it logs, echoes or stores
// ever looks like personal data.
func NewID() string {
	b := make([]byte, 12)
	for {
		rand.Read(b)
		if id := hex.EncodeToString(b); !apperr.Personal(id) {
			return id
		}
	}
}

// readyLockWait bounds how long Ready waits for the lock an INSERT takes: a table locked longer
// than this would hold every lookup past its own wait for its row.
const readyLockWait = 500 * time.Millisecond

// Ready reports whether rows can be written now, without writing one: the table can be locked
// as an INSERT locks it within readyLockWait, and the writer's role may insert into it and call
// audit.append. /readyz asks it, so that an instance whose trail cannot be written (each of its
// lookups would be refused) leaves the load balancer until it can again.
func (w *Writer) Ready(ctx context.Context) error {
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("audit trail unreachable: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("SET LOCAL lock_timeout = %d", readyLockWait.Milliseconds())); err != nil {
		return fmt.Errorf("audit trail unreachable: %w", err)
	}
	var may bool
	if err := tx.QueryRowContext(ctx, `SELECT has_table_privilege('audit.lookup', 'INSERT')
		AND has_function_privilege('audit.append(text, jsonb)', 'EXECUTE')`).Scan(&may); err != nil {
		return fmt.Errorf("audit trail unreachable: %w", err)
	}
	if !may {
		return fmt.Errorf("audit trail not writable: the role may not append to audit.lookup")
	}
	if _, err := tx.ExecContext(ctx, `LOCK TABLE audit.lookup IN ROW EXCLUSIVE MODE`); err != nil {
		return fmt.Errorf("audit trail not writable: audit.lookup is locked (%w)", err)
	}
	return nil
}

// maxRechain bounds how often one group is chained again to a head that another writer moved.
const maxRechain = 8

// row is a record as audit.append inserts it: the JSON keys are audit.lookup's columns, every one
// that the function's INSERT lists (migration 41), so that none is left NULL.
type row struct {
	At              time.Time `json:"at"`
	RequestID       string    `json:"request_id"`
	ServerRequestID string    `json:"server_request_id"`
	KeyID           string    `json:"key_id"`
	AgentID         string    `json:"agent_id"`
	ClientAddr      string    `json:"client_addr"`
	Way             string    `json:"way"`
	Operation       string    `json:"operation"`
	IdnoHMAC        string    `json:"idno_hmac"`
	PhoneHMAC       string    `json:"phone_hmac"`
	SeqNo           string    `json:"seq_no"`
	ResultCount     int       `json:"result_count"`
	SeqNos          []string  `json:"seq_nos"`
	Outcome         string    `json:"outcome"`
	Attempts        int       `json:"attempts"`
	Keyed           bool      `json:"keyed"`
	PrevHash        string    `json:"prev_hash"`
	Hash            string    `json:"hash"`
	TraceID         *string   `json:"trace_id"` // null outside a trace; every row names the key
	Note            *string   `json:"note"`     // null but on the writer's own rows (migration 10)
	Role            string    `json:"role"`
	Proof           string    `json:"proof"`
	AssertedAgent   string    `json:"asserted_agent"`
	RevealReason    string    `json:"reveal_reason"`
	Flags           []string  `json:"flags"`
	Customers       []string  `json:"customers"`
}

// chain links the group's records to prev under the chain key and returns them as audit.append
// takes them (a JSON array, in chain order) with the last MAC.
func (w *Writer) chain(group []*Record, prev string) ([]byte, string) {
	rows := make([]row, len(group))
	for i, r := range group {
		r.mu.Lock()
		mac := chainMAC(w.o.ChainKey, prev, r)
		rows[i] = row{At: r.At, RequestID: r.RequestID, ServerRequestID: r.ServerRequestID, KeyID: r.KeyID,
			AgentID: r.AgentID, ClientAddr: r.ClientAddr, Way: r.Way, Operation: r.Operation, IdnoHMAC: r.IdnoHMAC,
			PhoneHMAC: r.PhoneHMAC, SeqNo: r.SeqNo, ResultCount: len(r.SeqNos), SeqNos: r.SeqNos, Outcome: r.Outcome,
			Attempts: r.Attempts, Keyed: true, PrevHash: prev, Hash: mac,
			Role: r.Role, Proof: r.Proof, AssertedAgent: r.AssertedAgent, RevealReason: r.RevealReason, Flags: r.Flags,
			Customers: r.Customers}
		if rows[i].Flags == nil {
			rows[i].Flags = []string{}
		}
		if rows[i].Customers == nil {
			rows[i].Customers = []string{}
		}
		if r.TraceID != "" {
			trace := r.TraceID
			rows[i].TraceID = &trace
		}
		if r.Note != "" {
			note := r.Note
			rows[i].Note = &note
		}
		r.mu.Unlock()
		prev = mac
	}
	b, _ := json.Marshal(rows) // strings, numbers and times only: cannot fail
	return b, prev
}

// chainMAC is the keyed MAC of the previous row's MAC and every field of the row,
// unit-separated; the trace id counts when there is one, and so does the note (marked, so that
// neither can pass for the other).
func chainMAC(key []byte, prev string, r *Record) string {
	f := append(fields(prev, r), r.ServerRequestID, strconv.Itoa(r.Attempts))
	if r.TraceID != "" {
		f = append(f, r.TraceID)
	}
	if r.Note != "" {
		f = append(f, "note:"+r.Note)
	}
	if r.Role != "" || r.Proof != "" || r.AssertedAgent != "" || r.RevealReason != "" || len(r.Flags) > 0 || len(r.Customers) > 0 {
		// The identity columns of migration 20, behind a marker that no trace id or note can
		// equal, so that the rows written before them keep their MACs.
		f = append(f, "identity", r.Role, r.Proof, r.AssertedAgent, r.RevealReason, strings.Join(r.Flags, ","),
			strings.Join(r.Customers, ","))
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(strings.Join(f, "\x1f")))
	return hex.EncodeToString(m.Sum(nil))
}

// legacyHash is the unkeyed SHA-256 link of the rows written before migration 3.
func legacyHash(prev string, r *Record) string {
	sum := sha256.Sum256([]byte(strings.Join(fields(prev, r), "\x1f")))
	return hex.EncodeToString(sum[:])
}

func fields(prev string, r *Record) []string {
	return []string{prev, r.At.UTC().Format(time.RFC3339Nano), r.RequestID, r.KeyID, r.AgentID,
		r.ClientAddr, r.Way, r.Operation, r.IdnoHMAC, r.PhoneHMAC, r.SeqNo, strconv.Itoa(len(r.SeqNos)),
		strings.Join(r.SeqNos, ","), r.Outcome}
}

// Checkpoint names a row of the chain and its MAC; signed, it is kept outside the database
// (the service's log) so that a trail trimmed after it is found.
type Checkpoint struct {
	ID  int64
	MAC string
}

// Checkpoint logs the newest row this writer committed, signed with the chain key, when it
// has not been logged yet. The service calls it periodically and on shutdown.
func (w *Writer) Checkpoint() {
	w.mu.Lock()
	cp := w.last
	if cp.ID == 0 || cp == w.lastLogged {
		w.mu.Unlock()
		return
	}
	w.lastLogged = cp
	w.mu.Unlock()
	w.o.Log.Info("audit checkpoint", "checkpoint", cp.Sign(w.o.ChainKey), "id", cp.ID)
}

// Sign returns the checkpoint as "id.mac.signature", the form auditverify -checkpoint reads.
func (c Checkpoint) Sign(key []byte) string {
	return strconv.FormatInt(c.ID, 10) + "." + c.MAC + "." + c.signature(key)
}

func (c Checkpoint) signature(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("createinfo audit checkpoint\x1f" + strconv.FormatInt(c.ID, 10) + "\x1f" + c.MAC))
	return hex.EncodeToString(m.Sum(nil))
}

// ParseCheckpoint reads a signed checkpoint and checks its signature under key.
func ParseCheckpoint(s string, key []byte) (Checkpoint, error) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) != 3 {
		return Checkpoint{}, fmt.Errorf("audit: a checkpoint reads id.mac.signature")
	}
	id, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || id < 1 {
		return Checkpoint{}, fmt.Errorf("audit: checkpoint id %q is not a row id", parts[0])
	}
	c := Checkpoint{ID: id, MAC: parts[1]}
	if !hmac.Equal([]byte(c.signature(key)), []byte(parts[2])) {
		return Checkpoint{}, fmt.Errorf("audit: the checkpoint's signature does not hold under this AUDIT_CHAIN_KEY")
	}
	return c, nil
}

// Report is what Verify found.
type Report struct {
	Rows   int   // rows checked
	Legacy int   // of which written before the keyed chain (migration 3), linked by plain SHA-256
	LastID int64 // the newest row's id
	// Breaks are every break found, in the trail's order: rows altered, forged, removed or
	// reordered, and the breaks the writer itself recorded (CHAIN_BREAK rows).
	Breaks []string
}

// Verify walks the chain from the first row under key and reports every row whose MAC or link
// does not hold, and every break the writer recorded, going on past each (a forged row does
// not hide later edits). With a checkpoint, the row it names must be there with its MAC: rows
// removed from the end of the trail after it are reported. The error names every break, the
// first one first. Every row must be keyed: see VerifyUnkeyed for a trail that began before
// migration 3.
func Verify(ctx context.Context, db *sql.DB, key []byte, cp *Checkpoint) (Report, error) {
	return VerifyUnkeyed(ctx, db, key, cp, 0)
}

// VerifyUnkeyed is Verify for a trail whose first unkeyed rows were written before the keyed
// chain (migration 3), linked by plain SHA-256. Anyone can compute such links, so how many
// there are must come from outside the database (counted when migration 3 was applied):
// otherwise whoever can write the table rewrites the whole trail as "old" rows, and the
// service chains its next keyed row, and its next checkpoint, to that forged head.
func VerifyUnkeyed(ctx context.Context, db *sql.DB, key []byte, cp *Checkpoint, unkeyed int) (Report, error) {
	var rep Report
	rows, err := db.QueryContext(ctx, `SELECT id, at, request_id, server_request_id, key_id, agent_id, client_addr,
		way, operation, idno_hmac, phone_hmac, seq_no, result_count, array_to_string(seq_nos, ','), outcome,
		attempts, keyed, coalesce(trace_id, ''), coalesce(note, ''), `+identityColumns+`, prev_hash, hash FROM audit.lookup ORDER BY id`)
	if err != nil {
		return rep, fmt.Errorf("audit: read: %w", err)
	}
	defer rows.Close()
	broke := func(format string, args ...any) { rep.Breaks = append(rep.Breaks, fmt.Sprintf(format, args...)) }
	prev, keyedSeen, cpSeen := genesis, false, false
	for rows.Next() {
		var (
			id          int64
			r           Record
			count       int
			seqNos      string
			ids         identityRow
			keyed       bool
			prevHash, h string
		)
		if err := rows.Scan(&id, &r.At, &r.RequestID, &r.ServerRequestID, &r.KeyID, &r.AgentID, &r.ClientAddr,
			&r.Way, &r.Operation, &r.IdnoHMAC, &r.PhoneHMAC, &r.SeqNo, &count, &seqNos, &r.Outcome, &r.Attempts,
			&keyed, &r.TraceID, &r.Note, &ids.role, &ids.proof, &ids.asserted, &ids.reason, &ids.flags, &ids.customers, &prevHash, &h); err != nil {
			return rep, fmt.Errorf("audit: read: %w", err)
		}
		ids.set(&r)
		r.SeqNos = splitSeqNos(seqNos)
		legacy := false
		switch {
		case keyed:
			keyedSeen = true
		case keyedSeen:
			broke("row %d is not keyed but follows keyed rows (forged)", id)
		case rep.Legacy >= unkeyed:
			broke("row %d is not keyed, past the %d rows written before the keyed chain (forged)", id, unkeyed)
		default:
			legacy = true
			rep.Legacy++
		}
		switch {
		case prevHash != prev:
			broke("row %d does not follow the row before it (a row was removed or reordered)", id)
		case (keyed || legacy) && !macHolds(key, prev, &r, count, keyed, h, legacy):
			broke("row %d was altered or forged (its MAC does not hold under this key)", id)
		}
		if keyed && r.Outcome == ChainBreak && r.Way == "audit" {
			broke("row %d records a break the writer found: %s", id, r.Note)
		}
		if cp != nil && id == cp.ID {
			if h != cp.MAC {
				broke("row %d differs from the checkpoint", id)
			}
			cpSeen = true
		}
		prev = h // go on from the row as it stands: later breaks are reported too
		rep.Rows++
		rep.LastID = id
	}
	if err := rows.Err(); err != nil {
		return rep, fmt.Errorf("audit: read: %w", err)
	}
	if cp != nil && !cpSeen {
		broke("rows missing after row %d: the checkpoint names row %d (%d rows at least were removed)",
			rep.LastID, cp.ID, cp.ID-rep.LastID)
	}
	if len(rep.Breaks) > 0 {
		return rep, fmt.Errorf("audit: %d breaks: %s", len(rep.Breaks), strings.Join(rep.Breaks, "; "))
	}
	return rep, nil
}
