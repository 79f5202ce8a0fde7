package models

import (
	"context"
	"reflect"
	"testing"
	"time"
)

func TestSpecial(t *testing.T) {
	cases := []struct {
		bits int64
		want []string
	}{
		{0, []string{}},
		{1, []string{"NextUserLoan"}},
		{4, []string{"BIT_4"}},
		{1 | 2 | 8, []string{"NextUserLoan", "BIT_2", "BIT_8"}},
		{-1 << 62, []string{"BIT_4611686018427387904", "BIT_9223372036854775808"}},
	}
	for _, c := range cases {
		f := &ManualReviewFlag{SpecialBits: c.bits}
		if got := f.Special(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Special(%d) = %v, want %v", c.bits, got, c.want)
		}
	}
}

func TestLegacyTimeFormats(t *testing.T) {
	ctx := context.Background()                                     // no zone given: Asia/Taipei
	at := time.Date(2020, 2, 11, 23, 51, 28, 780_000_000, time.UTC) // 2020-02-12 07:51:28.78 in Taipei
	a := &Application{Stamps: Stamps{CreatedAt: at}, LastStepAt: &at}
	if got := *a.CreateDate(ctx); got != "2020-02-12" {
		t.Errorf("CreateDate = %s", got)
	}
	if got := *a.CreateTime(ctx); got != "07:51:28" {
		t.Errorf("CreateTime = %s", got)
	}
	if got := *a.LastStepDateTime(ctx); got != "2020-02-12 07:51:28" {
		t.Errorf("LastStepDateTime = %s", got)
	}
	if a.UpdateDate(ctx) != nil || a.UpdateTime(ctx) != nil || a.UpdateDateTime(ctx) != nil {
		t.Errorf("a missing time must be null")
	}
	r := &DocumentResend{Stamps: Stamps{CreatedAt: at, UpdatedAt: &at}}
	if got := *r.CreateDateTime(ctx) + "|" + *r.UpdateDateTime(ctx); got != "2020-02-12 07:51:28|2020-02-12 07:51:28" {
		t.Errorf("resend date-times = %s", got)
	}
	d := &CreateDetail{AgreedAt: &at}
	if got := *d.AgreedDate(); got != "2020-02-11T23:51:28.780Z" {
		t.Errorf("AgreedDate = %s", got)
	}

	// The zone is the one the context carries; the ISO-8601 strings stay UTC.
	utc := WithZone(ctx, time.UTC)
	if got := *a.CreateDate(utc) + " " + *a.CreateTime(utc); got != "2020-02-11 23:51:28" {
		t.Errorf("in UTC: %s", got)
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err) // time/tzdata is embedded
	}
	if got := *a.LastStepDateTime(WithZone(ctx, ny)); got != "2020-02-11 18:51:28" {
		t.Errorf("in New York: %s", got)
	}
	if got := *d.AgreedDate(); got != "2020-02-11T23:51:28.780Z" {
		t.Errorf("AgreedDate depends on the zone: %s", got)
	}
}

func TestSteps(t *testing.T) {
	y, empty := "Y", ""
	at := time.Date(2020, 2, 12, 0, 0, 0, 0, time.UTC)
	s := &StepBreakPoint{Step01State: &y, Step01At: &at, Step02State: &y, Step03State: &empty, Step04State: &y}
	steps := s.Steps()
	if len(steps) != 11 || steps[10].Number != 11 || steps[10].Name != "會員使用者代號註冊" {
		t.Fatalf("steps: %+v", steps)
	}
	done := []bool{}
	for _, st := range steps {
		done = append(done, st.Done)
	}
	if want := []bool{true, true, false, true, false, false, false, false, false, false, false}; !reflect.DeepEqual(done, want) {
		t.Errorf("done = %v", done)
	}
	if last := s.LastCompletedStep(); last == nil || last.Number != 4 {
		t.Errorf("last completed = %+v", last)
	}
	if (&StepBreakPoint{}).LastCompletedStep() != nil {
		t.Errorf("no step done: want nil")
	}
}

// TestResendContentByCategory: a resend's content is the OCR image of its own row, its EDD
// surveys or its financial statements' images, by its category, and nothing for another
// category or none; the sources of another category are never shown.
func TestResendContentByCategory(t *testing.T) {
	str := func(s string) *string { return &s }
	sources := func(category *string) *DocumentResend {
		return &DocumentResend{Category: category, OcrImageID: str("OCR-1"),
			EddSurveys: Texts{"7001", "7002"}, FinancialImages: Texts{"IMG-1", "", "IMG-2"}}
	}
	for _, c := range []struct {
		category *string
		want     []string
	}{
		{str(CategoryFirstCertificate), []string{"OCR-1"}},
		{str(CategorySecondCertificate), []string{"OCR-1"}},
		{str(CategoryLossNationalityProof), []string{"OCR-1"}},
		{str(CategoryEDD), []string{"7001", "7002"}},
		{str(CategoryFinancialProof), []string{"IMG-1", "IMG-2"}}, // an image-less statement shows nothing
		{str("OTHER"), []string{}},
		{nil, []string{}},
	} {
		if got := sources(c.category).ResendContent(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("category %v: %q, want %q", c.category, got, c.want)
		}
	}
	if got := (&DocumentResend{Category: str(CategoryFirstCertificate), OcrImageID: str("")}).ResendContent(); len(got) != 0 {
		t.Errorf("blank OCR image: %q", got)
	}
}

// TestTextsScan: the JSON array of json_agg, NULL (no row aggregated) as no item, a null item
// as "", and anything else an error rather than a silently empty list.
func TestTextsScan(t *testing.T) {
	for _, c := range []struct {
		src  any
		want Texts
		err  bool
	}{
		{nil, nil, false},
		{`["a", null, "c"]`, Texts{"a", "", "c"}, false},
		{[]byte(`["7001"]`), Texts{"7001"}, false},
		{`{"a": 1}`, nil, true},
		{int64(3), nil, true},
	} {
		var got Texts = Texts{"stale"}
		err := got.Scan(c.src)
		if (err != nil) != c.err || !c.err && !reflect.DeepEqual(got, c.want) {
			t.Errorf("Scan(%v) = %q, %v; want %q (error %v)", c.src, got, err, c.want, c.err)
		}
	}
}
