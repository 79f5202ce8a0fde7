package store

import (
	"context"
	"os"
	"reflect"
	"strings"
	"testing"

	"gorm.io/gorm"

	"createinfo/models"
	"createinfo/tools/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }

const childOrder = "create_master_seq_no, create_time, seq_no"

// sameAsGorm reads every row of V's table with By and with gorm's own Find and fails when
// they differ in any field, or a row's key is not its column's value.
func sameAsGorm[K comparable, V any](t *testing.T, db *gorm.DB, column, order string) {
	t.Helper()
	var keys []K
	if err := db.Model(new(V)).Distinct(column).Pluck(column, &keys).Error; err != nil {
		t.Fatal(err)
	}
	if len(keys) == 0 {
		t.Fatalf("%T: no rows in the demo data", *new(V))
	}
	ks, got, err := By[K, V](column, order).Fetch(context.Background(), New(db), keys)
	if err != nil {
		t.Fatal(err)
	}
	var want []*V
	if err := db.Where(column+" IN ?", keys).Order(order).Find(&want).Error; err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || len(ks) != len(got) {
		t.Fatalf("%T: %d rows (%d keys), gorm %d", *new(V), len(got), len(ks), len(want))
	}
	l := mustLayout[V]()
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("%T row %d:\n got %+v\nwant %+v", *new(V), i, got[i], want[i])
		}
		if k := reflect.ValueOf(got[i]).Elem().FieldByIndex(l.fields[column].index).Interface(); k != any(ks[i]) {
			t.Errorf("%T row %d: key %v, its %s is %v", *new(V), i, ks[i], column, k)
		}
	}
}

// TestScanMatchesGorm: the store's own scan fills every field of every model exactly as
// gorm's Find does, NULLs, times and embedded Stamps included, and tells each row's key.
func TestScanMatchesGorm(t *testing.T) {
	db := dbtest.Open(t, dbtest.DefaultOptions())
	sameAsGorm[string, models.StepBreakPoint](t, db, "create_master_seq_no", "create_master_seq_no")
	sameAsGorm[string, models.CreateDetail](t, db, "create_master_seq_no", childOrder)
	sameAsGorm[string, models.ManualReviewFlag](t, db, "create_master_seq_no", childOrder)
	sameAsGorm[string, models.TellerCheckRecord](t, db, "create_master_seq_no", childOrder)
	sameAsGorm[int64, models.EddSurvey](t, db, "document_resend_seq_no", "document_resend_seq_no, seq_no")
	sameAsGorm[int64, models.AmlFlagDetail](t, db, "seq_no", "seq_no")
	sameAsGorm[int64, models.OcrFlagDetail](t, db, "seq_no", "seq_no")
	sameAsGorm[int64, models.Z21FlagDetail](t, db, "seq_no", "seq_no")
	sameAsGorm[int64, models.Z22FlagDetail](t, db, "seq_no", "seq_no")
}

// TestScanRefusesUnknownColumns: a statement that reads a column its model has no field for
// is an error, not a silently dropped value.
func TestScanRefusesUnknownColumns(t *testing.T) {
	db := dbtest.Open(t, dbtest.DefaultOptions())
	r := Raw[string, AbnormalPid]("application_seq_no", `SELECT seq_no AS application_seq_no, idno, phone_number
		FROM account.create_master WHERE seq_no = ANY(?)`)
	_, _, err := r.Fetch(context.Background(), New(db), []string{"0A80d1d572650511ea8a30acde48001122"})
	if err == nil || !strings.Contains(err.Error(), "phone_number") {
		t.Fatalf("err = %v, want one naming phone_number", err)
	}
}

// TestDeclarationErrorsPanic: a read keyed by a column its model lacks, or of another type,
// or a join on such a column, fails where it is declared (at start), naming the column.
func TestDeclarationErrorsPanic(t *testing.T) {
	for name, declare := range map[string]func(){
		"missing column": func() { By[string, models.CreateDetail]("no_such_column", "seq_no") },
		"wrong key type": func() { By[int64, models.CreateDetail]("create_master_seq_no", "seq_no") },
		"raw key":        func() { Raw[string, AbnormalPid]("seq_no", "SELECT 1") },
		"join column": func() {
			By[string, models.ManualReviewFlag]("create_master_seq_no", childOrder).
				With(JoinOne[models.ManualReviewFlag]("idno", By[int64, models.AmlFlagDetail]("seq_no", "seq_no"), nil))
		},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("declared without a panic")
				}
			}()
			declare()
		})
	}
}

