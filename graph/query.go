package graph

import (
	"regexp"
	"strings"

	"createinfo/internal/apperr"
)

// Conditions are the normalised, validated inputs of a lookup; an empty field is not a
// condition.
type Conditions struct {
	Idno, Phone, SeqNo string
}

var (
	idnoPattern  = regexp.MustCompile(`^[A-Z][A-Z0-9][0-9]{8}$`)
	phonePattern = regexp.MustCompile(`^09[0-9]{8}$`)
	seqNoPattern = regexp.MustCompile(`^[0-9A-Za-z-]{1,64}$`)
)

// ParseConditions normalises and checks a lookup's inputs (CONTRACT.md, query rules): trim;
// idno upper-cased; phone without spaces and dashes and with +886/886 read as 0. Only the
// format is checked, not the ID checksum: the data holds IDs whose checksum fails.
func ParseConditions(idno, phone, seqNo *string) (Conditions, error) {
	c := Conditions{
		Idno:  strings.ToUpper(trim(idno)),
		Phone: normalisePhone(trim(phone)),
		SeqNo: trim(seqNo),
	}
	switch {
	case c.Idno == "" && c.Phone == "" && c.SeqNo == "":
		return c, errorf(apperr.MissingCondition, "give at least one of idno, phone and seqNo")
	case c.Idno != "" && !idnoPattern.MatchString(c.Idno):
		return c, errorf(apperr.InvalidIdno, "idno must be a letter, then a letter or digit, then 8 digits (^[A-Z][A-Z0-9][0-9]{8}$)")
	case c.Phone != "" && !phonePattern.MatchString(c.Phone):
		return c, errorf(apperr.InvalidPhone, "phone must be a Taiwan mobile number: 09 and 8 more digits (^09[0-9]{8}$), +886 accepted")
	case c.SeqNo != "" && !seqNoPattern.MatchString(c.SeqNo):
		return c, errorf(apperr.InvalidSeqNo, "seqNo must be 1 to 64 letters, digits or dashes (^[0-9A-Za-z-]{1,64}$)")
	}
	return c, nil
}

func trim(s *string) string {
	if s == nil {
		return ""
	}
	return strings.TrimSpace(*s)
}

func normalisePhone(p string) string {
	p = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\u3000' || r == '\t' {
			return -1
		}
		return r
	}, p)
	for _, prefix := range []string{"+886", "886"} {
		if rest, ok := strings.CutPrefix(p, prefix); ok {
			return "0" + rest
		}
	}
	return p
}
