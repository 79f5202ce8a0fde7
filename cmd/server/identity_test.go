package main

import (
	"database/sql"
	"strings"
	"testing"

	"createinfo/tools/dbtest"
	"createinfo/tools/oidc"
	"createinfo/tools/servertest"
)

func call(t *testing.T, method, url, body string, h map[string]string) (int, string) {
	t.Helper()
	resp, b := servertest.Do(t, method, url, body, h)
	return resp.StatusCode, string(b)
}

// make run's server (no provider, no keys): the caller is agent dev with role agent, so the
// demo shows masked data and the reveal, on the record.
func TestDevelopmentCallerIsAnAgent(t *testing.T) {
	url := dbtest.URL(t)
	p := startServer(t, "DATABASE_URL="+url)
	st, body := call(t, "POST", p.base+"/intranet/api/v1.0/createaccount/GetCreateInfo", `{"phone":"0988123456"}`, nil)
	if st != 200 || !strings.Contains(body, `"0988***456"`) || strings.Contains(body, "N123456789") {
		t.Fatalf("legacy as dev: %d %.300s", st, body)
	}
	st, body = call(t, "POST", p.base+"/graphql",
		`{"query":"{ revealApplication(seqNo: \"0A80d1d572650511ea8a30acde48001122\", reason: CUSTOMER_REQUEST) { idno } }"}`, nil)
	if st != 200 || !strings.Contains(body, `"N123456789"`) {
		t.Fatalf("reveal as dev: %d %s", st, body)
	}
	if _, body := call(t, "GET", p.base+"/console/auth.json", "", nil); body != `{"reveal":true}` {
		t.Errorf("console auth.json: %s", body)
	}
	db, _ := sql.Open("pgx", url)
	defer db.Close()
	var rows string
	db.QueryRow(`SELECT string_agg(agent_id || ' ' || role || ' ' || proof || ' ' || reveal_reason, ',' ORDER BY id) FROM audit.lookup`).Scan(&rows)
	if rows != "dev agent none ,dev agent none CUSTOMER_REQUEST" {
		t.Errorf("audit rows: %q", rows)
	}
}

// With OIDC_ISSUER the binary verifies the provider's tokens, refuses anything else, tells the
// console where to sign in, and /readyz reports the provider.
func TestProviderSettings(t *testing.T) {
	idp := oidc.Start(t, oidc.Config{Clients: []oidc.Client{{ID: "crm", Secret: "s", Roles: []string{"CRM-Systems"}}}})
	p := startServer(t, "DATABASE_URL="+dbtest.URL(t), "OIDC_ISSUER="+idp.Issuer, "OIDC_AUDIENCE="+oidc.Audience,
		"OIDC_CONSOLE_CLIENT_ID=console")
	tok := idp.ClientToken(t, "crm", "s", oidc.Audience)
	legacy := p.base + "/intranet/api/v1.0/createaccount/GetCreateInfo"
	if st, body := call(t, "POST", legacy, `{"phone":"0988123456"}`, map[string]string{"Authorization": "Bearer " + tok}); st != 200 || !strings.Contains(body, `"N123456789"`) {
		t.Fatalf("integration token: %d %.300s", st, body)
	}
	if st, _ := call(t, "POST", legacy, `{"phone":"0988123456"}`, nil); st != 401 {
		t.Fatalf("no token: %d", st)
	}
	if _, body := call(t, "GET", p.base+"/readyz", "", nil); !strings.Contains(body, "identity provider: ok") {
		t.Errorf("readyz: %s", body)
	}
	if _, body := call(t, "GET", p.base+"/console/auth.json", "", nil); !strings.Contains(body, `"issuer":"`+idp.Issuer+`"`) || !strings.Contains(body, `"clientId":"console"`) {
		t.Errorf("console auth.json: %s", body)
	}
}