// TestJoinTellsMissingFromZeroKey: a joined child is found by its own presence, not by a
// zero value: a flag whose AML key is 0 and a detail whose seq_no is 0 are a flag with its
// detail (the COALESCE that lets a missing child scan also reads 0); a NULL key is nothing at
// all. (A key with no row: the foreign key forbids it; loaders' TestJoinedPrimesTheChild.)
func TestJoinTellsMissingFromZeroKey(t *testing.T) {
	db := dbtest.Open(t, dbtest.DefaultOptions())
	if err := db.Exec(`SET default_transaction_read_only = off;
		INSERT INTO account.aml_flag_detail (seq_no, is_in_sanction_list, is_in_peps_list, risk_level, rarely_word)
		VALUES (0, true, false, 'H', false);
		UPDATE account.manual_review_flag SET aml = 0 WHERE seq_no = (SELECT min(seq_no) FROM account.manual_review_flag);
		UPDATE account.manual_review_flag SET aml = NULL WHERE seq_no <> (SELECT min(seq_no) FROM account.manual_review_flag)`).Error; err != nil {
		t.Fatal(err)
	}
	var seqNos []string
	if err := db.Model(new(models.ManualReviewFlag)).Distinct("create_master_seq_no").Pluck("create_master_seq_no", &seqNos).Error; err != nil {
		t.Fatal(err)
	}
	found := map[int64]*models.AmlFlagDetail{}
	calls := 0
	r := By[string, models.ManualReviewFlag]("create_master_seq_no", childOrder)
	r.With(JoinOne[models.ManualReviewFlag]("aml", By[int64, models.AmlFlagDetail]("seq_no", "seq_no"),
		func(_ context.Context, k int64, c *models.AmlFlagDetail) { calls++; found[k] = c }))
	_, flags, err := r.Fetch(context.Background(), New(db), seqNos)
	if err != nil {
		t.Fatal(err)
	}
	if len(flags) < 2 {
		t.Fatalf("%d flags in the demo data, want at least 2", len(flags))
	}
	if calls != 1 {
		t.Errorf("found called %d times, want 1 (the NULL keys call nothing)", calls)
	}
	if d, ok := found[0]; !ok || d == nil || d.SeqNo != 0 || d.RiskLevel == nil || *d.RiskLevel != "H" {
		t.Errorf("key 0: %+v, %v; want the detail whose seq_no is 0", d, ok)
	}
}

// TestColumnOf finds the column a key function reads, and refuses one that reads none.
func TestColumnOf(t *testing.T) {
	c, err := ColumnOf(func(f *models.ManualReviewFlag) *int64 { return f.Z21 })
	if err != nil || c != "z21" {
		t.Errorf("z21: %q %v", c, err)
	}
	c, err = ColumnOf(func(f *models.ManualReviewFlag) *string { return &f.CreateMasterSeqNo })
	if err != nil || c != "create_master_seq_no" {
		t.Errorf("create_master_seq_no: %q %v", c, err)
	}
	if c, err := ColumnOf(func(*models.ManualReviewFlag) *int64 { return nil }); err == nil {
		t.Errorf("a key reading nothing: %q", c)
	}
}

