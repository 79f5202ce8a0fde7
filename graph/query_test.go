package graph

import (
	"errors"
	"testing"

	"createinfo/internal/apperr"
)

func ptr(s string) *string { return &s }

func TestParseConditions(t *testing.T) {
	cases := []struct {
		name               string
		idno, phone, seqNo *string
		want               Conditions
		code               apperr.Code
	}{
		{"phone as typed", nil, ptr("0988123456"), nil, Conditions{Phone: "0988123456"}, ""},
		{"phone +886 with separators", nil, ptr(" +886 988-123-456 "), nil, Conditions{Phone: "0988123456"}, ""},
		{"phone 886", nil, ptr("886988123456"), nil, Conditions{Phone: "0988123456"}, ""},
		{"phone with dashes", nil, ptr("0988-123-456"), nil, Conditions{Phone: "0988123456"}, ""},
		{"idno upper-cased and trimmed", ptr(" a123456789\t"), nil, nil, Conditions{Idno: "A123456789"}, ""},
		{"resident certificate, new", ptr("A812345678"), nil, nil, Conditions{Idno: "A812345678"}, ""},
		{"resident certificate, old", ptr("AB12345678"), nil, nil, Conditions{Idno: "AB12345678"}, ""},
		{"checksum is not checked", ptr("A123456780"), nil, nil, Conditions{Idno: "A123456780"}, ""},
		{"seqNo kept as typed", nil, nil, ptr(" 0A80d1d5-72650511 "), Conditions{SeqNo: "0A80d1d5-72650511"}, ""},
		{"all three", ptr("n123456789"), ptr("0988123456"), ptr("x1"), Conditions{"N123456789", "0988123456", "x1"}, ""},
		{"nothing", nil, nil, nil, Conditions{}, apperr.MissingCondition},
		{"only blanks", ptr(" "), ptr("\u3000"), ptr(""), Conditions{}, apperr.MissingCondition},
		{"idno 9 digits after letter", ptr("A12345678"), nil, nil, Conditions{}, apperr.InvalidIdno},
		{"idno 11 chars", ptr("A1234567890"), nil, nil, Conditions{}, apperr.InvalidIdno},
		{"idno with symbol", ptr("A12345678*"), nil, nil, Conditions{}, apperr.InvalidIdno},
		{"phone landline", nil, ptr("0223456789"), nil, Conditions{}, apperr.InvalidPhone},
		{"phone too long", nil, ptr("09881234567"), nil, Conditions{}, apperr.InvalidPhone},
		{"phone +886 with leading 0", nil, ptr("+8860988123456"), nil, Conditions{}, apperr.InvalidPhone},
		{"seqNo 65 chars", nil, nil, ptr("a234567890123456789012345678901234567890123456789012345678901234X"), Conditions{}, apperr.InvalidSeqNo},
		{"seqNo underscore", nil, nil, ptr("a_b"), Conditions{}, apperr.InvalidSeqNo},
		{"seqNo non-ASCII", nil, nil, ptr("進件1"), Conditions{}, apperr.InvalidSeqNo},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseConditions(c.idno, c.phone, c.seqNo)
			if c.code == "" {
				if err != nil || got != c.want {
					t.Fatalf("got %+v, %v; want %+v", got, err, c.want)
				}
				return
			}
			var e *apperr.Error
			if !errors.As(err, &e) || e.Code != c.code {
				t.Fatalf("error %v, want code %s", err, c.code)
			}
			if e.Message == "" {
				t.Errorf("empty message")
			}
		})
	}
}
