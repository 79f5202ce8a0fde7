package scalar

import (
	"bytes"
	"testing"
	"time"

	"createinfo/models"
)

func TestDateTimeIsUTCWhateverTheZoneOfTheValue(t *testing.T) {
	at := time.Date(2020, 2, 12, 7, 51, 28, 0, models.DefaultZone())
	for _, v := range []time.Time{at, at.UTC(), at.In(time.FixedZone("X", -5*60*60))} {
		var b bytes.Buffer
		MarshalDateTime(v).MarshalGQL(&b)
		if got := b.String(); got != `"2020-02-11T23:51:28Z"` {
			t.Errorf("%v: %s", v, got)
		}
	}
	var b bytes.Buffer
	MarshalDateTime(time.Time{}).MarshalGQL(&b)
	if b.String() != "null" {
		t.Errorf("zero time: %s", b.String())
	}
}
