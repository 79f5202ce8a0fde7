package auth

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestKeys(t *testing.T) {
	secret, entry, err := NewKey("crm")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(entry, secret) || len(secret) != 64 {
		t.Fatalf("entry %q holds the secret or the secret is short", entry)
	}
	keys, err := ParseKeys(" " + entry + ",other:" + strings.Repeat("ab", 32))
	if err != nil || len(keys) != 2 {
		t.Fatalf("%v %v", keys, err)
	}
	for _, bad := range []string{"crm", "crm:" + secret[:10], "a b:" + strings.Repeat("0", 64), entry + "," + entry} {
		if _, err := ParseKeys(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}

	c := NewChecker(keys)
	req := func(auth, agent string) (Identity, *Refusal) {
		r := httptest.NewRequest("POST", "/", nil)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		if agent != "" {
			r.Header.Set("X-Agent-Id", agent)
		}
		return c.Check(r)
	}
	if id, why := req("Bearer "+secret, "agent-007"); why != nil || id != (Identity{KeyID: "crm", AgentID: "agent-007", Role: RoleIntegration, Proof: ProofKey}) {
		t.Errorf("right key: %+v %q", id, why)
	}
	for name, c := range map[string][2]string{
		"no key":         {"", "agent-007"},
		"wrong key":      {"Bearer " + strings.Repeat("0", 64), "agent-007"},
		"hash as secret": {"Bearer " + strings.Repeat("ab", 32), "agent-007"},
		"basic":          {"Basic " + secret, "agent-007"},
		"no agent":       {"Bearer " + secret, ""},
		"bad agent":      {"Bearer " + secret, "a\nb"},
	} {
		if _, why := req(c[0], c[1]); why == nil || why.Code != "UNAUTHORIZED" {
			t.Errorf("%s: accepted", name)
		}
	}
	if id, why := NewChecker(nil).Check(httptest.NewRequest("POST", "/", nil)); why != nil || id.KeyID != "" || id.Role != RoleIntegration {
		t.Errorf("authentication off: %+v %q", id, why)
	}
}
