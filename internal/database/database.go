// Package database opens the PostgreSQL connection pool behind gorm and applies the schema
// migrations embedded in the binary.
package database

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	neturl "net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"createinfo/internal/apperr"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options tunes the pool; zero values take the config package's defaults through the caller.
type Options struct {
	MaxOpenConns     int
	MaxIdleConns     int
	ConnMaxLifetime  time.Duration
	StatementTimeout time.Duration
	// Role, when set, is switched to on every new connection (SET ROLE).
	Role string
	// ReadOnly makes every transaction of the pool read-only at the server
	// (default_transaction_read_only), so a lookup cannot write even by mistake.
	ReadOnly bool
	// GenericPlans makes PostgreSQL plan each prepared statement once per connection
	// (plan_cache_mode=force_generic_plan) instead of again at every execution. Only for a pool
	// whose statements have one good plan whatever their parameters: the loaders' "key =
	// ANY($1)" statements are index scans on the key for any list of keys, but PostgreSQL's
	// plan cache never trusts a generic plan for an array parameter and re-planned each of
	// them every time (planning took twice as long as running them).
	GenericPlans bool
	Logger       *slog.Logger
	// Tracer, when set, is told of every statement of the pool with its arguments, gorm's
	// and the store's alike (pgx's hook): for tests that capture what a lookup ran.
	Tracer pgx.QueryTracer
}

// Open connects to url and returns a gorm handle over a pgx pool with explicit limits. The
// connection carries statement_timeout, so PostgreSQL itself stops a query that outlives its
// request even when the client has gone.
func Open(ctx context.Context, url string, o Options) (*gorm.DB, error) {
	sqlDB, cc, err := newPool(url, o)
	if err != nil {
		return nil, err
	}
	return openGorm(ctx, sqlDB, cc, o)
}

// NewPool returns a pool configured as Open's (limits, statement_timeout, read-only, role)
// without connecting: a read replica's pool, which may be down when the server starts.
func NewPool(url string, o Options) (*sql.DB, error) {
	db, _, err := newPool(url, o)
	return db, err
}

func newPool(url string, o Options) (*sql.DB, *pgx.ConnConfig, error) {
	cc, err := pgx.ParseConfig(url)
	if err != nil {
		// pgx's message may quote the URL, password included: keep it out.
		return nil, nil, fmt.Errorf("database: DATABASE_URL is not a valid PostgreSQL connection string")
	}
	cc.RuntimeParams["application_name"] = "createinfo"
	if o.StatementTimeout > 0 {
		cc.RuntimeParams["statement_timeout"] = strconv.FormatInt(o.StatementTimeout.Milliseconds(), 10)
	}
	if o.ReadOnly {
		cc.RuntimeParams["default_transaction_read_only"] = "on"
		if sessionAttrs(url) == "read-write" {
			// target_session_attrs=read-write asks each host of a multi-host URL whether the new
			// session may write (SHOW transaction_read_only), which this pool's own guard
			// forbids: every host, the primary included, would be rejected. What read-write
			// means for a pool that never writes is "the primary": ask that instead.
			cc.ValidateConnect = pgconn.ValidateConnectTargetSessionAttrsPrimary
		}
	}
	if o.GenericPlans {
		cc.RuntimeParams["plan_cache_mode"] = "force_generic_plan"
	}
	cc.Tracer = o.Tracer
	var opts []stdlib.OptionOpenDB
	if o.Role != "" {
		setRole := "SET ROLE " + pgx.Identifier{o.Role}.Sanitize()
		opts = append(opts, stdlib.OptionAfterConnect(func(ctx context.Context, conn *pgx.Conn) error {
			_, err := conn.Exec(ctx, setRole)
			return err
		}))
	}
	sqlDB := stdlib.OpenDB(*cc, opts...)
	sqlDB.SetMaxOpenConns(o.MaxOpenConns)
	sqlDB.SetMaxIdleConns(o.MaxIdleConns)
	sqlDB.SetConnMaxLifetime(o.ConnMaxLifetime)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	return sqlDB, cc, nil
}

// sessionAttrs is the target_session_attrs a connection string asks for (URL or keyword/value
// form, else PGTARGETSESSIONATTRS), "" when none.
func sessionAttrs(connString string) string {
	if strings.HasPrefix(connString, "postgres://") || strings.HasPrefix(connString, "postgresql://") {
		// Not url.Parse: a multi-host URL's "host:port,host:port" is no URL host.
		if _, query, ok := strings.Cut(connString, "?"); ok {
			if q, err := neturl.ParseQuery(query); err == nil && q.Get("target_session_attrs") != "" {
				return q.Get("target_session_attrs")
			}
		}
	} else {
		for _, f := range strings.Fields(connString) {
			if v, ok := strings.CutPrefix(f, "target_session_attrs="); ok {
				return strings.Trim(v, "'")
			}
		}
	}
	return os.Getenv("PGTARGETSESSIONATTRS")
}

func openGorm(ctx context.Context, sqlDB *sql.DB, cc *pgx.ConnConfig, o Options) (*gorm.DB, error) {
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	db, err := gorm.Open(postgres.New(postgres.Config{Conn: sqlDB}), &gorm.Config{
		Logger: newLogger(log),
		// Lookups never write; skipping gorm's implicit transactions saves two round trips
		// per write elsewhere and changes nothing here.
		SkipDefaultTransaction: true,
		// Select the model's columns by name, never "*": the encrypted password column of
		// create_detail is then never even read.
		QueryFields: true,
		PrepareStmt: false, // pgx already caches prepared statements per connection
	})
	if err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("database: open: %w", err)
	}
	if err := CountStatements(db); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("database: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("database: ping %s:%d: %w", cc.Host, cc.Port, err)
	}
	return db, nil
}

// newLogger logs slow and failing statements without their parameters: the parameters of a
// lookup are ID and phone numbers. ParameterizedQueries keeps gorm from filling them in, but
// not for every path (raw statements with list arguments come out with values inlined), so
// every quoted literal is also masked in what reaches the log.
func newLogger(log *slog.Logger) logger.Interface {
	return logger.New(slogWriter{log}, logger.Config{
		SlowThreshold:             500 * time.Millisecond,
		LogLevel:                  logger.Warn,
		IgnoreRecordNotFoundError: true,
		ParameterizedQueries:      true,
		Colorful:                  false,
	})
}

type slogWriter struct{ log *slog.Logger }

// Printf masks, through apperr.Redact, every quoted literal, Go-quoted string (how driver
// errors show the arguments they could not use) and phone- or ID-shaped text.
func (w slogWriter) Printf(format string, args ...any) {
	w.log.Warn("sql", "detail", apperr.Redact(fmt.Sprintf(format, args...)))
}

// Migrate applies the service's pending migrations (the audit schema, its role and grants:
// what the service owns) and returns how many it applied and the version the database is at.
// The bank's account schema must exist already: the grants name it.
func Migrate(ctx context.Context, db *sql.DB) (applied int, version int64, err error) {
	dir, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return 0, 0, fmt.Errorf("database: migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, dir)
	if err != nil {
		return 0, 0, fmt.Errorf("database: migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("database: migrate: %w", err)
	}
	if version, err = p.GetDBVersion(ctx); err != nil {
		return 0, 0, fmt.Errorf("database: migration version: %w", err)
	}
	return len(results), version, nil
}
