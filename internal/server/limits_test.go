package server_test

import (
	"net/http"
	"strings"
	"testing"

	"createinfo/internal/apperr"
	"createinfo/internal/legacy"
	"createinfo/tools/servertest"
)

func TestGraphQLLimits(t *testing.T) {
	env := servertest.New(t)
	// The legacy document, the largest real one, passes.
	if r := env.GraphQL(t, legacy.Document(), map[string]any{"phone": "0988123456"}, nil); len(r.Errors) > 0 {
		t.Fatalf("legacy document refused: %+v", r.Errors)
	}
	doc := legacy.Document()
	body := strings.TrimSpace(doc[strings.Index(doc, "applications("):strings.Index(doc, "fragment Flag")])
	body = strings.TrimSuffix(body, "}") // the query's own closing brace
	var aliased strings.Builder          // 15 legacy trees: over the field limit
	aliased.WriteString("query GetCreateInfo($idno: String, $phone: String, $seqNo: String) {")
	for i := 0; i < 15; i++ {
		aliased.WriteString(" a" + string(rune('a'+i)) + ": " + body)
	}
	aliased.WriteString("}\n" + doc[strings.Index(doc, "fragment Flag"):])
	deep := "{ __schema { types { fields { type { " + strings.Repeat("ofType { ", 10) + "name" + strings.Repeat(" }", 10) + " } } } } }"
	var manyAliases strings.Builder
	manyAliases.WriteString("{")
	for i := 0; i < 25; i++ {
		manyAliases.WriteString(" t" + string(rune('a'+i)) + ": __typename")
	}
	manyAliases.WriteString(" }")
	tokens := `{ applications(phone: "0988123456") {` + strings.Repeat(" seqNo", 6000) + ` } }`
	// Inside every shape limit (one lookup, 20 aliases, depth 5, 222 fields) but three lists
	// deep: it weighs about 25,000.
	var heavy strings.Builder
	heavy.WriteString(`{ applications(phone: "0988123456") { manualReviewFlags {`)
	for i := 0; i < 20; i++ {
		heavy.WriteString(" p" + string(rune('a'+i)) + ": payTaxes { IDNO createdDate createdTime seqNo taxesNo updateDate updateTime countryCode { code name } }")
	}
	heavy.WriteString(" } } }")

	for name, c := range map[string]struct{ q, says string }{ // says: which limit refused it
		"fields":     {aliased.String(), "fields"},
		"complexity": {heavy.String(), "complexity"},
		"depth":      {deep, "nested"},
		"aliases":    {manyAliases.String(), "aliases"},
		"tokens":     {tokens, "token"},
	} {
		r := env.GraphQL(t, c.q, map[string]any{"phone": "0988123456"}, nil)
		if r.Code() != apperr.InvalidRequest || len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Message, "limit") ||
			!strings.Contains(r.Errors[0].Message, c.says) {
			t.Errorf("%s: code %q, errors %+v", name, r.Code(), r.Errors)
		} else {
			t.Logf("%s: %s", name, r.Errors[0].Message)
		}
		if n := env.LastStatements(); n != 0 {
			t.Errorf("%s: %d statements ran before the refusal", name, n)
		}
	}
}

func TestGraphQLTransportIsPostJSONObjectOnly(t *testing.T) {
	env := servertest.New(t)
	cases := []struct {
		name, method, contentType, body string
		status                          int
	}{
		{"batch", "POST", "application/json", `[{"query":"{ __typename }"}]`, 400},
		{"urlencoded", "POST", "application/x-www-form-urlencoded", `query=%7B__typename%7D`, 415},
		{"multipart", "POST", "multipart/form-data; boundary=x", "--x--", 415},
		{"GET", "GET", "", "", 405},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, env.URL+"/graphql?query=%7B__typename%7D", strings.NewReader(c.body))
		if c.contentType != "" {
			req.Header.Set("Content-Type", c.contentType)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s: %d, want %d", c.name, resp.StatusCode, c.status)
		}
	}
}
