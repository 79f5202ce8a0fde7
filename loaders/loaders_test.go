package loaders

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"createinfo/internal/database"
	"createinfo/tools/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }

func TestResultsComeBackInKeyOrder(t *testing.T) {
	db := dbtest.Open(t, dbtest.DefaultOptions())
	l := NewSource(db, time.Millisecond, 0).New()
	ctx, n := database.WithStatementCounter(context.Background())

	keys := []string{"DEMO-APP-C-01", "no-such-application", "0A80d1d572650511ea8a30acde48001122", "DEMO-APP-A-01"}
	lists, errs := l.DocumentResends.LoadMany(ctx, keys)()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(lists) != 4 || len(lists[0]) != 0 || lists[1] == nil || len(lists[1]) != 0 || len(lists[2]) != 2 || len(lists[3]) != 0 {
		t.Fatalf("lists: %v", lists)
	}
	if lists[2][0].SeqNo != 1 || lists[2][1].SeqNo != 2 {
		t.Errorf("resends of the sample out of order: %d, %d", lists[2][0].SeqNo, lists[2][1].SeqNo)
	}
	if got := n.Load(); got != 1 {
		t.Errorf("statements = %d, want 1", got)
	}

	points, _ := l.StepBreakPoint.LoadMany(ctx, keys)()
	if points[0] == nil || points[0].CreateMasterSeqNo != keys[0] || points[1] != nil || points[2].CreateMasterSeqNo != keys[2] {
		t.Errorf("one-to-one results not in key order: %+v", points)
	}
}

func TestFillPrimesTheCache(t *testing.T) {
	db := dbtest.Open(t, dbtest.DefaultOptions())
	l := NewSource(db, time.Hour, 0).New() // a resolver waiting on the timer would hang the test
	ctx, n := database.WithStatementCounter(context.Background())

	got := l.Industry.Fill(ctx, []string{"14220", "64110", "14220", "missing"})
	if got := n.Load(); got != 1 {
		t.Fatalf("Fill ran %d statements, want 1", got)
	}
	if len(got) != 3 || got[0].Code != "14220" || got[1].Code != "64110" || got[2] != nil {
		t.Fatalf("Fill returned %+v, want the distinct keys' values in order", got)
	}
	c, err := l.Industry.Load(ctx, "64110")()
	if err != nil || c == nil || c.Name != "銀行業" {
		t.Fatalf("primed code: %+v %v", c, err)
	}
	if c, err := l.Industry.Load(ctx, "missing")(); err != nil || c != nil {
		t.Fatalf("primed miss: %+v %v", c, err)
	}
	if got := n.Load(); got != 1 {
		t.Errorf("loads after fill ran %d more statements", got-1)
	}
}

func TestCodeCacheIsSharedAndExpires(t *testing.T) {
	url := dbtest.URL(t)
	db := dbtest.OpenURL(t, url, dbtest.DefaultOptions())
	src := NewSource(db, time.Millisecond, 5*time.Minute)
	now := time.Date(2020, 2, 12, 7, 51, 28, 0, time.UTC)
	src.o.codes.now = func() time.Time { return now }
	read := func() (string, int64) {
		ctx, n := database.WithStatementCounter(context.Background())
		c, err := src.New().Job.Load(ctx, "10009")()
		if err != nil || c == nil {
			t.Fatalf("job 10009: %+v %v", c, err)
		}
		return c.Name, n.Load()
	}
	if name, n := read(); name != "軍人(士官以下)" || n != 1 {
		t.Fatalf("first request: %q, %d statements", name, n)
	}
	if _, n := read(); n != 0 {
		t.Errorf("second request ran %d statements, want 0 (cached)", n)
	}
	if err := db.Exec(`SET default_transaction_read_only = off; UPDATE account.job SET name = '軍人' WHERE code = '10009'`).Error; err != nil {
		t.Fatal(err)
	}
	now = now.Add(5*time.Minute - time.Nanosecond)
	if name, n := read(); name != "軍人(士官以下)" || n != 0 {
		t.Errorf("just before expiry: %q, %d statements, want the cached name", name, n)
	}
	now = now.Add(time.Nanosecond)
	if name, n := read(); name != "軍人" || n != 1 {
		t.Errorf("after expiry: %q, %d statements", name, n)
	}
}

func TestKeyListRoundTrips(t *testing.T) {
	db := dbtest.Open(t, dbtest.DefaultOptions())
	keys := keyList[string]{`plain`, `a"b`, `back\slash`, `comma,brace}`, ``, `NULL`}
	var got []string
	if err := db.Raw(`SELECT unnest(?::text[])`, keys).Scan(&got).Error; err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "|") != strings.Join(keys, "|") {
		t.Errorf("got %q, want %q", got, keys)
	}
	var ids []int64
	if err := db.Raw(`SELECT unnest(?::bigint[])`, keyList[int64]{1, -2, 9007199254740993}).Scan(&ids).Error; err != nil || len(ids) != 3 || ids[2] != 9007199254740993 {
		t.Errorf("int keys: %v %v", ids, err)
	}
}

// TestKnowsNoGraphQL keeps the batching layer below the GraphQL one: which field reads which
// loader is graph/relations.go's business.
func TestKnowsNoGraphQL(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.Contains(dep, "gqlgen") || strings.Contains(dep, "gqlparser") || strings.HasPrefix(dep, "createinfo/graph") {
			t.Errorf("loaders depends on %s", dep)
		}
	}
}
