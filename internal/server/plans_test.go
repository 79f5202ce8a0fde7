package server_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"createinfo/internal/legacy"
	"createinfo/tools/dbtest"
	"createinfo/tools/servertest"
	"createinfo/tools/synthetic"
)

// TestLoaderQueriesUseIndexes runs the full legacy tree of the phone with the most
// applications on 20,000 synthetic applications and asks PostgreSQL for the plan of every
// statement it ran, with sequential scans priced out (enable_seqscan off): a sequential scan
// left in the plan means no index can serve the statement. On so small a table PostgreSQL may
// rightly prefer a scan, so the planner's free choice is shown on the 1M data instead
// (docs/BENCHMARKS.md). The code tables, a few rows each and cached, are exempt.
func TestLoaderQueriesUseIndexes(t *testing.T) {
	// Every statement of the lookup pool, gorm's and the store's, as pgx runs it.
	capture := &captured{}
	dbURL := dbtest.URL(t)
	opts := servertest.DBOptions()
	opts.Tracer = capture
	env := servertest.NewOver(t, dbtest.OpenURL(t, dbURL, opts), dbURL)
	pool, err := pgxpool.New(context.Background(), env.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := synthetic.Load(context.Background(), pool, synthetic.Options{Applications: 20000, Seed: 7}); err != nil {
		t.Fatal(err)
	}

	var phone string
	if err := pool.QueryRow(context.Background(), `SELECT phone_number FROM account.create_master
		GROUP BY phone_number ORDER BY count(*) DESC LIMIT 1`).Scan(&phone); err != nil {
		t.Fatal(err)
	}
	capture.reset() // the pool's own (its ping)
	resp, body := env.Post(t, legacy.Path, "application/json", `{"phone": "`+phone+`"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	seen := capture.taken()
	if len(seen) < 10 {
		t.Fatalf("only %d statements captured", len(seen))
	}
	types := pgtype.NewMap()
	for _, s := range seen {
		// The plan for these parameters, and the generic plan the service's pool is set to
		// use (plan_cache_mode=force_generic_plan), which must not depend on them.
		var custom, generic string
		err := pgx.BeginFunc(context.Background(), pool, func(tx pgx.Tx) error {
			ctx := context.Background()
			if _, err := tx.Exec(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
				return err
			}
			if err := tx.QueryRow(ctx, "EXPLAIN (FORMAT JSON) "+s.sql, s.args...).Scan(&custom); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "SET LOCAL plan_cache_mode = force_generic_plan"); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "PREPARE plans_test AS "+s.sql); err != nil {
				return err
			}
			defer tx.Exec(ctx, "DEALLOCATE plans_test") // a session's, not the transaction's
			// EXECUTE's arguments cannot be bound parameters: spell them as literals, in
			// PostgreSQL's text form (pgx's: an array of keys is '{…}').
			params := make([]string, len(s.args))
			for i, v := range s.args {
				text, err := types.Encode(0, pgtype.TextFormatCode, v, nil)
				if err != nil {
					return err
				}
				params[i] = "'" + strings.ReplaceAll(string(text), "'", "''") + "'"
			}
			execute := "EXPLAIN (FORMAT JSON) EXECUTE plans_test"
			if len(params) > 0 {
				execute += "(" + strings.Join(params, ", ") + ")"
			}
			return tx.QueryRow(ctx, execute).Scan(&generic)
		})
		if err != nil {
			t.Fatalf("explain %s: %v", s.sql, err)
		}
		if scans := seqScans(t, custom, codeTables); len(scans) > 0 {
			t.Errorf("sequential scan of %v in:\n%s\nplan: %s", scans, s.sql, custom)
		}
		if scans := seqScans(t, generic, codeTables); len(scans) > 0 {
			t.Errorf("sequential scan of %v in the generic plan of:\n%s\nplan: %s", scans, s.sql, generic)
		}
	}
	t.Logf("%d statements, all on indexes", len(seen))
}

// captured is a pgx tracer that keeps the text and arguments of every statement.
type captured struct {
	mu   sync.Mutex
	list []statement
}

type statement struct {
	sql  string
	args []any
}

func (c *captured) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	var args []any
	for _, a := range d.Args {
		switch a.(type) {
		case pgx.QueryResultFormats, pgx.QueryResultFormatsByOID, pgx.QueryExecMode: // database/sql's driver's options to pgx
		default:
			args = append(args, a)
		}
	}
	c.mu.Lock()
	c.list = append(c.list, statement{d.SQL, args})
	c.mu.Unlock()
	return ctx
}

func (*captured) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (c *captured) reset() { c.mu.Lock(); c.list = nil; c.mu.Unlock() }

func (c *captured) taken() []statement {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]statement(nil), c.list...)
}

var codeTables = map[string]bool{"industry": true, "job": true, "id_issue_city": true, "id_issue_way": true, "country": true}

// seqScans lists the relations a JSON plan reads with a sequential scan, except those in small.
func seqScans(t *testing.T, plan string, small map[string]bool) []string {
	t.Helper()
	var root []struct{ Plan map[string]any }
	if err := json.Unmarshal([]byte(plan), &root); err != nil || len(root) == 0 || root[0].Plan == nil {
		t.Fatalf("not a JSON plan (%v): %s", err, plan)
	}
	var out []string
	var walk func(n map[string]any)
	walk = func(n map[string]any) {
		if strings.Contains(n["Node Type"].(string), "Seq Scan") && !small[n["Relation Name"].(string)] {
			out = append(out, n["Relation Name"].(string))
		}
		children, _ := n["Plans"].([]any)
		for _, c := range children {
			walk(c.(map[string]any))
		}
	}
	for _, r := range root {
		walk(r.Plan)
	}
	return out
}

// TestGenericPlansOption checks that database.Open's GenericPlans reaches every connection
// of the pool, and that a pool without it keeps PostgreSQL's default.
func TestGenericPlansOption(t *testing.T) {
	env := servertest.New(t)
	for _, generic := range []bool{true, false} {
		o := dbtest.DefaultOptions()
		o.GenericPlans = generic
		db := dbtest.OpenURL(t, env.DatabaseURL, o)
		var mode string
		if err := db.Raw("SHOW plan_cache_mode").Row().Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if want := map[bool]string{true: "force_generic_plan", false: "auto"}[generic]; mode != want {
			t.Errorf("GenericPlans %v: plan_cache_mode %q, want %q", generic, mode, want)
		}
	}
	var mode string
	if err := env.DB.Raw("SHOW plan_cache_mode").Row().Scan(&mode); err != nil || mode != "force_generic_plan" {
		t.Errorf("the service's lookup pool: plan_cache_mode %q (%v)", mode, err)
	}
}