// TestKeysRoundTrip: a batch's keys reach PostgreSQL as one array parameter, each key as it
// is (quotes, backslashes, commas, braces, the empty string, "NULL"), and come back as the keys
// of their rows.
func TestKeysRoundTrip(t *testing.T) {
	db := dbtest.Open(t, dbtest.DefaultOptions())
	keys := []string{`plain`, `a"b`, `back\slash`, `comma,brace}`, ``, `NULL`}
	echo := Raw[string, models.CodeName]("code", `SELECT k AS code, k AS name FROM unnest(?::text[]) WITH ORDINALITY u(k, i) ORDER BY i`)
	ks, rows, err := echo.Fetch(context.Background(), New(db), keys)
	if err != nil || len(rows) != len(keys) {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	for i, k := range keys {
		if ks[i] != k || rows[i].Name != k {
			t.Errorf("key %d: %q, row %q, want %q", i, ks[i], rows[i].Name, k)
		}
	}
	ids := []int64{1, -2, 9007199254740993}
	echoIDs := Raw[int64, models.EddSurvey]("document_resend_seq_no",
		`SELECT k AS document_resend_seq_no, i AS seq_no, 'epoch'::timestamptz AS create_time FROM unnest(?::bigint[]) WITH ORDINALITY u(k, i) ORDER BY i`)
	got, surveys, err := echoIDs.Fetch(context.Background(), New(db), ids)
	if err != nil || len(got) != 3 || got[2] != 9007199254740993 || surveys[2].DocumentResendSeqNo != 9007199254740993 || surveys[2].SeqNo != 3 {
		t.Errorf("int keys: %v %+v %v", got, surveys, err)
	}
}

// TestCodesReadKeysAsOneArray: a code table's batch is one "code = ANY($1)" statement,
// whatever the number of codes.
func TestCodesReadKeysAsOneArray(t *testing.T) {
	r := Codes(models.TableIndustry)
	if q := r.Query(); !strings.Contains(q, "code = ANY($1)") || strings.Contains(q, " IN ") {
		t.Errorf("statement %q", q)
	}
	db := dbtest.Open(t, dbtest.DefaultOptions())
	ks, rows, err := r.Fetch(context.Background(), New(db), []string{"14220", "64110", "missing"})
	if err != nil || len(rows) != 2 || ks[0] != "14220" || ks[1] != "64110" || rows[1].Name != "銀行業" {
		t.Errorf("codes: %v %v %v", ks, rows, err)
	}
}

// BenchmarkRead runs one batched read of the demo data's applications, as the loaders run it
// (Unshared: one statement per Fetch), plain (create details) and with the four joins of the
// review flags: go test -run '^$' -bench Read -benchmem ./store/ (docs/BENCHMARKS.md, E2).
func BenchmarkRead(b *testing.B) {
	db := dbtest.Open(b, dbtest.DefaultOptions())
	var seqNos []string
	if err := db.Model(new(models.Application)).Order("seq_no").Pluck("seq_no", &seqNos).Error; err != nil {
		b.Fatal(err)
	}
	flags := By[string, models.ManualReviewFlag]("create_master_seq_no", childOrder)
	for _, j := range []Join[models.ManualReviewFlag]{
		JoinOne[models.ManualReviewFlag]("aml", By[int64, models.AmlFlagDetail]("seq_no", "seq_no"), func(context.Context, int64, *models.AmlFlagDetail) {}),
		JoinOne[models.ManualReviewFlag]("ocr", By[int64, models.OcrFlagDetail]("seq_no", "seq_no"), func(context.Context, int64, *models.OcrFlagDetail) {}),
		JoinOne[models.ManualReviewFlag]("z21", By[int64, models.Z21FlagDetail]("seq_no", "seq_no"), func(context.Context, int64, *models.Z21FlagDetail) {}),
		JoinOne[models.ManualReviewFlag]("z22", By[int64, models.Z22FlagDetail]("seq_no", "seq_no"), func(context.Context, int64, *models.Z22FlagDetail) {}),
	} {
		flags.With(j)
	}
	store := Unshared(db)
	b.Run("create details", func(b *testing.B) {
		read := By[string, models.CreateDetail]("create_master_seq_no", childOrder)
		b.ReportAllocs()
		for b.Loop() {
			if _, rows, err := read.Fetch(context.Background(), store, seqNos); err != nil || len(rows) == 0 {
				b.Fatal(len(rows), err)
			}
		}
	})
	b.Run("review flags joined", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, rows, err := flags.Fetch(context.Background(), store, seqNos); err != nil || len(rows) == 0 {
				b.Fatal(len(rows), err)
			}
		}
	})
}
