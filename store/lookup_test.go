package store

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"createinfo/models"
	"createinfo/tools/dbtest"
)

// TestApplicationsMatchGorm: the root lookup's statement finds, for every set of conditions,
// the same applications in the same order, every field alike, as the gorm query it replaced
// (graph/lookup.go before E7), within the same limit; each row's seqNo is its key.
func TestApplicationsMatchGorm(t *testing.T) {
	db := dbtest.Open(t, dbtest.DefaultOptions())
	var top struct {
		Phone string
		N     int
	}
	if err := db.Raw(`SELECT phone_number AS phone, count(*) AS n FROM account.create_master
		WHERE phone_number IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`).Scan(&top).Error; err != nil || top.N < 2 {
		t.Fatalf("no phone with two applications in the demo data (%d): %v", top.N, err)
	}
	var app models.Application
	if err := db.Where("phone_number = ? AND idno IS NOT NULL", top.Phone).Order("seq_no").First(&app).Error; err != nil {
		t.Fatal(err)
	}
	gormFind := func(m Match, limit int) []*models.Application {
		q := db.WithContext(context.Background())
		if m.Idno != "" {
			q = q.Where("idno = ?", m.Idno)
		}
		if m.Phone != "" {
			q = q.Where("phone_number = ?", m.Phone)
		}
		if m.SeqNo != "" {
			q = q.Where("seq_no = ?", m.SeqNo)
		}
		var apps []*models.Application
		if err := q.Order("create_time DESC, seq_no").Limit(limit).Find(&apps).Error; err != nil {
			t.Fatal(err)
		}
		return apps
	}
	store := New(db)
	check := func(m Match, limit, want int) {
		t.Helper()
		set := fmt.Sprintf("idno %t, phone %t, seqNo %t", m.Idno != "", m.Phone != "", m.SeqNo != "") // no value in the output
		seqNos, got, err := Applications(context.Background(), store, m, limit)
		if err != nil {
			t.Fatalf("%s: %v", set, err)
		}
		gormApps := gormFind(m, limit)
		if len(got) != want || len(gormApps) != want || len(seqNos) != want {
			t.Fatalf("%s, limit %d: %d applications (%d seqNos), gorm %d, want %d", set, limit, len(got), len(seqNos), len(gormApps), want)
		}
		for i := range got {
			if !reflect.DeepEqual(got[i], gormApps[i]) {
				t.Errorf("%s, row %d differs from gorm's", set, i)
			}
			if seqNos[i] != got[i].SeqNo {
				t.Errorf("%s, row %d: its key is not its seqNo", set, i)
			}
		}
	}
	var sameIdno int
	if err := db.Model(new(models.Application)).Where("idno = ?", *app.Idno).Select("count(*)").Scan(&sameIdno).Error; err != nil {
		t.Fatal(err)
	}
	var both int
	if err := db.Model(new(models.Application)).Where("idno = ? AND phone_number = ?", *app.Idno, top.Phone).Select("count(*)").Scan(&both).Error; err != nil {
		t.Fatal(err)
	}
	check(Match{Phone: top.Phone}, 200, top.N)
	check(Match{Phone: top.Phone}, 2, 2) // the limit cuts the newest first
	check(Match{Idno: *app.Idno}, 200, sameIdno)
	check(Match{SeqNo: app.SeqNo}, 200, 1)
	check(Match{Idno: *app.Idno, Phone: top.Phone}, 200, both)
	check(Match{Idno: *app.Idno, SeqNo: app.SeqNo}, 200, 1)
	check(Match{Phone: top.Phone, SeqNo: app.SeqNo}, 200, 1)
	check(Match{Idno: *app.Idno, Phone: top.Phone, SeqNo: app.SeqNo}, 200, 1)
	check(Match{Idno: *app.Idno, Phone: "0900000000"}, 200, 0) // each condition must hold
	check(Match{SeqNo: `x' OR '1'='1`}, 200, 0)                // a value is a parameter, never text
}

// TestLookupStatements: each set of conditions has its own statement, its values and the limit
// parameters ($1…), the model's columns by name (never psd, never *), in the lookup's order.
func TestLookupStatements(t *testing.T) {
	want := map[int]string{
		0b001: ` WHERE idno = $1 ORDER BY create_time DESC, seq_no LIMIT $2`,
		0b010: ` WHERE phone_number = $1 ORDER BY create_time DESC, seq_no LIMIT $2`,
		0b110: ` WHERE phone_number = $1 AND seq_no = $2 ORDER BY create_time DESC, seq_no LIMIT $3`,
		0b111: ` WHERE idno = $1 AND phone_number = $2 AND seq_no = $3 ORDER BY create_time DESC, seq_no LIMIT $4`,
	}
	for set, tail := range want {
		q := lookups[set]
		if !strings.HasPrefix(q, `SELECT "seq_no",`) || !strings.HasSuffix(q, " FROM account.create_master"+tail) ||
			strings.Contains(q, "psd") || strings.Contains(q, "*") {
			t.Errorf("statement %03b: %s", set, q)
		}
	}
}
