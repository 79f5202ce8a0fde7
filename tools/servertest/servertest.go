// Package servertest runs the service's HTTP handler over real HTTP (httptest) on a fresh
// PostgreSQL database of its own, for end-to-end tests of both ways in.
package servertest

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"createinfo/internal/apperr"
	"createinfo/internal/audit"
	"createinfo/internal/database"
	"createinfo/internal/server"
	"createinfo/tools/dbtest"
)

// Env is a running service and its database.
type Env struct {
	URL string
	// DB is the service's pool: read-only, as in production.
	DB *gorm.DB
	// DatabaseURL is the test database, for tests that arrange data with Exec.
	DatabaseURL string

	log LogBuffer
	srv *server.Server

	mu         sync.Mutex
	statements []int64
	entered    atomic.Int64 // requests that have reached the service
}

// New starts the service on a fresh database with the demo data. edit, when given, adjusts
// the options before the handler is built.
func New(t testing.TB, edit ...func(*server.Options)) *Env {
	t.Helper()
	return NewOn(t, dbtest.URL(t), edit...)
}

// NewOn starts the service on the database at dbURL, which the caller has prepared.
func NewOn(t testing.TB, dbURL string, edit ...func(*server.Options)) *Env {
	t.Helper()
	return NewOver(t, dbtest.OpenURL(t, dbURL, DBOptions()), dbURL, edit...)
}

// DBOptions are the lookup pool's options under New and NewOn: read-only, generic plans, as
// the server sets its own.
func DBOptions() database.Options {
	opts := dbtest.DefaultOptions()
	opts.ReadOnly = true
	opts.GenericPlans = true
	return opts
}

// NewOver starts the service over db, a lookup pool the caller opened on the database at
// dbURL (with DBOptions and options of its own).
func NewOver(t testing.TB, db *gorm.DB, dbURL string, edit ...func(*server.Options)) *Env {
	t.Helper()
	return start(t, db, dbURL, edit)
}

// NewUnreachable starts the service over a database that does not answer: nothing listens
// on its port.
func NewUnreachable(t testing.TB, edit ...func(*server.Options)) *Env {
	t.Helper()
	_, db := Unreachable(t)
	return start(t, db, "", edit)
}

// Unreachable is a pool, and gorm over it, of a database that does not answer: nothing
// listens on its port. Nothing is asked of it until a statement runs.
func Unreachable(t testing.TB) (*sql.DB, *gorm.DB) {
	t.Helper()
	sqlDB, err := sql.Open("pgx", unreachableURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sqlDB.Close() })
	db, err := gorm.Open(postgres.New(postgres.Config{Conn: sqlDB}), &gorm.Config{
		DisableAutomaticPing: true,
		Logger:               logger.Discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	return sqlDB, db
}

const unreachableURL = "postgres://createinfo@127.0.0.1:1/none?connect_timeout=2"

// HMACKey keys the audit HMACs of the test service, ChainKey its chain.
var (
	HMACKey  = []byte("test-audit-hmac-key-0123456789abcdef")
	ChainKey = []byte("test-audit-chain-key-0123456789abcdef")
)

// NewWriter is the test service's audit writer over db, logging to log (and a checkpoint
// every 20ms while it writes).
func NewWriter(db *sql.DB, log *slog.Logger) *audit.Writer {
	return audit.NewWriter(db, audit.Options{HMACKey: HMACKey, ChainKey: ChainKey, CheckpointEvery: 20 * time.Millisecond, Log: log})
}

func start(t testing.TB, db *gorm.DB, dbURL string, edit []func(*server.Options)) *Env {
	e := &Env{DB: db, DatabaseURL: dbURL}
	// The audit trail is written through a writable pool of its own, as in production.
	auditURL := dbURL
	if auditURL == "" {
		auditURL = unreachableURL
	}
	auditDB, err := sql.Open("pgx", auditURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { auditDB.Close() })
	log := slog.New(slog.NewTextHandler(&e.log, nil))
	o := server.Options{
		DB:             db,
		MaxResults:     200,
		LoaderWait:     time.Millisecond,
		RequestTimeout: 10 * time.Second,
		MaxBodyBytes:   64 << 10,
		Development:    true,
		Log:            log,
		Audit:          NewWriter(auditDB, log),
	}
	for _, f := range edit {
		f(&o)
	}
	// The service's own log lines go into the test output (shown with -v, as `make test` runs
	// it), where scripts/check-logs.sh looks for personal data: what the service logs is
	// checked, not only what the tests print.
	t.Cleanup(func() {
		if logs := e.Logs(); logs != "" {
			t.Logf("service log:\n%s", logs)
		}
	})
	// Started and stopped as cmd/server does: the HTTP server closes first (registered last),
	// then the limiter writes its open windows' rows, then the audit writer stops.
	h := server.New(o)
	e.srv = h
	if o.Audit != nil {
		o.Audit.Start()
		t.Cleanup(o.Audit.Close)
	}
	h.Start()
	t.Cleanup(h.Close)
	// The service counts statements for its request log; this outer counter sees them too.
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.entered.Add(1)
		ctx, n := database.WithStatementCounter(r.Context())
		h.ServeHTTP(w, r.WithContext(ctx))
		e.mu.Lock()
		e.statements = append(e.statements, n.Load())
		e.mu.Unlock()
	}))
	server.Harden(srv.Config) // as cmd/server serves it
	srv.Listener = server.Listen(srv.Listener)
	srv.Start()
	t.Cleanup(srv.Close)
	e.URL = srv.URL
	return e
}

