package store

import (
	"fmt"
	"reflect"
	"testing"

	"createinfo/tools/dbtest"
)

// TestResendSourcesByApplication: one statement reads, keyed by the application's seqNo, the
// EDD surveys and the financial statements' images of every resend of each application (the
// demo data's), in the resend's order, a deleted mapping left out; an application without a
// resend gets nothing.
func TestResendSourcesByApplication(t *testing.T) {
	db := dbtest.Open(t, dbtest.DefaultOptions())
	keys := []string{"DEMO-APP-B-01", "0A80d1d572650511ea8a30acde48001122", "NO-SUCH-APPLICATION"}
	ks, rows, err := ResendSources.Fetch(t.Context(), Unshared(db), keys)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, r := range rows {
		v := "<nil>"
		if r.Value != nil {
			v = *r.Value
		}
		if ks[i] != r.ApplicationSeqNo {
			t.Errorf("row %d: key %s, application %s", i, ks[i], r.ApplicationSeqNo)
		}
		got = append(got, fmt.Sprintf("%s %d %v %s", r.ApplicationSeqNo, r.DocumentResendSeqNo, r.Edd, v))
	}
	want := []string{
		"0A80d1d572650511ea8a30acde48001122 2 false imageId00001",
		"0A80d1d572650511ea8a30acde48001122 2 false imageId00002",
		"DEMO-APP-B-01 3 true 7001",
		"DEMO-APP-B-01 3 true 7002",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
