// Package replica sends the lookups' reads to PostgreSQL streaming replicas through gorm's
// dbresolver, and keeps only the healthy ones in rotation. A background check asks each
// replica, every interval, whether it is in recovery and how far it lags; a replica that is
// down, promoted, or lags more than the allowed lag leaves the rotation, and comes back by
// itself once healthy. With none in rotation the reads go to the primary. A statement that
// fails on a replica with a connection error is run again on the primary at once, so a
// replica dying between two checks fails no request.
//
// The audit trail never comes here: it writes through a pool of its own on the primary.
package replica

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/plugin/dbresolver"
)

// Observer is told of every health check and every statement moved to the primary
// (metrics). Replica names are host:port.
type Observer interface {
	ReplicaChecked(replica string, inRotation bool, lag time.Duration, checkErr error)
	ReplicaFailover(replica string)
}

// Set is the replicas of one primary.
type Set struct {
	primary  *sql.DB
	nodes    []*Node
	maxLag   time.Duration
	interval time.Duration
	log      *slog.Logger
	obs      Observer
	next     atomic.Uint64
	// primaryLSN is the primary's WAL position at the previous check (see check).
	primaryLSN string
}

// Node is one replica: its pool, and whether it is in rotation. It is the gorm.ConnPool
// dbresolver hands statements to.
type Node struct {
	Name string
	db   *sql.DB
	set  *Set
	up   atomic.Bool
	lag  atomic.Int64 // nanoseconds, at the last successful check
	mu   sync.Mutex
	why  string // why it is out of rotation
}

// New returns the set of the replica pools over the primary's lookup pool. Replicas start
// out of rotation until their first check. Names are the pools' host:port.
func New(primary *sql.DB, replicas map[string]*sql.DB, order []string, maxLag, interval time.Duration, log *slog.Logger, obs Observer) *Set {
	if log == nil {
		log = slog.Default()
	}
	s := &Set{primary: primary, maxLag: maxLag, interval: interval, log: log, obs: obs}
	for _, name := range order {
		s.nodes = append(s.nodes, &Node{Name: name, db: replicas[name], set: s, why: "not checked yet"})
	}
	return s
}

// HostPort is the host:port of a PostgreSQL URL, its name in logs, metrics and /readyz (never
// the URL itself: it may hold a password).
func HostPort(u string) string {
	if p, err := url.Parse(u); err == nil && p.Host != "" {
		if p.Port() == "" {
			return net.JoinHostPort(p.Hostname(), "5432")
		}
		return p.Host
	}
	host, port := "", "5432"
	for _, f := range strings.Fields(u) { // keyword/value form
		if k, v, ok := strings.Cut(f, "="); ok {
			switch k {
			case "host":
				host = v
			case "port":
				port = v
			}
		}
	}
	return net.JoinHostPort(host, port)
}

// Register makes db's reads go through the set (dbresolver). Writes stay on db's own pool.
func (s *Set) Register(db *gorm.DB) error {
	if len(s.nodes) == 0 {
		return nil
	}
	var dialectors []gorm.Dialector
	for _, n := range s.nodes {
		dialectors = append(dialectors, postgres.New(postgres.Config{Conn: n}))
	}
	if err := db.Use(dbresolver.Register(dbresolver.Config{Replicas: dialectors, Policy: s})); err != nil {
		return fmt.Errorf("replica: %w", err)
	}
	return nil
}

// Resolve picks the next replica in rotation, round robin, or the primary when none is
// (dbresolver.Policy).
func (s *Set) Resolve([]gorm.ConnPool) gorm.ConnPool {
	n := len(s.nodes)
	start := int(s.next.Add(1))
	for i := range n {
		if node := s.nodes[(start+i)%n]; node.up.Load() {
			return node
		}
	}
	return s.primary
}

// Read runs read on the next replica in rotation, or on the primary when none is, and again
// on the primary at once when it fails on the replica with a connection error: what the
// ConnPool methods below do for gorm's statements, for the store's, which run on the pools
// themselves (store.Router).
func (s *Set) Read(ctx context.Context, read func(*sql.DB) error) error {
	var n *Node
	if p, ok := s.Resolve(nil).(*Node); ok {
		n = p
	}
	if n == nil {
		return read(s.primary)
	}
	n.mark(ctx)
	err := read(n.db)
	if connectionLost(ctx, err) {
		n.failover(ctx, err)
		return read(s.primary)
	}
	return err
}

// Run checks the replicas every interval until ctx ends. The first check runs at once.
func (s *Set) Run(ctx context.Context) {
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		s.Check(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// lagQuery answers, on a replica: whether it is in recovery, whether it has replayed the
// primary's WAL up to $1 (its position now) and up to $2 (its position one check ago), and
// the age of the last transaction it replayed (pg_last_xact_replay_timestamp).
const lagQuery = `SELECT pg_is_in_recovery(),
	$1::text = '' OR pg_last_wal_replay_lsn() >= $1::pg_lsn,
	$2::text = '' OR pg_last_wal_replay_lsn() >= $2::pg_lsn,
	coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)::float8`

// Check checks every replica once and puts each in or out of rotation. A replica that has
// replayed all the primary has written lags 0. One that has not lags the age of the last
// transaction it replayed, but leaves the rotation for lag only when it has not even replayed
// what the primary had written at the previous check: a replica that is merely a few
// milliseconds behind a primary that was idle for a minute is not a minute late.
func (s *Set) Check(ctx context.Context) {
	var lsn string
	pctx, cancel := context.WithTimeout(ctx, time.Second)
	if err := s.primary.QueryRowContext(pctx, `SELECT pg_current_wal_lsn()::text`).Scan(&lsn); err != nil {
		lsn = "" // the primary is down: judge the replicas by reachability alone
	}
	cancel()
	prev := s.primaryLSN
	if prev == "" {
		prev = lsn
	}
	s.primaryLSN = lsn
	var wg sync.WaitGroup
	for _, n := range s.nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n.check(ctx, lsn, prev)
		}()
	}
	wg.Wait()
}

