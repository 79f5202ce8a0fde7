package loaders

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"gorm.io/gorm"

	"createinfo/models"
	"createinfo/tools/dbtest"
)

// sameAsGorm reads every row of V's table with whereIn and with gorm's own Find and fails
// when they differ in any field.
func sameAsGorm[V any](t *testing.T, db *gorm.DB, column, order string) {
	t.Helper()
	ctx := context.Background()
	var keys []string
	if err := db.Model(new(V)).Distinct(column).Pluck(column+"::text", &keys).Error; err != nil {
		t.Fatal(err)
	}
	if len(keys) == 0 {
		t.Fatalf("%T: no rows in the demo data", *new(V))
	}
	got, err := whereIn[string, V](column+"::text", order)(ctx, db, keys)
	if err != nil {
		t.Fatal(err)
	}
	var want []*V
	if err := db.Where(column+"::text = ANY(?)", keyList[string](keys)).Order(order).Find(&want).Error; err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%T: %d rows, gorm %d", *new(V), len(got), len(want))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("%T row %d:\n got %+v\nwant %+v", *new(V), i, got[i], want[i])
		}
	}
}

// TestScanMatchesGorm: the loaders' own scan fills every field of every model exactly as
// gorm's Find does, NULLs, times and embedded Stamps included.
func TestScanMatchesGorm(t *testing.T) {
	db := dbtest.Open(t, dbtest.DefaultOptions())
	sameAsGorm[models.StepBreakPoint](t, db, "create_master_seq_no", "create_master_seq_no")
	sameAsGorm[models.CreateDetail](t, db, "create_master_seq_no", childOrder)
	sameAsGorm[models.DocumentResend](t, db, "create_master_seq_no", childOrder)
	sameAsGorm[models.ManualReviewFlag](t, db, "create_master_seq_no", childOrder)
	sameAsGorm[models.TellerCheckRecord](t, db, "create_master_seq_no", childOrder)
	sameAsGorm[models.EddSurvey](t, db, "document_resend_seq_no", "document_resend_seq_no, seq_no")
	sameAsGorm[models.AmlFlagDetail](t, db, "seq_no", "seq_no")
	sameAsGorm[models.OcrFlagDetail](t, db, "seq_no", "seq_no")
	sameAsGorm[models.Z21FlagDetail](t, db, "seq_no", "seq_no")
	sameAsGorm[models.Z22FlagDetail](t, db, "seq_no", "seq_no")
}

// TestScanRefusesUnknownColumns: a statement that reads a column its model has no field for
// is an error, not a silently dropped value.
func TestScanRefusesUnknownColumns(t *testing.T) {
	db := dbtest.Open(t, dbtest.DefaultOptions())
	_, err := rawIn[string, AbnormalPid](`SELECT seq_no AS application_seq_no, idno, phone_number
		FROM account.create_master WHERE seq_no = ANY(?)`)(context.Background(), db, []string{"0A80d1d572650511ea8a30acde48001122"})
	if err == nil || !strings.Contains(err.Error(), "phone_number") {
		t.Fatalf("err = %v, want one naming phone_number", err)
	}
}

// TestJoinedMatchesGorm: the flags' statement, which reads their AML, OCR, Z21 and Z22
// details with them (join.go), returns the flags gorm's Find returns and primes each detail
// loader with exactly gorm's detail row, or nil for a key with no row; a later Fill of a
// detail loader then runs no statement.
func TestJoinedMatchesGorm(t *testing.T) {
	db := dbtest.Open(t, dbtest.DefaultOptions())
	ctx := context.Background()
	var want []*models.ManualReviewFlag
	if err := db.Order(childOrder).Find(&want).Error; err != nil {
		t.Fatal(err)
	}
	var keys []string // in gorm's order, as Fill returns them
	for _, f := range want {
		keys = append(keys, f.CreateMasterSeqNo)
	}
	var fetched int
	o := batchOptions{db: db, observers: []Observer{countBatches(&fetched)}}
	l := newLoaders(o)
	flags := l.ManualReviewFlags.Fill(ctx, keys)
	var got []*models.ManualReviewFlag
	for _, list := range flags {
		got = append(got, list...)
	}
	if len(got) != len(want) || fetched != 1 {
		t.Fatalf("%d flags in %d statements, gorm %d", len(got), fetched, len(want))
	}
	details := 0
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("flag %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
		f := want[i]
		details += checkDetail(t, ctx, db, l.AmlFlagDetail, f.Aml)
		details += checkDetail(t, ctx, db, l.OcrFlagDetail, f.Ocr)
		details += checkDetail(t, ctx, db, l.Z21FlagDetail, f.Z21)
		details += checkDetail(t, ctx, db, l.Z22FlagDetail, f.Z22)
	}
	if details == 0 {
		t.Fatal("the demo data's flags have no details")
	}
	if fetched != 1 {
		t.Errorf("%d statements, want the flags' one", fetched)
	}
	// A key no flag joined is still fetched by the detail's own loader.
	if v := l.AmlFlagDetail.Fill(ctx, []int64{987654321}); len(v) != 1 || v[0] != nil || fetched != 2 {
		t.Errorf("unjoined key: %v after %d statements", v, fetched)
	}
}

// checkDetail compares what the flags' statement primed for key in rel with gorm's row, and
// counts 1 when there is one. Fill must answer from the joined rows without a statement.
func checkDetail[C any](t *testing.T, ctx context.Context, db *gorm.DB, rel *Relation[int64, *C], key *int64) int {
	t.Helper()
	if key == nil || *key == 0 {
		return 0
	}
	var rows []*C
	if err := db.Where("seq_no = ?", *key).Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	var want *C
	if len(rows) == 1 {
		want = rows[0]
	}
	got := rel.Fill(ctx, []int64{*key})
	if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Errorf("%T %d: got %+v, want %+v", *new(C), *key, got, want)
	}
	if want == nil {
		return 0
	}
	return 1
}

// countBatches counts the loaders' batches (each one statement).
type batchCounter struct{ n *int }

func countBatches(n *int) Observer { return batchCounter{n} }

func (c batchCounter) StartBatch(ctx context.Context, _ string, _ int) (context.Context, func(error)) {
	*c.n++
	return ctx, func(error) {}
}

func (batchCounter) CodeCache(string, bool) {}
