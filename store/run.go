package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"createinfo/internal/database"
)

// DB is the database the reads run against.
type DB struct {
	pool   *sql.DB // the lookup pool under gorm (database.Open's)
	err    error   // why there is no pool: every read fails with it
	log    logger.Interface
	route  Router
	tracer Tracer
	// shared: a read's keys of concurrent requests go in one statement (share.go).
	shared bool
	groups sync.Map // *Read[K, V] -> *group[K, V]
}

// Router picks the pool each read runs on (internal/replica's Set: a read replica in
// rotation, or the primary).
type Router interface {
	// Read runs read on a pool, and once more on the primary's when it failed on a replica
	// for the replica's sake (its connection, not the statement): read starts afresh.
	Read(ctx context.Context, read func(*sql.DB) error) error
}

// Tracer gives each statement a span (internal/tracing's Statements).
type Tracer interface {
	// Statement starts the span of a statement of query reading table; end ends it with the
	// rows read and the statement's error.
	Statement(ctx context.Context, table, query string) (_ context.Context, end func(rows int, err error))
}

// Option sets up a DB (New, Unshared).
type Option func(*DB)

// ReadFrom runs the reads on the pools r picks; without it, on the pool under gorm.
func ReadFrom(r Router) Option { return func(db *DB) { db.route = r } }

// TraceWith gives each statement a span of t's.
func TraceWith(t Tracer) Option { return func(db *DB) { db.tracer = t } }

// New returns the store over g's pool (the lookup pool), sharing each read's statements
// between concurrent requests (share.go). Statements are logged by g's logger.
func New(g *gorm.DB, opts ...Option) *DB {
	db := &DB{shared: true, log: g.Logger}
	db.pool, db.err = g.DB()
	if db.err != nil {
		db.err = fmt.Errorf("store: %w", db.err)
	}
	db.route = primary{db.pool}
	for _, o := range opts {
		o(db)
	}
	return db
}

// Unshared returns the store over g where every Fetch runs its own statement: for tests that
// compare, and the A/B of the benchmark.
func Unshared(g *gorm.DB, opts ...Option) *DB {
	db := New(g, opts...)
	db.shared = false
	return db
}

// primary is the Router of a store without replicas.
type primary struct{ pool *sql.DB }

func (p primary) Read(_ context.Context, read func(*sql.DB) error) error { return read(p.pool) }

// query runs q with args and hands its rows to read, which returns how many it read. It is
// counted against the request's statement counters, spanned (Tracer), run on a pool the
// Router picks, and logged by gorm's logger when it fails or is slow, as gorm logs its own
// (the text with $1, never the keys). read may be called again from scratch: a statement is
// tried again when it could not be sent on a connection (as database/sql does), or on the
// primary when a replica failed.
func (db *DB) query(ctx context.Context, table, q string, args []any, read func(pgx.Rows) (int, error)) (err error) {
	database.CountStatement(ctx)
	if db.err != nil {
		return db.err
	}
	n := -1
	if db.tracer != nil {
		var end func(int, error)
		ctx, end = db.tracer.Statement(ctx, table, q)
		defer func() { end(n, err) }()
	}
	begin := time.Now()
	err = db.route.Read(ctx, func(pool *sql.DB) error {
		var e error
		n, e = run(ctx, pool, q, args, read)
		return e
	})
	db.log.Trace(ctx, begin, func() (string, int64) { return q, int64(n) }, err)
	return err
}

// tries is how many connections a statement is tried on when it could not be sent on one
// (closed meanwhile): database/sql's two retries and a last try.
const tries = 3

// run runs q on a connection of pool, trying again on another when it could not be sent.
func run(ctx context.Context, pool *sql.DB, q string, args []any, read func(pgx.Rows) (int, error)) (n int, err error) {
	for range tries {
		n, err = runOnce(ctx, pool, q, args, read)
		if !errors.Is(err, driver.ErrBadConn) {
			return n, err
		}
	}
	return n, err
}

// runOnce runs q through pgx on a connection of pool (sql.Conn.Raw): the pool's limits,
// its connections' settings (statement_timeout, the read-only guard, the role, the exec
// mode of DATABASE_URL) and its handling of broken connections are the same as for gorm's
// statements. A connection pgx has closed (broken, or its server gone) is not put back: the
// pool checks it as it would after a database/sql statement. One that failed before the
// statement was sent leaves the pool at once (driver.ErrBadConn), and run tries another.
func runOnce(ctx context.Context, pool *sql.DB, q string, args []any, read func(pgx.Rows) (int, error)) (n int, err error) {
	c, err := pool.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	err = c.Raw(func(dc any) error {
		pc, ok := dc.(interface{ Conn() *pgx.Conn })
		if !ok {
			return fmt.Errorf("store: the pool's connections are not pgx's (%T)", dc)
		}
		rows, err := pc.Conn().Query(ctx, q, args...)
		if err != nil {
			return unsent(err)
		}
		defer rows.Close()
		n, err = read(rows)
		rows.Close()
		// The statement's own failure is the one to report: in the exec modes that do not
		// prepare first (exec: behind PgBouncer) pgx may hand over rows without
		// columns and the error only through them, which read takes for a column mismatch.
		if e := rows.Err(); e != nil {
			err = e
		}
		if err != nil && n <= 0 {
			return unsent(err)
		}
		return err
	})
	return n, err
}

// unsent is driver.ErrBadConn for an error pgx says was met before the statement was sent
// (the connection was closed): the statement can go again on another, as database/sql's pgx
// driver has it.
func unsent(err error) error {
	if pgconn.SafeToRetry(err) {
		return driver.ErrBadConn
	}
	return err
}
