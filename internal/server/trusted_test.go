package server_test

import (
	"createinfo/internal/apperr"
	"database/sql"
	"encoding/json"
	"strings"
	"testing"

	"createinfo/graph"
	"createinfo/internal/console"
	"createinfo/internal/legacy"
	"createinfo/internal/server"
	"createinfo/tools/servertest"
)

// persisted posts a request naming a document by hash, with its full text when query is not
// empty, as Apollo-style clients send them.
func persisted(t *testing.T, env *servertest.Env, hash, query string, vars map[string]any) servertest.Response {
	t.Helper()
	req := map[string]any{
		"variables":  vars,
		"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}},
	}
	if query != "" {
		req["query"] = query
	}
	body, _ := json.Marshal(req)
	_, b := env.Post(t, "/graphql", "application/json", string(body))
	var r servertest.Response
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("decode %q: %v", b, err)
	}
	return r
}

func count(t *testing.T, r servertest.Response) int {
	t.Helper()
	var d struct{ Applications []json.RawMessage }
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %+v", r.Errors)
	}
	if err := json.Unmarshal(r.Data, &d); err != nil {
		t.Fatalf("data %s: %v", r.Data, err)
	}
	return len(d.Applications)
}

func TestTrustedDocumentsOnly(t *testing.T) {
	env := servertest.New(t, func(o *server.Options) { o.TrustedDocumentsOnly = true })
	phone := map[string]any{"phone": "0988123456"}
	lookup := console.LookupDocument()
	hash := graph.HashDocument(lookup)

	// Trusted: the console's document by hash (as the console sends it) or in full, and the
	// legacy document in full.
	if n := count(t, persisted(t, env, hash, "", phone)); n != 4 {
		t.Errorf("console document by hash: %d applications, want 4", n)
	}
	if n := count(t, persisted(t, env, strings.ToUpper(hash), lookup, phone)); n != 4 {
		t.Errorf("console document in full with its hash: %d applications, want 4", n)
	}
	if n := count(t, env.GraphQL(t, lookup, phone, nil)); n != 4 {
		t.Errorf("console document in full: %d applications, want 4", n)
	}
	if n := count(t, env.GraphQL(t, legacy.Document(), phone, nil)); n != 4 {
		t.Errorf("legacy document in full: %d applications, want 4", n)
	}
	if n := count(t, persisted(t, env, graph.HashDocument(legacy.Document()), "", phone)); n != 4 {
		t.Errorf("legacy document by hash: %d applications, want 4", n)
	}
	if r, _ := env.Post(t, legacy.Path, "application/json", `{"phone":"0988123456"}`); r.StatusCode != 200 {
		t.Errorf("legacy endpoint: %d", r.StatusCode)
	}

	// Refused before any SQL: anything else, including a trusted document with an alias, a
	// field more, a fragment, or a byte changed.
	aliased := strings.Replace(lookup, "    seqNo\n", "    id: seqNo\n", 1)
	extra := strings.Replace(lookup, "    seqNo\n", "    seqNo\n    memberProfileSeqNo\n", 1)
	fragment := strings.Replace(lookup, "    abnormalPid\n  }\n}", "    ...More\n  }\n}\nfragment More on Application { abnormalPid }", 1)
	if aliased == lookup || extra == lookup || fragment == lookup {
		t.Fatal("the variants did not change the document")
	}
	untrusted := map[string]string{
		"ad hoc":              `{ applications(phone: "0988123456") { seqNo idno name } }`,
		"aliased":             aliased,
		"extra field":         extra,
		"fragment":            fragment,
		"trailing space":      lookup + " ",
		"introspection":       `{ __schema { types { name } } }`,
		"legacy with a field": strings.Replace(legacy.Document(), "    seqNo\n", "    seqNo\n    createdAt\n", 1),
	}
	for name, q := range untrusted {
		if q == "" {
			t.Fatalf("%s: empty", name)
		}
		r := env.GraphQL(t, q, phone, nil)
		if r.Code() != apperr.UntrustedDocument || string(r.Data) != "null" && len(r.Data) > 0 {
			t.Errorf("%s: code %q, data %s", name, r.Code(), r.Data)
		}
		if n := env.LastStatements(); n != 0 {
			t.Errorf("%s: %d statements ran before the refusal", name, n)
		}
		// Naming it by its own (correct) hash does not make it trusted.
		if r := persisted(t, env, graph.HashDocument(q), q, phone); r.Code() != apperr.UntrustedDocument {
			t.Errorf("%s with its hash: code %q", name, r.Code())
		}
		if n := env.LastStatements(); n != 0 {
			t.Errorf("%s with its hash: %d statements ran before the refusal", name, n)
		}
	}

	// A trusted hash with another text, and an unknown hash alone.
	if r := persisted(t, env, hash, untrusted["aliased"], phone); r.Code() != apperr.InvalidRequest {
		t.Errorf("trusted hash with another text: code %q", r.Code())
	}
	if r := persisted(t, env, strings.Repeat("0", 64), "", phone); r.Code() != apperr.PersistedQueryNotFound ||
		r.Errors[0].Message != "PersistedQueryNotFound" {
		t.Errorf("unknown hash: %+v", r.Errors)
	}
	if n := env.LastStatements(); n != 0 {
		t.Errorf("unknown hash: %d statements", n)
	}

	// Refusals are on the audit record with their code.
	db, err := sql.Open("pgx", env.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var refused int
	if err := db.QueryRow(`SELECT count(*) FROM audit.lookup WHERE outcome = $1`, apperr.UntrustedDocument).Scan(&refused); err != nil {
		t.Fatal(err)
	}
	if refused != 2*len(untrusted) {
		t.Errorf("%d audit rows with outcome %s, want %d", refused, apperr.UntrustedDocument, 2*len(untrusted))
	}
}

// Without TRUSTED_DOCUMENTS_ONLY (development), any valid document runs, and the trusted
// ones may still be named by hash.
func TestPersistedQueriesWithoutTrustedOnly(t *testing.T) {
	env := servertest.New(t)
	phone := map[string]any{"phone": "0988123456"}
	if n := count(t, env.GraphQL(t, `{ applications(phone: "0988123456") { seqNo } }`, nil, nil)); n != 4 {
		t.Errorf("ad hoc: %d applications", n)
	}
	if n := count(t, persisted(t, env, graph.HashDocument(console.LookupDocument()), "", phone)); n != 4 {
		t.Errorf("by hash: %d applications", n)
	}
	// The manifest is read-only: a document sent with its hash runs, but is not remembered.
	q := `query Mine($phone: String) { applications(phone: $phone) { seqNo } }`
	if n := count(t, persisted(t, env, graph.HashDocument(q), q, phone)); n != 4 {
		t.Errorf("own document with its hash: %d applications", n)
	}
	if r := persisted(t, env, graph.HashDocument(q), "", phone); r.Code() != apperr.PersistedQueryNotFound {
		t.Errorf("own document by hash afterwards: code %q, want %s", r.Code(), apperr.PersistedQueryNotFound)
	}
	for name, ext := range map[string]string{
		"version 2": `{"version":2,"sha256Hash":"` + graph.HashDocument(q) + `"}`,
		"no hash":   `{"version":1}`,
		"a string":  `"abc"`,
	} {
		_, b := env.Post(t, "/graphql", "application/json", `{"query":"{ __typename }","extensions":{"persistedQuery":`+ext+`}}`)
		var r servertest.Response
		json.Unmarshal(b, &r)
		if r.Code() != apperr.InvalidRequest {
			t.Errorf("%s: code %q", name, r.Code())
		}
	}
}

func TestManifestHoldsTheConsoleAndLegacyDocuments(t *testing.T) {
	m := server.TrustedDocuments()
	names := map[string]string{}
	for _, d := range m.Documents() {
		names[d.Name] = d.Hash
	}
	if names[console.LookupOperation] != graph.HashDocument(console.LookupDocument()) ||
		names["GetCreateInfo"] != graph.HashDocument(legacy.Document()) || len(names) != 1+len(console.Documents()) {
		t.Errorf("manifest: %v", names)
	}
	if _, err := graph.NewManifest("{ applications { seqNo } }"); err == nil {
		t.Error("an anonymous document was accepted into the manifest")
	}
}

// Lookup responses hold personal data: no cache may keep them, whatever the outcome.
func TestLookupResponsesAreNotStored(t *testing.T) {
	env := servertest.New(t)
	for _, tc := range []struct{ path, body string }{
		{"/graphql", `{"query":"{ applications(phone: \"0988123456\") { seqNo } }"}`},
		{"/graphql", `{"query":"{ applications(phone: \"1\") { seqNo } }"}`},
		{legacy.Path, `{"phone":"0988123456"}`},
		{legacy.Path, `[]`},
	} {
		resp, _ := env.Post(t, tc.path, "application/json", tc.body)
		if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s %s: %d, Cache-Control %q, X-Content-Type-Options %q", tc.path, tc.body, resp.StatusCode,
				resp.Header.Get("Cache-Control"), resp.Header.Get("X-Content-Type-Options"))
		}
	}
}
