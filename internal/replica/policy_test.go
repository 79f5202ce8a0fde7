package replica

import (
	"database/sql"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// TestResolveSpreadsOverReplicasInRotation: reads go round robin to the replicas in rotation,
// skip one out of rotation, and go to the primary when none is in. (No connection is made:
// the pools are only handed out.)
func TestResolveSpreadsOverReplicasInRotation(t *testing.T) {
	pool := func() *sql.DB {
		db, err := sql.Open("pgx", "postgres://nobody@127.0.0.1:1/none")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	primary := pool()
	s := New(primary, map[string]*sql.DB{"a:5432": pool(), "b:5432": pool()}, []string{"a:5432", "b:5432"}, 0, 1, nil, nil)
	if got := s.Resolve(nil); got != primary {
		t.Fatalf("no replica checked yet: got %v, want the primary", got)
	}
	a, b := s.nodes[0], s.nodes[1]
	s.up(a)
	s.up(b)
	seen := map[string]int{}
	for range 10 {
		seen[s.Resolve(nil).(*Node).Name]++
	}
	if seen["a:5432"] != 5 || seen["b:5432"] != 5 {
		t.Errorf("both in rotation: %v", seen)
	}
	s.down(a, "lags 12.0s", nil)
	for range 4 {
		if got := s.Resolve(nil); got != b {
			t.Fatalf("a out of rotation: got %v", got)
		}
	}
	s.down(b, "unreachable", nil)
	if got := s.Resolve(nil); got != primary {
		t.Errorf("none in rotation: got %v", got)
	}
}

func TestHostPort(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:secret@db1.internal:6432/createinfo?sslmode=require": "db1.internal:6432",
		"postgres://u@db2/createinfo":                                      "db2:5432",
		"host=db3 port=5433 user=u password=secret dbname=createinfo":      "db3:5433",
	} {
		if got := HostPort(in); got != want {
			t.Errorf("HostPort(%q) = %q, want %q", in, got, want)
		}
	}
}
