package server_test

import (
	"reflect"
	"strings"
	"testing"

	"createinfo/internal/apperr"
	"createinfo/internal/server"
	"createinfo/tools/servertest"
)

const (
	sampleSeqNo = "0A80d1d572650511ea8a30acde48001122"
	appA        = "DEMO-APP-A-01"
	appB        = "DEMO-APP-B-01"
	appC        = "DEMO-APP-C-01"
	appN2       = "DEMO-APP-N-02"
)

const seqNosQuery = `query($idno: String, $phone: String, $seqNo: String) {
  applications(idno: $idno, phone: $phone, seqNo: $seqNo) { seqNo }
}`

type seqNos struct {
	Applications []struct{ SeqNo string }
}

func (s seqNos) list() []string {
	out := []string{}
	for _, a := range s.Applications {
		out = append(out, a.SeqNo)
	}
	return out
}

func TestLookupPaths(t *testing.T) {
	env := servertest.New(t)
	samplePhoneApps := []string{appB, appA, sampleSeqNo, appC} // newest first
	cases := []struct {
		name string
		vars map[string]any
		want []string
	}{
		{"phone", map[string]any{"phone": "0988123456"}, samplePhoneApps},
		{"phone +886 with spaces and dashes", map[string]any{"phone": " +886 988-123-456 "}, samplePhoneApps},
		{"phone 886 prefix", map[string]any{"phone": "886988123456"}, samplePhoneApps},
		{"idno", map[string]any{"idno": "N123456789"}, []string{appN2, sampleSeqNo}},
		{"idno lower case, padded", map[string]any{"idno": "  n123456789 "}, []string{appN2, sampleSeqNo}},
		{"seqNo", map[string]any{"seqNo": sampleSeqNo}, []string{sampleSeqNo}},
		{"phone and idno", map[string]any{"phone": "0988123456", "idno": "N123456789"}, []string{sampleSeqNo}},
		{"phone and seqNo", map[string]any{"phone": "0912345678", "seqNo": appN2}, []string{appN2}},
		{"phone and seqNo of another phone", map[string]any{"phone": "0912345678", "seqNo": sampleSeqNo}, []string{}},
		{"idno and seqNo", map[string]any{"idno": "A123456789", "seqNo": appA}, []string{appA}},
		{"all three", map[string]any{"idno": "N123456789", "phone": "0988123456", "seqNo": sampleSeqNo}, []string{sampleSeqNo}},
		{"blank and null are not conditions", map[string]any{"idno": "  ", "phone": "0912345678", "seqNo": nil}, []string{appN2}},
		{"no match", map[string]any{"phone": "0999999999"}, []string{}},
		{"no match idno", map[string]any{"idno": "Z299999999"}, []string{}},
		{"resident certificate format", map[string]any{"idno": "AB12345678"}, []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got seqNos
			r := env.GraphQL(t, seqNosQuery, c.vars, &got)
			if len(r.Errors) > 0 {
				t.Fatalf("errors: %+v", r.Errors)
			}
			if !reflect.DeepEqual(got.list(), c.want) {
				t.Errorf("got %v, want %v", got.list(), c.want)
			}
		})
	}
}

