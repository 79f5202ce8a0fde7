package oidc

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// claims decodes a token's payload without checking it (the service's tests check tokens).
func claims(t *testing.T, tok string) (header, payload map[string]any) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %d parts", len(parts))
	}
	for i, v := range []*map[string]any{&header, &payload} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		json.Unmarshal(b, v)
	}
	return header, payload
}

func TestProviderIssuesTokens(t *testing.T) {
	p := Start(t, Config{
		Accounts: map[string]Account{"agent001": {Name: "王小明", Roles: []string{"CS-Agents"}}},
		Clients: []Client{{ID: "crm", Secret: "s", Roles: []string{"CRM-Systems"}, Alg: "ES256"},
			{ID: "console", RedirectURIs: []string{"http://127.0.0.1:1/console/"}}},
	}, NewRSAKey("r1"), NewECKey("e1"))
	h, c := claims(t, p.ClientToken(t, "crm", "s", Audience))
	if h["alg"] != "ES256" || h["kid"] != "e1" || c["aud"] != Audience || c["iss"] != p.Issuer || c["preferred_username"] != "crm" {
		t.Fatalf("client token: %v %v", h, c)
	}
	h, c = claims(t, p.SignIn(t, "console", "http://127.0.0.1:1/console/", "agent001"))
	if h["alg"] != "RS256" || h["kid"] != "r1" || c["preferred_username"] != "agent001" || c["name"] != "王小明" {
		t.Fatalf("agent token: %v %v", h, c)
	}
	if r, _ := c["roles"].([]any); len(r) != 1 || r[0] != "CS-Agents" {
		t.Fatalf("agent roles: %v", c["roles"])
	}
	p.Restart(t, NewRSAKey("r2"), NewECKey("e2"))
	if h, _ := claims(t, p.ClientToken(t, "crm", "s", Audience)); h["kid"] != "e2" {
		t.Fatalf("after rotation: %v", h)
	}
}
