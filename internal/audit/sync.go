package audit

import (
	"context"
	"database/sql/driver"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// appendSQL appends a group (audit.append) and, in the same statement and so the same
// transaction, sets its synchronous_commit (set_config(…, true) is SET LOCAL: it ends with the
// transaction, after the commit it governs), and tells whether this commit waits for a
// synchronous standby (synchronous_standby_names is set).
const appendSQL = `SELECT last_id, head, set_config('synchronous_commit', $3, true),
	current_setting('synchronous_standby_names') <> '' FROM audit.append($1, $2)`

// append runs appendSQL on a connection of its own; when that connection turns out lost or
// no longer the primary's, it leaves the pool at once and the cached head is dropped: after a
// failover the next group learns the head from the new primary, which may not hold the last
// rows this writer committed (asynchronous standby).
func (w *Writer) append(ctx context.Context, prev string, rows []byte, level string) (lastID int64, head string, err error) {
	conn, err := w.db.Conn(ctx)
	if err != nil {
		w.lost(err)
		return 0, "", err
	}
	defer conn.Close()
	start := time.Now()
	var (
		set     string
		standby bool
	)
	// rows goes as text, not []byte: without a statement description (a transaction-mode
	// pooler's default_query_exec_mode=exec) pgx would send []byte as bytea, which jsonb refuses.
	err = conn.QueryRowContext(ctx, appendSQL, prev, string(rows), level).Scan(&lastID, &head, &set, &standby)
	if err != nil && nodeLost(err) {
		w.lost(err)
		conn.Raw(func(any) error { return driver.ErrBadConn }) // discards the connection
	}
	if err == nil && standby && WaitsForStandby(level) {
		w.observeStandby(time.Since(start)) // metrics hook
	}
	return lastID, head, err
}

// lost forgets the chain's head after a connection error: the next group judges the head it
// finds as a new process's first group does (its MAC only), since a promoted standby may
// rightly lack the newest rows this writer committed.
func (w *Writer) lost(error) {
	w.mu.Lock()
	w.head, w.headID = "", 0
	w.mu.Unlock()
}

// level is the group's synchronous_commit: the configured one, unless every row of the group
// is of a request refused on its way in (Refuse), whose answer carries no data: those commit
// locally, so that a refusal is still recorded, at once, while no synchronous standby
// confirms (AUDIT_REQUIRE_SYNC_STANDBY refuses lookups then).
func (w *Writer) level(group []pending) string {
	level := w.o.SynchronousCommit
	if level == "" {
		level = "on"
	}
	for _, p := range group {
		if p.rec.Refused() == "" {
			return level
		}
	}
	if WaitsForStandby(level) {
		return "local"
	}
	return level
}

// WaitsForStandby reports whether a commit under synchronous_commit level waits for a
// synchronous standby when synchronous_standby_names is set: then an acknowledged row is on the
// standby (in its memory under remote_write, on its disk under on, replayed under remote_apply).
func WaitsForStandby(level string) bool {
	return level == "on" || level == "remote_apply" || level == "remote_write"
}

// nodeLost reports whether err means the connection, not the statement, failed: broken or
// refused, the server shutting down or crashed (08…, 57P…), or a node that no longer takes
// writes (25006: a demoted primary, a standby).
func nodeLost(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		c := pgErr.Code
		return strings.HasPrefix(c, "08") || strings.HasPrefix(c, "57P") || c == "25006"
	}
	return !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled)
}