func (n *Node) check(ctx context.Context, lsn, prevLSN string) {
	ctx, cancel := context.WithTimeout(ctx, max(n.set.interval, time.Second))
	defer cancel()
	var (
		recovering, caughtUp, caughtUpBefore bool
		lagSeconds                           float64
	)
	err := n.db.QueryRowContext(ctx, lagQuery, lsn, prevLSN).Scan(&recovering, &caughtUp, &caughtUpBefore, &lagSeconds)
	var lag time.Duration
	switch {
	case err != nil:
		n.set.down(n, "unreachable", err)
	case !recovering:
		err = errors.New("not in recovery (promoted?)")
		n.set.down(n, "not a replica: not in recovery", err)
	default:
		if !caughtUp {
			lag = time.Duration(lagSeconds * float64(time.Second))
		}
		n.lag.Store(int64(lag))
		if !caughtUpBefore && lag > n.set.maxLag {
			n.set.down(n, fmt.Sprintf("lags %.1fs", lag.Seconds()), nil)
		} else {
			n.set.up(n)
		}
	}
	if n.set.obs != nil {
		n.set.obs.ReplicaChecked(n.Name, n.up.Load(), lag, err)
	}
}

func (s *Set) down(n *Node, why string, err error) {
	n.mu.Lock()
	n.why = why
	n.mu.Unlock()
	if n.up.Swap(false) {
		attrs := []any{"replica", n.Name, "why", why}
		if err != nil {
			attrs = append(attrs, "err", err)
		}
		s.log.Warn("replica out of rotation", attrs...)
	}
}

func (s *Set) up(n *Node) {
	if !n.up.Swap(true) {
		s.log.Info("replica in rotation", "replica", n.Name)
	}
}

// Status is one line per replica for /readyz: name, in or out of rotation, and why.
func (s *Set) Status(w io.Writer) {
	for _, n := range s.nodes {
		if n.up.Load() {
			fmt.Fprintf(w, "replica %s: in rotation (lag %.1fs)\n", n.Name, time.Duration(n.lag.Load()).Seconds())
			continue
		}
		n.mu.Lock()
		why := n.why
		n.mu.Unlock()
		fmt.Fprintf(w, "replica %s: out of rotation (%s); reads go to the other replicas or the primary\n", n.Name, why)
	}
}

// InRotation reports whether the replica named name takes reads now.
func (s *Set) InRotation(name string) bool {
	for _, n := range s.nodes {
		if n.Name == name {
			return n.up.Load()
		}
	}
	return false
}

// connectionLost reports whether err means the replica, not the statement, failed: the
// connection broke or could not be made, the server is shutting down, or the standby
// cancelled the statement for a recovery conflict. The primary then runs it instead.
func connectionLost(ctx context.Context, err error) bool {
	if err == nil || ctx.Err() != nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		c := pgErr.Code
		return strings.HasPrefix(c, "08") || strings.HasPrefix(c, "57P") || c == "40001"
	}
	return true // not a server's answer: the network or the connection
}

func (n *Node) failover(ctx context.Context, err error) {
	n.set.down(n, "connection lost", err)
	if n.set.obs != nil {
		n.set.obs.ReplicaFailover(n.Name)
	}
	trace.SpanFromContext(ctx).AddEvent("replica failed: statement moved to the primary",
		trace.WithAttributes(attribute.String("createinfo.db.replica", n.Name)))
}

func (n *Node) mark(ctx context.Context) {
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.SetAttributes(attribute.String("createinfo.db.node", n.Name))
	}
}

// The gorm.ConnPool methods: run on the replica while it is in rotation, and on the primary
// if it fails. dbresolver hands a statement to its only replica without asking the policy, so
// a node out of rotation sends its statements to the primary itself.

func (n *Node) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	if !n.up.Load() {
		return n.set.primary.PrepareContext(ctx, query)
	}
	st, err := n.db.PrepareContext(ctx, query)
	if connectionLost(ctx, err) {
		n.failover(ctx, err)
		return n.set.primary.PrepareContext(ctx, query)
	}
	return st, err
}

func (n *Node) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if !n.up.Load() {
		return n.set.primary.ExecContext(ctx, query, args...)
	}
	res, err := n.db.ExecContext(ctx, query, args...)
	if connectionLost(ctx, err) {
		n.failover(ctx, err)
		return n.set.primary.ExecContext(ctx, query, args...)
	}
	return res, err
}

func (n *Node) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if !n.up.Load() {
		return n.set.primary.QueryContext(ctx, query, args...)
	}
	n.mark(ctx)
	rows, err := n.db.QueryContext(ctx, query, args...)
	if connectionLost(ctx, err) {
		n.failover(ctx, err)
		return n.set.primary.QueryContext(ctx, query, args...)
	}
	return rows, err
}

// QueryRowContext cannot see its error before the caller scans: no failover (the lookups
// read through QueryContext).
func (n *Node) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if !n.up.Load() {
		return n.set.primary.QueryRowContext(ctx, query, args...)
	}
	n.mark(ctx)
	return n.db.QueryRowContext(ctx, query, args...)
}
