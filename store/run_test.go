package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"createinfo/models"
	"createinfo/tools/dbtest"
)

// TestStatementErrorsSurface: a statement that fails before it returns its columns (here a
// read of a locked table cancelled by statement_timeout) fails with PostgreSQL's own error,
// which apperr classifies (57014: TIMEOUT), in every exec mode of DATABASE_URL, for a plain
// read (the root lookup), a hand-written one and a joined one. In the modes that send the
// statement without preparing it first (exec, behind PgBouncer) pgx reports that error only
// through the rows, which then have no columns: read first, the missing columns hid it.
func TestStatementErrorsSurface(t *testing.T) {
	flags := By[string, models.ManualReviewFlag]("create_master_seq_no", childOrder)
	flags.With(JoinOne[models.ManualReviewFlag]("aml", By[int64, models.AmlFlagDetail]("seq_no", "seq_no"), nil))
	for _, mode := range []string{"cache_statement", "exec", "simple_protocol"} {
		url := dbtest.URL(t) + "&default_query_exec_mode=" + mode
		o := dbtest.DefaultOptions()
		o.StatementTimeout = 200 * time.Millisecond
		db := dbtest.OpenURL(t, url, o)
		lock := dbtest.SQL(t, url)
		tx, err := lock.Begin()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(`LOCK TABLE account.create_master, account.manual_review_flag IN ACCESS EXCLUSIVE MODE`); err != nil {
			t.Fatal(err)
		}
		store := Unshared(db)
		reads := map[string]func() error{
			"root lookup": func() error {
				_, _, err := Applications(context.Background(), store, Match{Phone: "0988123456"}, 10)
				return err
			},
			"hand-written": func() error {
				_, _, err := PayTaxes.Fetch(context.Background(), store, []string{"x"})
				return err
			},
			"joined": func() error {
				_, _, err := flags.Fetch(context.Background(), store, []string{"x"})
				return err
			},
		}
		for name, read := range reads {
			var pgErr *pgconn.PgError
			if err := read(); !errors.As(err, &pgErr) || pgErr.Code != "57014" {
				t.Errorf("%s, %s: %v, want PostgreSQL's statement timeout (57014)", mode, name, err)
			}
		}
		tx.Rollback()
	}
}
