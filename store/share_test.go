package store

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"

	"createinfo/internal/database"
	"createinfo/models"
	"createinfo/tools/dbtest"
)

// hook is a Tracer that calls f as each statement starts, with the statement's context: the
// tests' way to count statements and hold them in flight.
type hook func(ctx context.Context)

func (h hook) Statement(ctx context.Context, _, _ string) (context.Context, func(int, error)) {
	h(ctx)
	return ctx, func(int, error) {}
}

type (
	holdKey    struct{}
	requestKey struct{}
)

// TestSharedReadGivesEachRequestItsOwnRows: while request A's statement of a read is held
// in flight, requests B, C and D (B and C different customers, D the same application as
// B, A one of B's and another) queue at the batch boundary and go out as one statement; each gets exactly the rows,
// and the joined children, it would have got alone, and no other; D's rows are its own
// copies, not B's; the shared statement counts once in each request's statement counter.
func TestSharedReadGivesEachRequestItsOwnRows(t *testing.T) {
	db := dbtest.Open(t, dbtest.DefaultOptions())
	var total sync.Map // statements run, by request
	hooked := TraceWith(hook(func(ctx context.Context) {
		if id, ok := ctx.Value(requestKey{}).(string); ok {
			n, _ := total.LoadOrStore(id, new(int))
			*n.(*int)++
		}
		if ch, ok := ctx.Value(holdKey{}).(chan struct{}); ok {
			<-ch
		}
	}))
	var apps []string
	if err := db.Model(new(models.ManualReviewFlag)).Where("aml IS NOT NULL").Distinct("create_master_seq_no").
		Order("create_master_seq_no").Pluck("create_master_seq_no", &apps).Error; err != nil {
		t.Fatal(err)
	}
	if len(apps) < 2 {
		t.Fatalf("%d applications with an AML-flagged review in the demo data, want 2", len(apps))
	}
	var other string // an application without flags
	if err := db.Raw(`SELECT min(seq_no) FROM account.create_master m WHERE NOT EXISTS
		(SELECT 1 FROM account.manual_review_flag f WHERE f.create_master_seq_no = m.seq_no)`).Scan(&other).Error; err != nil || other == "" {
		t.Fatalf("an application without flags: %q %v", other, err)
	}
	var mu sync.Mutex
	found := map[string][]int64{} // request -> AML keys handed to it
	read := By[string, models.ManualReviewFlag]("create_master_seq_no", childOrder)
	read.With(JoinOne[models.ManualReviewFlag]("aml", By[int64, models.AmlFlagDetail]("seq_no", "seq_no"),
		func(ctx context.Context, k int64, c *models.AmlFlagDetail) {
			mu.Lock()
			defer mu.Unlock()
			id := ctx.Value(requestKey{}).(string)
			if c == nil || c.SeqNo != k {
				t.Errorf("request %s: AML %d handed %+v", id, k, c)
			}
			found[id] = append(found[id], k)
		}))
	asks := map[string][]string{"A": {other, apps[0]}, "B": {apps[0]}, "C": {apps[1]}, "D": {apps[0]}}

	// What each request gets alone.
	want := map[string][]*models.ManualReviewFlag{}
	wantFound := map[string][]int64{}
	for id, keys := range asks {
		_, rows, err := read.Fetch(context.WithValue(context.Background(), requestKey{}, "alone"), Unshared(db, hooked), keys)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 {
			t.Fatalf("request %s: %d flags for %v", id, len(rows), keys)
		}
		want[id] = rows
		for _, r := range rows {
			if r.Aml != nil {
				wantFound[id] = append(wantFound[id], *r.Aml)
			}
		}
	}
	found = map[string][]int64{}
	total = sync.Map{}

	shared := New(db, hooked)
	got := map[string][]*models.ManualReviewFlag{}
	counters := map[string]*database.Counter{}
	release := make(chan struct{})
	var wg sync.WaitGroup
	start := func(id string, ctx context.Context) {
		ctx, counters[id] = database.WithStatementCounter(context.WithValue(ctx, requestKey{}, id))
		wg.Add(1)
		go func() {
			defer wg.Done()
			ks, rows, err := read.Fetch(ctx, shared, asks[id])
			if err != nil {
				t.Errorf("request %s: %v", id, err)
			}
			for i, k := range ks {
				if k != rows[i].CreateMasterSeqNo {
					t.Errorf("request %s: row %d keyed %s is of %s", id, i, k, rows[i].CreateMasterSeqNo)
				}
			}
			mu.Lock()
			got[id] = rows
			mu.Unlock()
		}()
	}
	start("A", context.WithValue(context.Background(), holdKey{}, release))
	g := groupOf(shared, read)
	queued := func() int { g.mu.Lock(); defer g.mu.Unlock(); return len(g.pending) }
	busy := func() bool { g.mu.Lock(); defer g.mu.Unlock(); return g.busy }
	dbtest.Poll(t, "A's statement in flight", 10*time.Second, busy)
	for _, id := range []string{"B", "C", "D"} {
		start(id, context.Background())
	}
	dbtest.Poll(t, "B, C and D queued behind A", 10*time.Second, func() bool { return queued() == 3 })
	close(release)
	wg.Wait()

	for id := range asks {
		if !reflect.DeepEqual(got[id], want[id]) {
			t.Errorf("request %s got %d flags %v, alone %d", id, len(got[id]), seqNos(got[id]), len(want[id]))
		}
		f := append([]int64(nil), found[id]...)
		sort.Slice(f, func(i, j int) bool { return f[i] < f[j] })
		w := append([]int64(nil), wantFound[id]...)
		sort.Slice(w, func(i, j int) bool { return w[i] < w[j] })
		if !reflect.DeepEqual(f, w) {
			t.Errorf("request %s was handed AML details %v, want %v", id, f, w)
		}
		if n := counters[id].Load(); n != 1 {
			t.Errorf("request %s counted %d statements, want 1", id, n)
		}
	}
	for i := range got["B"] {
		if got["B"][i] == got["D"][i] {
			t.Errorf("B and D share flag %d's value: each request must hold its own", i)
		}
	}
	ran := 0
	total.Range(func(_, n any) bool { ran += *n.(*int); return true })
	if ran != 2 {
		t.Errorf("%d statements ran, want 2 (A's, then B's, C's and D's together)", ran)
	}
	if busy() {
		t.Error("the read is still marked busy after the last statement")
	}
}