func TestLookupErrors(t *testing.T) {
	env := servertest.New(t, func(o *server.Options) { o.MaxResults = 3 })
	cases := []struct {
		name string
		vars map[string]any
		code apperr.Code
	}{
		{"none", map[string]any{}, apperr.MissingCondition},
		{"all blank", map[string]any{"idno": " ", "phone": "", "seqNo": "\t"}, apperr.MissingCondition},
		{"idno too short", map[string]any{"idno": "A12345678"}, apperr.InvalidIdno},
		{"idno digit first", map[string]any{"idno": "1123456789"}, apperr.InvalidIdno},
		{"phone landline", map[string]any{"phone": "0223456789"}, apperr.InvalidPhone},
		{"phone letters", map[string]any{"phone": "09881234ab"}, apperr.InvalidPhone},
		{"seqNo too long", map[string]any{"seqNo": strings.Repeat("a", 65)}, apperr.InvalidSeqNo},
		{"seqNo with a quote", map[string]any{"seqNo": "x' OR '1'='1"}, apperr.InvalidSeqNo},
		{"valid phone, bad idno", map[string]any{"phone": "0988123456", "idno": "bad"}, apperr.InvalidIdno},
		{"too many", map[string]any{"phone": "0988123456"}, apperr.TooManyResults},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := env.GraphQL(t, seqNosQuery, c.vars, nil)
			if r.Code() != c.code {
				t.Fatalf("code %q, want %q (errors %+v)", r.Code(), c.code, r.Errors)
			}
			if msg := r.Errors[0].Message; msg == "" || strings.Contains(msg, "SELECT") || strings.Contains(msg, "account.") {
				t.Errorf("message %q", msg)
			}
		})
	}
	// At the maximum exactly, the lookup succeeds.
	var got seqNos
	if r := env.GraphQL(t, seqNosQuery, map[string]any{"idno": "N123456789"}, &got); len(r.Errors) > 0 || len(got.Applications) != 2 {
		t.Fatalf("idno lookup: %+v %v", r.Errors, got)
	}
}

func TestMaxResultsBoundary(t *testing.T) {
	env := servertest.New(t, func(o *server.Options) { o.MaxResults = 4 })
	var got seqNos
	r := env.GraphQL(t, seqNosQuery, map[string]any{"phone": "0988123456"}, &got)
	if len(r.Errors) > 0 || len(got.Applications) != 4 {
		t.Fatalf("4 matches with a maximum of 4: %+v %v", r.Errors, got.list())
	}
}

func TestMalformedGraphQLIsInvalidRequest(t *testing.T) {
	env := servertest.New(t)
	for _, q := range []string{
		`{ applications(phone: "0988123456") { seqNo `,                    // syntax
		`{ applications(phone: 988123456) { seqNo } }`,                    // wrong argument type
		`{ applications(phone: "0988123456") { createDetails { psd } } }`, // psd is not in the schema
		`{ applications(phone: "0988123456") { seqNo nonsense } }`,        // unknown field
	} {
		r := env.GraphQL(t, q, nil, nil)
		if r.Code() != apperr.InvalidRequest {
			t.Errorf("%s: code %q, errors %+v", q, r.Code(), r.Errors)
		}
		if len(r.Errors) > 0 && strings.Contains(r.Errors[0].Message, "Did you mean") {
			t.Errorf("%s: suggestions leak the schema: %q", q, r.Errors[0].Message)
		}
	}
}

func TestIntrospectionOnlyInDevelopment(t *testing.T) {
	const q = `{ __schema { queryType { name } } }`
	dev := servertest.New(t)
	if r := dev.GraphQL(t, q, nil, nil); len(r.Errors) > 0 {
		t.Errorf("development: %+v", r.Errors)
	}
	prod := servertest.New(t, func(o *server.Options) { o.Development = false })
	if r := prod.GraphQL(t, q, nil, nil); len(r.Errors) == 0 {
		t.Errorf("production answered introspection: %s", r.Data)
	}
	// GraphiQL is a GET of /: served in development only.
	if code, err := servertest.Get(dev.URL + "/"); err != nil || code != 200 {
		t.Errorf("development GraphiQL: %d %v", code, err)
	}
	if code, err := servertest.Get(prod.URL + "/"); err != nil || code != 404 {
		t.Errorf("production GraphiQL: %d %v, want 404", code, err)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	env := servertest.New(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := servertest.Get(env.URL + path)
		if err != nil || resp != 200 {
			t.Errorf("%s: %d %v", path, resp, err)
		}
	}
}

func TestLookupDoesNotWrite(t *testing.T) {
	env := servertest.New(t)
	// The service's pool is read-only at the server: a write through it is refused.
	err := env.DB.Exec("UPDATE account.create_master SET name = 'x'").Error
	if err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("write through the service's pool: %v", err)
	}
}