// Stop ends the limiter's windows as shutdown does: their aggregated rows are written and
// waited for. The service still answers; Stop is for tests of what shutdown writes.
func (e *Env) Stop() { e.srv.Close() }

// WaitRequests polls until n requests have reached the service's handler.
func (e *Env) WaitRequests(t testing.TB, n int64) {
	t.Helper()
	dbtest.Poll(t, fmt.Sprintf("%d requests to reach the service", n), 10*time.Second, func() bool {
		return e.entered.Load() >= n
	})
}

// LastStatements is the number of SQL statements the last finished request ran.
func (e *Env) LastStatements() int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.statements) == 0 {
		return -1
	}
	return e.statements[len(e.statements)-1]
}

// Post sends body to path and returns the status and the response body.
func (e *Env) Post(t testing.TB, path, contentType, body string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Post(e.URL+path, contentType, bytes.NewBufferString(body))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("POST %s: read: %v", path, err)
	}
	return resp, b
}

// Response is a GraphQL response.
type Response struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// Code is the extensions.code of the first error, "" when there is none.
func (r Response) Code() apperr.Code {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := apperr.CodeOf(r.Errors[0].Extensions)
	return c
}

// GraphQL posts a query with its variables to /graphql and decodes the response; the data, if
// any, is decoded into data.
func (e *Env) GraphQL(t testing.TB, query string, vars map[string]any, data any) Response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	_, b := e.Post(t, "/graphql", "application/json", string(body))
	var r Response
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("graphql: decode %q: %v", b, err)
	}
	if data != nil && len(r.Data) > 0 && string(r.Data) != "null" {
		if err := json.Unmarshal(r.Data, data); err != nil {
			t.Fatalf("graphql: decode data %s: %v", r.Data, err)
		}
	}
	return r
}

// Logs returns everything the service has logged so far.
func (e *Env) Logs() string {
	return e.log.String()
}

// Exec runs statements on the test database with a writable connection of its own, to arrange
// data the demo set lacks.
func (e *Env) Exec(t testing.TB, query string, args ...any) {
	t.Helper()
	db, err := sql.Open("pgx", e.DatabaseURL)
	if err != nil {
		t.Fatalf("exec: %v", err)
	}
	defer db.Close()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("exec %q: %v", query, err)
	}
}

// LogBuffer collects a server's log lines while a test reads them.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String is everything written so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Get returns the status of GET url.
func Get(url string) (int, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// Do sends body (JSON, "" for none) to url with method and headers and returns the response,
// its body read whole; a request that cannot be sent fails the test.
func Do(t testing.TB, method, url, body string, headers map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}
