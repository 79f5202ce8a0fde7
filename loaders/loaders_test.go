package loaders

import (
	"context"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"createinfo/internal/database"
	"createinfo/models"
	"createinfo/store"
	"createinfo/tools/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }

// The relations these tests load through, declared as the relation table declares them.
var (
	resends  = NewMany(store.Resends)
	points   = NewOne(store.By[string, models.StepBreakPoint]("create_master_seq_no", "create_master_seq_no"))
	flags    = NewMany(store.By[string, models.ManualReviewFlag]("create_master_seq_no", "create_master_seq_no, create_time, seq_no"))
	aml      = NewOne(store.By[int64, models.AmlFlagDetail]("seq_no", "seq_no"))
	industry = NewCodes(store.Codes(models.TableIndustry))
	job      = NewCodes(store.Codes(models.TableJob))
)

func init() { flags.read.With(store.JoinOne[models.ManualReviewFlag]("aml", aml.read, Primer(aml))) }

func open(t *testing.T) *store.DB { return store.New(dbtest.Open(t, dbtest.DefaultOptions())) }

func TestResultsComeBackInKeyOrder(t *testing.T) {
	l := NewSource(open(t), time.Millisecond, 0).New()
	ctx, n := database.WithStatementCounter(context.Background())

	keys := []string{"DEMO-APP-C-01", "no-such-application", "0A80d1d572650511ea8a30acde48001122", "DEMO-APP-A-01"}
	lists, errs := resends.In(l).LoadMany(ctx, keys)()
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

	one, errs := points.In(l).LoadMany(ctx, keys)()
	if errs != nil && errs[0] != nil {
		t.Fatal(errs[0])
	}
	if one[0] == nil || one[0].CreateMasterSeqNo != keys[0] || one[1] != nil || one[2].CreateMasterSeqNo != keys[2] {
		t.Errorf("one-to-one results not in key order: %+v", one)
	}
}

func TestFillPrimesTheCache(t *testing.T) {
	l := NewSource(open(t), time.Hour, 0).New() // a resolver waiting on the timer would hang the test
	ctx, n := database.WithStatementCounter(context.Background())

	got := industry.In(l).Fill(ctx, []string{"14220", "64110", "14220", "missing"})
	if got := n.Load(); got != 1 {
		t.Fatalf("Fill ran %d statements, want 1", got)
	}
	if len(got) != 3 || got[0].Code != "14220" || got[1].Code != "64110" || got[2] != nil {
		t.Fatalf("Fill returned %+v, want the distinct keys' values in order", got)
	}
	c, err := industry.In(l).Load(ctx, "64110")()
	if err != nil || c == nil || c.Name != "銀行業" {
		t.Fatalf("primed code: %+v %v", c, err)
	}
	if c, err := industry.In(l).Load(ctx, "missing")(); err != nil || c != nil {
		t.Fatalf("primed miss: %+v %v", c, err)
	}
	if got := n.Load(); got != 1 {
		t.Errorf("loads after fill ran %d more statements", got-1)
	}
}

// A key whose Fill failed is answered with that error by Load, without another statement: the
// resolvers below the root run in sequence and would otherwise each send it again, in a batch
// of its own after the loader's wait. Keys the failed Fill did not have load as usual.
func TestFailedFillIsNotRetriedByLoad(t *testing.T) {
	l := NewSource(open(t), time.Hour, 0).New() // a load sent in a batch would hang on the timer
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	if got := industry.In(l).Fill(gone, []string{"14220"}); len(got) != 0 {
		t.Fatalf("a failed Fill returned %+v", got)
	}
	ctx, n := database.WithStatementCounter(context.Background())
	for range 3 {
		if c, err := industry.In(l).Load(ctx, "14220")(); err == nil || c != nil {
			t.Fatalf("load of a failed key: %+v %v, want the Fill's error", c, err)
		}
	}
	if got := industry.In(l).Fill(ctx, []string{"64110"}); len(got) != 1 || got[0].Name != "銀行業" {
		t.Fatalf("Fill of another key after the failure: %+v", got)
	}
	if c, err := industry.In(l).Load(ctx, "64110")(); err != nil || c == nil || c.Name != "銀行業" {
		t.Fatalf("load of the other key: %+v %v", c, err)
	}
	if got := n.Load(); got != 1 {
		t.Errorf("%d statements, want 1 (the second Fill's)", got)
	}
}

func TestCodeCacheIsSharedAndExpires(t *testing.T) {
	url := dbtest.URL(t)
	db := dbtest.OpenURL(t, url, dbtest.DefaultOptions())
	src := NewSource(store.New(db), time.Millisecond, 5*time.Minute)
	now := time.Date(2020, 2, 12, 7, 51, 28, 0, time.UTC)
	src.o.codes.now = func() time.Time { return now }
	read := func() (string, int64) {
		ctx, n := database.WithStatementCounter(context.Background())
		c, err := job.In(src.New()).Load(ctx, "10009")()
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

// TestJoinedPrimesTheChild: the flags' statement reads each flag's AML detail with it and
// primes the detail's loader, so that a Fill of the details runs no statement; a key it did
// not reach is read by the detail's own statement.
func TestJoinedPrimesTheChild(t *testing.T) {
	l := NewSource(open(t), time.Hour, 0).New()
	ctx, n := database.WithStatementCounter(context.Background())
	lists := flags.In(l).Fill(NewContext(ctx, l), []string{"0A80d1d572650511ea8a30acde48001122"})
	if len(lists) != 1 || len(lists[0]) == 0 || n.Load() != 1 {
		t.Fatalf("flags: %v in %d statements", lists, n.Load())
	}
	var keys []int64
	for _, f := range lists[0] {
		if f.Aml != nil {
			keys = append(keys, *f.Aml)
		}
	}
	if len(keys) == 0 {
		t.Fatal("the sample's flags have no AML key")
	}
	aml.In(l).Fill(ctx, keys)
	if got := n.Load(); got != 1 {
		t.Errorf("details after the joined flags: %d statements, want 1 (the flags')", got)
	}
	if v := aml.In(l).Fill(ctx, []int64{987654321}); len(v) != 1 || v[0] != nil || n.Load() != 2 {
		t.Errorf("unjoined key: %v after %d statements, want nil after 2", v, n.Load())
	}
}

// TestKnowsNoGraphQL keeps the batching layer below the GraphQL one: which field reads which
// loader is graph/relations.go's business.
func TestKnowsNoGraphQL(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 {
		t.Fatalf("go list -deps found only %d packages", len(deps))
	}
	for _, dep := range deps {
		if strings.Contains(dep, "gqlgen") || strings.Contains(dep, "gqlparser") || strings.HasPrefix(dep, "createinfo/graph") {
			t.Errorf("loaders depends on %s", dep)
		}
	}
}

// TestReadsOnlyThroughTheStore: loaders imports no gorm, no SQL driver and no database/sql
// itself; its statements are the store's.
func TestReadsOnlyThroughTheStore(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{join .Imports "\n"}}`, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	imports := strings.Fields(string(out))
	if !slices.Contains(imports, "createinfo/store") {
		t.Fatalf("loaders does not import the store: %v", imports)
	}
	for _, imp := range imports {
		if strings.HasPrefix(imp, "gorm.io/") || strings.HasPrefix(imp, "database/sql") || strings.Contains(imp, "pgx") || strings.Contains(imp, "lib/pq") {
			t.Errorf("loaders imports %s", imp)
		}
	}
}
