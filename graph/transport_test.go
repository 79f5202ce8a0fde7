package graph

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// TestTransportAnswersAsGqlgens sends the same requests to /graphql's handler and to one
// built the same way over gqlgen's POST transport, which it replaces: for every Accept header a
// client may send and documents that answer, fail to parse, fail validation, name no
// operation or are refused by a limit, the status, Content-Type and body are the same bytes.
func TestTransportAnswersAsGqlgens(t *testing.T) {
	es := NewSchema(Options{})
	ours := NewHandler(es, Options{})
	srv := handler.New(es)
	srv.AddTransport(transport.POST{})
	srv.Use(trustedDocuments{})
	configure(srv, Options{})
	docs := []string{
		`{ __typename }`,
		`query Q { a: __typename b: __typename }`,
		`{ __typename `,
		`{ nope }`,
		`query A { __typename } query B { __typename }`,
		`{ __schema { types { name } } }`,
		chain(12),
	}
	accepts := []string{"", "*/*", "application/*", "application/json", "application/graphql-response+json",
		"application/graphql-response+json, application/json", "application/json;q=0.5, application/graphql-response+json",
		"text/html", "text/html, */*;q=0.8", "bad;;, application/json"}
	answer := func(h http.Handler, q, accept string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/graphql", bytes.NewReader(body(q)))
		r.Header.Set("Content-Type", "application/json")
		if accept != "" {
			r.Header.Set("Accept", accept)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}
	for _, q := range docs {
		for _, accept := range accepts {
			got, want := answer(ours, q, accept), answer(srv, q, accept)
			if got.Code != want.Code || got.Header().Get("Content-Type") != want.Header().Get("Content-Type") ||
				!bytes.Equal(got.Body.Bytes(), want.Body.Bytes()) {
				t.Errorf("%.40q, Accept %q:\n ours   %d %s %s\n gqlgen %d %s %s", q, accept,
					got.Code, got.Header().Get("Content-Type"), got.Body, want.Code, want.Header().Get("Content-Type"), want.Body)
			}
		}
	}
}

// TestWriteResponseAsJSONMarshal: the response written without json.Marshal is its bytes,
// whatever the data holds (what json.Marshal escapes, inside strings and at the ends, the
// bank's masks and Chinese text), and every other response goes through json.Marshal.
func TestWriteResponseAsJSONMarshal(t *testing.T) {
	yes := true
	for _, resp := range []*graphql.Response{
		{Data: json.RawMessage("{\"a\":\"<b>&amp;</b>\",\"c\":[\"\u2028\",\"\u2029\",\"x\u2027y\"],\"d\":null}")},
		{Data: json.RawMessage(`{"name":"王○明","idno":"N12****789","s":"a\"<\\\u2028\u003c"}`)},
		{Data: json.RawMessage("{\"e\":\"\xe2\x80\",\"f\":\"&\",\"g\":\"\xe2\x80\xa9\xe2\x80\xa8>\"}")},
		{Data: json.RawMessage("{\"x\":\"\xe2\"}")},
		{Data: json.RawMessage(`{}`)},
		{Data: json.RawMessage(`null`)},
		{},
		nil,
		{Errors: gqlerror.List{{Message: "<no>", Extensions: map[string]any{"code": "INVALID_REQUEST"}}}},
		{Data: json.RawMessage(`{"a":1}`), Extensions: map[string]any{"k": "<v>"}},
		{Data: json.RawMessage(`{"a":1}`), Label: "l", Path: ast.Path{ast.PathName("a")}, HasNext: &yes},
	} {
		want, err := json.Marshal(resp)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		writeResponse(&got, resp)
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("writeResponse\n got  %s\n want %s", got.Bytes(), want)
		}
	}
}
