// Package standby watches, through the audit trail's pool, what protects an acknowledged audit
// row from a failover: whether the primary names synchronous standbys
// (synchronous_standby_names), how many confirm its commits now (pg_stat_replication, through
// audit.sync_standbys, migration 30), and which server is the primary (a change is a
// failover, or a restart, seen). With Require (AUDIT_REQUIRE_SYNC_STANDBY) the service refuses
// lookups while no synchronous standby confirms; /readyz says why.
package standby

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"createinfo/internal/audit"
)

// Observer is told of every check (metrics): the synchronous standbys confirming, and each
// change of primary seen.
type Observer interface {
	SyncStandbys(n int)
	PrimaryChanged()
}

// Watch is the last check's view of the primary.
type Watch struct {
	db      *sql.DB
	level   string // AUDIT_SYNCHRONOUS_COMMIT
	require bool
	log     *slog.Logger
	obs     Observer

	mu      sync.Mutex
	checked bool
	names   string // synchronous_standby_names
	sync    int    // synchronous standbys confirming
	visible bool   // whether sync could be read
	primary string // the primary's address, port and start time
	err     error  // the last check's, nil when it answered
}

// New watches through db (the audit pool) for writes committed under synchronous_commit
// level; with require, Ready is false while no synchronous standby confirms. obs may be nil.
func New(db *sql.DB, level string, require bool, log *slog.Logger, obs Observer) *Watch {
	if log == nil {
		log = slog.Default()
	}
	return &Watch{db: db, level: level, require: require, log: log, obs: obs}
}

// Interval is how often Run checks: a failover is counted, and lookups refused or resumed
// under Require, within about that long.
const Interval = time.Second

const query = `SELECT current_setting('synchronous_standby_names'), s.sync, s.visible,
	coalesce(host(inet_server_addr()), 'local') || ':' || coalesce(inet_server_port(), 0) || ' since ' || pg_postmaster_start_time()
	FROM audit.sync_standbys() s`

// Check asks the primary once. The first check logs what an acknowledged row survives.
func (w *Watch) Check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, Interval)
	defer cancel()
	var (
		names, primary string
		n              int
		visible        bool
	)
	err := w.db.QueryRowContext(ctx, query).Scan(&names, &n, &visible, &primary)
	w.mu.Lock()
	first, was, lastErr := !w.checked, w.primary, w.err
	w.err = err
	if err == nil {
		w.checked, w.names, w.sync, w.visible, w.primary = true, names, n, visible, primary
	}
	w.mu.Unlock()
	if err != nil {
		if lastErr == nil {
			w.log.Warn("audit standby check failed", "err", err)
		}
		return fmt.Errorf("standby: %w", err)
	}
	if w.obs != nil {
		w.obs.SyncStandbys(n)
	}
	switch {
	case first:
		w.log.Info("audit durability", "synchronous_commit", w.level, "synchronous_standby_names", names,
			"sync_standbys", n, "survives_failover", w.survives(names), "promise", w.Promise())
	case was != primary:
		w.log.Warn("database primary changed (failover or restart): the audit writer reads the chain's head again", "primary", primary)
		if w.obs != nil {
			w.obs.PrimaryChanged()
		}
	}
	if !visible {
		w.log.Warn("audit.sync_standbys cannot read pg_stat_replication: its owner needs pg_read_all_stats (README)")
	}
	return nil
}

// Run checks every Interval until ctx ends; the first check runs at once.
func (w *Watch) Run(ctx context.Context) {
	t := time.NewTicker(Interval)
	defer t.Stop()
	for {
		w.Check(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// survives reports whether an acknowledged audit row is on a standby before its answer leaves.
func (w *Watch) survives(names string) bool {
	return names != "" && audit.WaitsForStandby(w.level)
}

// Promise says, in a sentence for the log, what an acknowledged row survives (README, "Failover").
func (w *Watch) Promise() string {
	w.mu.Lock()
	names := w.names
	w.mu.Unlock()
	switch {
	case !w.survives(names) && names == "":
		return "no synchronous standby is named (synchronous_standby_names is empty): a row survives a crash of the primary, not a failover to an asynchronous standby"
	case !w.survives(names):
		return "AUDIT_SYNCHRONOUS_COMMIT=" + w.level + ": a row survives a crash of the primary, not a failover"
	case w.level == "remote_write":
		return "every acknowledged row is in a synchronous standby's memory: it survives a failover unless that standby's machine fails too"
	default:
		return "every acknowledged row is on a synchronous standby's disk: it survives a failover to that standby"
	}
}

// Ready reports whether lookups may run: always without Require; with it, while at least one
// synchronous standby confirms the primary's commits. why says otherwise why not.
func (w *Watch) Ready() (ok bool, why string) {
	if w == nil || !w.require {
		return true, ""
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case !w.checked:
		return false, "audit: synchronous standbys not checked yet"
	case w.err != nil:
		return false, "audit: cannot check the synchronous standbys (primary unreachable?)"
	case !w.visible:
		return false, "audit: cannot read pg_stat_replication (the owner of audit.sync_standbys needs pg_read_all_stats)"
	case w.names == "":
		return false, "audit: AUDIT_REQUIRE_SYNC_STANDBY is set but the primary names no synchronous standby (synchronous_standby_names is empty)"
	case w.sync == 0:
		return false, "audit: no synchronous standby is connected to the primary; lookups refused (AUDIT_REQUIRE_SYNC_STANDBY)"
	}
	return true, ""
}
