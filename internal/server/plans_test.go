package server_test

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"gorm.io/gorm"

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
	env := servertest.New(t)
	pool, err := pgxpool.New(context.Background(), env.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := synthetic.Load(context.Background(), pool, synthetic.Options{Applications: 20000, Seed: 7}); err != nil {
		t.Fatal(err)
	}

	type statement struct {
		sql  string
		vars []any
	}
	var (
		mu       sync.Mutex
		captured []statement
	)
	capture := func(tx *gorm.DB) {
		mu.Lock()
		captured = append(captured, statement{tx.Statement.SQL.String(), append([]any(nil), tx.Statement.Vars...)})
		mu.Unlock()
	}
	cb := env.DB.Callback()
	cb.Query().After("gorm:query").Register("test:capture", capture)
	cb.Raw().After("gorm:raw").Register("test:capture", capture)
	cb.Row().After("gorm:row").Register("test:capture", capture)

	var phone string
	if err := pool.QueryRow(context.Background(), `SELECT phone_number FROM account.create_master
		GROUP BY phone_number ORDER BY count(*) DESC LIMIT 1`).Scan(&phone); err != nil {
		t.Fatal(err)
	}
	resp, body := env.Post(t, legacy.Path, "application/json", `{"phone": "`+phone+`"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	mu.Lock()
	seen := append([]statement(nil), captured...) // the EXPLAINs below are captured too
	mu.Unlock()
	if len(seen) < 10 {
		t.Fatalf("only %d statements captured", len(seen))
	}
	for _, s := range seen {
		// The plan for these parameters, and the generic plan the service's pool is set to
		// use (plan_cache_mode=force_generic_plan), which must not depend on them.
		var custom, generic string
		err := env.DB.Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec("SET LOCAL enable_seqscan = off").Error; err != nil {
				return err
			}
			if err := tx.Raw("EXPLAIN (FORMAT JSON) "+s.sql, s.vars...).Row().Scan(&custom); err != nil {
				return err
			}
			if err := tx.Exec("SET LOCAL plan_cache_mode = force_generic_plan").Error; err != nil {
				return err
			}
			if err := tx.Exec("PREPARE plans_test AS " + s.sql).Error; err != nil {
				return err
			}
			defer tx.Exec("DEALLOCATE plans_test")
			// EXECUTE's arguments cannot be bound parameters: spell them as literals.
			params := make([]string, len(s.vars))
			for i, v := range s.vars {
				if val, ok := v.(driver.Valuer); ok {
					var err error
					if v, err = val.Value(); err != nil {
						return err
					}
				}
				params[i] = "'" + strings.ReplaceAll(fmt.Sprint(v), "'", "''") + "'"
			}
			execute := "EXPLAIN (FORMAT JSON) EXECUTE plans_test"
			if len(params) > 0 {
				execute += "(" + strings.Join(params, ", ") + ")"
			}
			return tx.Raw(execute).Row().Scan(&generic)
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