// TestSharedReadWaiterGoesAway: a request that goes away while it waits for the next
// statement returns its context's error at once; the others are served as usual.
func TestSharedReadWaiterGoesAway(t *testing.T) {
	db := dbtest.Open(t, dbtest.DefaultOptions())
	release := make(chan struct{})
	hooked := TraceWith(hook(func(ctx context.Context) {
		if ch, ok := ctx.Value(holdKey{}).(chan struct{}); ok {
			<-ch
		}
	}))
	read := By[string, models.CreateDetail]("create_master_seq_no", childOrder)
	shared := New(db, hooked)
	g := groupOf(shared, read)
	done := make(chan error, 1)
	go func() {
		_, _, err := read.Fetch(context.WithValue(context.Background(), holdKey{}, release), shared, []string{"0A80d1d572650511ea8a30acde48001122"})
		done <- err
	}()
	dbtest.Poll(t, "the first statement in flight", 10*time.Second, func() bool { g.mu.Lock(); defer g.mu.Unlock(); return g.busy })
	ctx, cancel := context.WithCancel(context.Background())
	gone := make(chan error, 1)
	go func() {
		_, _, err := read.Fetch(ctx, shared, []string{"0A80d1d572650511ea8a30acde48001122"})
		gone <- err
	}()
	dbtest.Poll(t, "the second request queued", 10*time.Second, func() bool { g.mu.Lock(); defer g.mu.Unlock(); return len(g.pending) == 1 })
	cancel()
	if err := <-gone; err != context.Canceled {
		t.Errorf("the request that went away: %v, want context.Canceled", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Errorf("the first request: %v", err)
	}
	dbtest.Poll(t, "the read idle again", 10*time.Second, func() bool { g.mu.Lock(); defer g.mu.Unlock(); return !g.busy })
}

func seqNos(fs []*models.ManualReviewFlag) []int64 {
	var s []int64
	for _, f := range fs {
		s = append(s, f.SeqNo)
	}
	return s
}

type hangKey struct{}

// TestSharedStatementEndsWhenEveryRequestHasGone: a statement shared by B and C runs on past
// B going away (C still waits for it), and is cancelled once C has gone too, so a statement
// that hangs (a node that stopped answering) cannot hold the read busy for every later request.
func TestSharedStatementEndsWhenEveryRequestHasGone(t *testing.T) {
	db := dbtest.Open(t, dbtest.DefaultOptions())
	release := make(chan struct{})
	running := make(chan context.Context, 1)
	hooked := TraceWith(hook(func(ctx context.Context) {
		if ch, ok := ctx.Value(holdKey{}).(chan struct{}); ok {
			<-ch
		}
		if ctx.Value(hangKey{}) != nil { // the shared statement: hangs until its context ends
			running <- ctx
			<-ctx.Done()
		}
	}))
	read := By[string, models.CreateDetail]("create_master_seq_no", childOrder)
	shared := New(db, hooked)
	g := groupOf(shared, read)
	busy := func() bool { g.mu.Lock(); defer g.mu.Unlock(); return g.busy }
	fetch := func(ctx context.Context, errs chan<- error) {
		_, _, err := read.Fetch(ctx, shared, []string{"0A80d1d572650511ea8a30acde48001122"})
		errs <- err
	}
	first := make(chan error, 1)
	go fetch(context.WithValue(context.Background(), holdKey{}, release), first)
	dbtest.Poll(t, "the first statement in flight", 10*time.Second, busy)
	bctx, cancelB := context.WithCancel(context.WithValue(context.Background(), hangKey{}, true))
	cctx, cancelC := context.WithCancel(context.Background())
	defer cancelC()
	b, c := make(chan error, 1), make(chan error, 1)
	go fetch(bctx, b)
	dbtest.Poll(t, "B queued", 10*time.Second, func() bool { g.mu.Lock(); defer g.mu.Unlock(); return len(g.pending) == 1 })
	go fetch(cctx, c)
	dbtest.Poll(t, "C queued", 10*time.Second, func() bool { g.mu.Lock(); defer g.mu.Unlock(); return len(g.pending) == 2 })
	close(release)
	if err := <-first; err != nil {
		t.Fatalf("the first request: %v", err)
	}
	stmt := <-running // B's and C's statement, hanging
	cancelB()
	if err := <-b; err != context.Canceled {
		t.Errorf("B, gone: %v", err)
	}
	if stmt.Err() != nil {
		t.Fatal("the shared statement was cancelled while C still waited for it")
	}
	cancelC()
	if err := <-c; err != context.Canceled {
		t.Errorf("C, gone: %v", err)
	}
	dbtest.Poll(t, "the shared statement cancelled and the read idle again", 10*time.Second, func() bool {
		return stmt.Err() != nil && !busy()
	})
}

// TestSharedStatementKeysCapped: batches queued together go out in statements of at most
// MaxKeys keys, so one request's many keys cannot make the statement another shares too large.
func TestSharedStatementKeysCapped(t *testing.T) {
	db := dbtest.Open(t, dbtest.DefaultOptions())
	release := make(chan struct{})
	var mu sync.Mutex
	statements := 0
	hooked := TraceWith(hook(func(ctx context.Context) {
		if ch, ok := ctx.Value(holdKey{}).(chan struct{}); ok {
			<-ch
		}
		mu.Lock()
		defer mu.Unlock()
		statements++
	}))
	read := By[string, models.CreateDetail]("create_master_seq_no", childOrder)
	shared := New(db, hooked)
	g := groupOf(shared, read)
	keys := func(prefix string, n int) []string {
		ks := make([]string, n)
		for i := range ks {
			ks[i] = fmt.Sprintf("%s-%04d", prefix, i)
		}
		return ks
	}
	errs := make(chan error, 4)
	fetch := func(ctx context.Context, ks []string) {
		_, _, err := read.Fetch(ctx, shared, ks)
		errs <- err
	}
	go fetch(context.WithValue(context.Background(), holdKey{}, release), keys("A", 1))
	dbtest.Poll(t, "A's statement in flight", 10*time.Second, func() bool { g.mu.Lock(); defer g.mu.Unlock(); return g.busy })
	for i, n := range []int{600, 600, 300} {
		go fetch(context.Background(), keys(string(rune('B'+i)), n))
		dbtest.Poll(t, "the next batch queued", 10*time.Second, func() bool { g.mu.Lock(); defer g.mu.Unlock(); return len(g.pending) == i+1 })
	}
	close(release)
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if statements != 3 {
		t.Fatalf("%d statements, want 3: A's, B's alone, then C's and D's (900 keys)", statements)
	}
}
