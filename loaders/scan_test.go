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
