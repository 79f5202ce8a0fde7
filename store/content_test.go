package store

import (
	"reflect"
	"testing"

	"createinfo/models"
	"createinfo/tools/dbtest"
)

// TestResendsWithTheirContent: Resends reads every resend of the demo data as gorm's Find
// reads its columns, in the applications' order, and with each resend, in one statement, the
// seqNos of its EDD surveys and the image ids of its financial statements, in their order, a
// deleted mapping left out; a resend without them has none.
func TestResendsWithTheirContent(t *testing.T) {
	db := dbtest.Open(t, dbtest.DefaultOptions())
	var keys []string
	if err := db.Model(new(models.DocumentResend)).Distinct("create_master_seq_no").Pluck("create_master_seq_no", &keys).Error; err != nil {
		t.Fatal(err)
	}
	var want []*models.DocumentResend
	if err := db.Omit("edd_surveys", "financial_images").Where("create_master_seq_no IN ?", keys).Order(childOrder).Find(&want).Error; err != nil {
		t.Fatal(err)
	}
	ks, got, err := Resends.Fetch(t.Context(), Unshared(db), append(keys, "NO-SUCH-APPLICATION"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || len(want) < 5 {
		t.Fatalf("%d resends, gorm %d", len(got), len(want))
	}
	content := map[int64][2]models.Texts{}
	for i, r := range got {
		if ks[i] != r.CreateMasterSeqNo {
			t.Errorf("resend %d: key %s, application %s", r.SeqNo, ks[i], r.CreateMasterSeqNo)
		}
		content[r.SeqNo] = [2]models.Texts{r.EddSurveys, r.FinancialImages}
		own := *r
		own.EddSurveys, own.FinancialImages = nil, nil
		if !reflect.DeepEqual(&own, want[i]) {
			t.Errorf("resend %d:\n got %+v\nwant %+v", i, own, *want[i])
		}
	}
	// The demo data: resend 3 (EDD) has surveys 7001 and 7002, resend 2 (financial proof)
	// files 1 and 2 (file 3's mapping is deleted, and mapped between them).
	wantContent := map[int64][2]models.Texts{
		1: {nil, nil},
		2: {nil, {"imageId00001", "imageId00002"}},
		3: {{"7001", "7002"}, nil},
		4: {nil, nil},
		5: {nil, nil},
	}
	if !reflect.DeepEqual(content, wantContent) {
		t.Errorf("content %v, want %v", content, wantContent)
	}
}
