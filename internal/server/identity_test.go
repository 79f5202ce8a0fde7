package server_test

import (
	"context"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"createinfo/internal/auth"
	"createinfo/internal/legacy"
	"createinfo/internal/server"
	"createinfo/tools/dbtest"
	"createinfo/tools/oidc"
	"createinfo/tools/servertest"
)

// The provider's accounts and clients of these tests: one per kind of caller.
var idpConfig = oidc.Config{
	Accounts: map[string]oidc.Account{
		"agent001": {Name: "王小明", Roles: []string{"CS-Agents"}},
		"agent002": {Name: "陳美玲", Roles: []string{"CS-Agents"}},
	},
	Clients: []oidc.Client{
		{ID: "crm", Secret: "crm-secret", Roles: []string{"CRM-Systems"}},
		{ID: "crm-es", Secret: "crm-secret", Roles: "CRM-Systems", Alg: "ES256"},
		{ID: "both", Secret: "both-secret", Roles: []string{"CRM-Systems", "CS-Agents"}},
		{ID: "stranger", Secret: "stranger-secret", Roles: []string{"Marketing"}},
		{ID: "odd-roles", Secret: "odd-secret", Roles: map[string]any{"CS-Agents": true}},
		{ID: "console", RedirectURIs: []string{consoleRedirect}},
	},
}

const consoleRedirect = "http://127.0.0.1:9/console/"

// roleMap is OIDC_ROLE_MAP's default.
var roleMap = map[string]string{"CS-Agents": auth.RoleAgent, "CRM-Systems": auth.RoleIntegration}

// idEnv is a service that accepts the provider's tokens, and the provider.
type idEnv struct {
	*servertest.Env
	idp *oidc.Provider
}

// newIDEnv starts a provider signing with keys and a service verifying its tokens; edit adjusts
// the verifier's settings (its clock) and the server's options.
func newIDEnv(t *testing.T, tc func(*auth.TokenConfig), edit func(*server.Options), keys ...oidc.Key) idEnv {
	t.Helper()
	idp := oidc.Start(t, idpConfig, keys...)
	// No bound on JWKS fetches here (the rotation tests fetch twice within seconds);
	// TestForgedTokensDoNotFloodTheProvider tests the bound.
	cfg := auth.TokenConfig{Issuer: idp.Issuer, Audience: oidc.Audience, RoleMap: roleMap, MinRefresh: -1}
	if tc != nil {
		tc(&cfg)
	}
	v, err := auth.NewVerifier(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	env := servertest.New(t, func(o *server.Options) {
		o.Auth = auth.NewChecker(nil).WithTokens(v)
		if edit != nil {
			edit(o)
		}
	})
	return idEnv{Env: env, idp: idp}
}

// call sends a lookup through one way in with the given headers (and query string) and returns
// the status and the error code of the way's envelope ("" when none).
func (e idEnv) call(t *testing.T, way, query string, h map[string]string) (int, string, []byte) {
	t.Helper()
	path, body := "/graphql", `{"query":"{ applications(phone: \"0988123456\") { seqNo idno } }"}`
	if way == "legacy" {
		path, body = legacy.Path, `{"phone":"0988123456"}`
	}
	resp, b := post(t, e.URL+path+query, body, h)
	var env struct {
		Error  struct{ ErrorCode string }
		Errors []struct{ Extensions map[string]any }
	}
	json.Unmarshal(b, &env)
	code := env.Error.ErrorCode
	if len(env.Errors) > 0 {
		code, _ = env.Errors[0].Extensions["code"].(string)
	}
	return resp.StatusCode, code, b
}

func bearer(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

type idRow struct {
	Agent, Role, Proof, Asserted, Outcome, Way string
}

func idRows(t *testing.T, env *servertest.Env) []idRow {
	t.Helper()
	db, err := sql.Open("pgx", env.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT agent_id, role, proof, asserted_agent, outcome, way FROM audit.lookup ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []idRow
	for rows.Next() {
		var r idRow
		if err := rows.Scan(&r.Agent, &r.Role, &r.Proof, &r.Asserted, &r.Outcome, &r.Way); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// forge signs claims with key under alg (an attacker's token).
func forge(t *testing.T, alg jose.SignatureAlgorithm, key any, kid string, claims map[string]any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("at+jwt")
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	jws, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// payload decodes a token's claims without checking them.
func payload(t *testing.T, tok string) map[string]any {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	json.Unmarshal(b, &c)
	return c
}

func TestTokenCallers(t *testing.T) {
	key := oidc.NewRSAKey("k1")
	e := newIDEnv(t, nil, nil, key, oidc.NewECKey("e1"))
	agent := e.idp.SignIn(t, "console", consoleRedirect, "agent001")
	crm := e.idp.ClientToken(t, "crm", "crm-secret", oidc.Audience)
	crmES := e.idp.ClientToken(t, "crm-es", "crm-secret", oidc.Audience)
	both := e.idp.ClientToken(t, "both", "both-secret", oidc.Audience)
	var want []idRow
	for _, way := range []string{"graphql", "legacy"} {
		for _, c := range []struct {
			name  string
			h     map[string]string
			agent string
			role  string
			// asserted is the X-Agent-Id the row keeps as ignored
			asserted string
		}{
			{"agent", bearer(agent), "agent001", auth.RoleAgent, ""},
			{"agent naming another", map[string]string{"Authorization": "Bearer " + agent, "X-Agent-Id": "agent999"}, "agent001", auth.RoleAgent, "agent999"},
			{"agent naming itself", map[string]string{"Authorization": "Bearer " + agent, "X-Agent-Id": "agent001"}, "agent001", auth.RoleAgent, ""},
			{"integration RS256", bearer(crm), "crm", auth.RoleIntegration, ""},
			{"integration ES256, roles as one string", bearer(crmES), "crm-es", auth.RoleIntegration, ""},
			{"both roles: the least privileged", bearer(both), "both", auth.RoleAgent, ""},
		} {
			if st, code, b := e.call(t, way, "", c.h); st != 200 || code != "" {
				t.Fatalf("%s %s: %d %s %s", way, c.name, st, code, b)
			}
			want = append(want, idRow{c.agent, c.role, auth.ProofToken, c.asserted, "OK", way})
		}
	}
	if got := idRows(t, e.Env); !equalRows(got, want) {
		t.Fatalf("audit rows:\n got %v\nwant %v", got, want)
	}
	if p := payload(t, agent); p["name"] != "王小明" {
		t.Fatalf("the provider's token lacks the display name: %v", p)
	}
}

func equalRows(a, b []idRow) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Every bad token is refused in both ways in with the contract's envelope and one audit row;
// the log says why, and never holds the token.
func TestTokenRefusals(t *testing.T) {
	key := oidc.NewRSAKey("k1")
	var clock time.Duration // how far the service's clock is moved
	e := newIDEnv(t, func(c *auth.TokenConfig) { c.Now = func() time.Time { return time.Now().Add(clock) } }, nil, key)
	good := e.idp.ClientToken(t, "crm", "crm-secret", oidc.Audience)
	claims := payload(t, good)

	// Another provider holding the same key: its tokens verify, and name the wrong issuer.
	other := oidc.Start(t, idpConfig, key)
	pub := &key.Key.(*rsa.PrivateKey).PublicKey
	der, _ := x509.MarshalPKIXPublicKey(pub)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	hs := func(secret []byte) string {
		h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","kid":"k1","typ":"at+jwt"}`))
		p, _ := json.Marshal(claims)
		msg := h + "." + base64.RawURLEncoding.EncodeToString(p)
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(msg))
		return msg + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	none := func() string {
		h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"at+jwt"}`))
		p, _ := json.Marshal(claims)
		return h + "." + base64.RawURLEncoding.EncodeToString(p) + "."
	}
	tampered := func() string {
		parts := strings.Split(good, ".")
		c := payload(t, good)
		c["preferred_username"] = "agent999"
		p, _ := json.Marshal(c)
		return parts[0] + "." + base64.RawURLEncoding.EncodeToString(p) + "." + parts[2]
	}

	cases := []struct {
		name  string
		tok   func() string
		query string
		clock time.Duration
		code  string
	}{
		{"expired", func() string { return good }, "", 2 * time.Hour, "UNAUTHORIZED"},
		{"not yet valid", func() string { return good }, "", -time.Hour, "UNAUTHORIZED"},
		{"wrong issuer", func() string { return other.ClientToken(t, "crm", "crm-secret", oidc.Audience) }, "", 0, "UNAUTHORIZED"},
		{"wrong audience", func() string { return e.idp.ClientToken(t, "crm", "crm-secret", oidc.OtherAudience) }, "", 0, "UNAUTHORIZED"},
		{"alg none", none, "", 0, "UNAUTHORIZED"},
		{"HS256 keyed with the public key", func() string { return hs(pubPEM) }, "", 0, "UNAUTHORIZED"},
		{"unknown kid", func() string { return forge(t, jose.RS256, oidc.NewRSAKey("x").Key, "ghost", claims) }, "", 0, "UNAUTHORIZED"},
		{"known kid, another key", func() string { return forge(t, jose.RS256, oidc.NewRSAKey("x").Key, "k1", claims) }, "", 0, "UNAUTHORIZED"},
		{"tampered payload", tampered, "", 0, "UNAUTHORIZED"},
		{"token over 8 KiB", func() string { return good + strings.Repeat("A", auth.MaxCredentialBytes) }, "", 0, "UNAUTHORIZED"},
		{"role claim of the wrong type", func() string { return e.idp.ClientToken(t, "odd-roles", "odd-secret", oidc.Audience) }, "", 0, "UNAUTHORIZED"},
		{"no role createinfo knows", func() string { return e.idp.ClientToken(t, "stranger", "stranger-secret", oidc.Audience) }, "", 0, "FORBIDDEN"},
	}
	// The good token, verified once, is in the verifier's cache: its expiry is still checked.
	if st, _, b := e.call(t, "graphql", "", bearer(good)); st != 200 {
		t.Fatalf("good token: %d %s", st, b)
	}
	requests := 1
	var tokens []string
	for _, way := range []string{"graphql", "legacy"} {
		for _, c := range cases {
			clock = c.clock
			tok := c.tok()
			tokens = append(tokens, tok)
			st, code, b := e.call(t, way, c.query, bearer(tok))
			requests++
			wantStatus := 401
			if c.code == "FORBIDDEN" {
				wantStatus = 403
			}
			if st != wantStatus || code != c.code || strings.Contains(string(b), "0988123456") {
				t.Errorf("%s %s: %d %s %s", way, c.name, st, code, b)
			}
		}
		// The token in the query string, even a good one, and with a good header.
		clock = 0
		if st, code, _ := e.call(t, way, "?access_token="+good, bearer(good)); st != 401 || code != "UNAUTHORIZED" {
			t.Errorf("%s token in the query string: %d %s", way, st, code)
		}
		requests++
	}
	rows := idRows(t, e.Env)
	if len(rows) != requests {
		t.Fatalf("%d audit rows for %d refused requests", len(rows), requests)
	}
	for i, r := range rows[1:] {
		if r.Outcome != "UNAUTHORIZED" && r.Outcome != "FORBIDDEN" {
			t.Errorf("row %d: %+v", i, r)
		}
	}
	logs := e.Logs()
	for _, tok := range append(tokens, good) {
		sig := tok[strings.LastIndex(tok, ".")+1:]
		if len(sig) > 20 && strings.Contains(logs, sig) {
			t.Fatal("a token is in the log")
		}
	}
	for _, why := range []string{"expired", "not valid yet", "wrong issuer", "wrong audience", "algorithm", "unknown key", "over 8192 bytes", "in the URL", "no role createinfo knows"} {
		if !strings.Contains(logs, why) {
			t.Errorf("no refusal in the log says %q", why)
		}
	}
}

// A rotation at the provider is picked up without a restart; with the provider unreachable,
// tokens signed by cached keys still pass, a new key does not, and /readyz says so.
func TestTokenRotationAndOutage(t *testing.T) {
	k1, k2, k3 := oidc.NewRSAKey("k1"), oidc.NewRSAKey("k2"), oidc.NewRSAKey("k3")
	e := newIDEnv(t, nil, nil, k1)
	t1 := e.idp.ClientToken(t, "crm", "crm-secret", oidc.Audience)
	if st, _, b := e.call(t, "graphql", "", bearer(t1)); st != 200 {
		t.Fatalf("k1: %d %s", st, b)
	}
	e.idp.Restart(t, k2, k1) // rotation: k2 signs, k1 still published
	t2 := e.idp.ClientToken(t, "crm", "crm-secret", oidc.Audience)
	if st, _, b := e.call(t, "legacy", "", bearer(t2)); st != 200 {
		t.Fatalf("after rotation, k2: %d %s", st, b)
	}
	e.idp.Restart(t, k3, k2)
	t3 := e.idp.ClientToken(t, "crm", "crm-secret", oidc.Audience)
	e.idp.Stop()
	for _, tok := range []string{t1, t2} {
		for _, way := range []string{"graphql", "legacy"} {
			if st, _, b := e.call(t, way, "", bearer(tok)); st != 200 {
				t.Fatalf("provider down, cached key, %s: %d %s", way, st, b)
			}
		}
	}
	for _, way := range []string{"graphql", "legacy"} {
		if st, code, _ := e.call(t, way, "", bearer(t3)); st != 401 || code != "UNAUTHORIZED" {
			t.Fatalf("provider down, new key k3, %s: %d %s", way, st, code)
		}
	}
	// /readyz reuses its verdict for a second (readyTTL): poll for the provider's absence.
	dbtest.Poll(t, "/readyz to say the provider is unreachable, still 200", 10*time.Second, func() bool {
		resp, err := http.Get(e.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("readyz with the provider down: %d %s", resp.StatusCode, b)
		}
		return strings.Contains(string(b), "identity provider: unreachable")
	})
	if !strings.Contains(e.Logs(), "cannot be fetched") {
		t.Error("the refusal of k3 does not say the keys could not be fetched")
	}
}

// countJWKS counts the requests for the provider's keys.
type countJWKS struct {
	mu sync.Mutex
	n  int
}

func (c *countJWKS) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/jwks") {
		c.mu.Lock()
		c.n++
		c.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(r)
}

// Forged tokens with unknown kids are refused without a fetch of the JWKS each: one fetch per
// DefaultMinRefresh at most (what each would otherwise cost the provider).
func TestForgedTokensDoNotFloodTheProvider(t *testing.T) {
	count := &countJWKS{}
	e := newIDEnv(t, func(c *auth.TokenConfig) {
		c.MinRefresh = 0 // the default
		c.Client = &http.Client{Transport: count}
	}, nil, oidc.NewRSAKey("k1"))
	good := e.idp.ClientToken(t, "crm", "crm-secret", oidc.Audience)
	start := time.Now()
	if st, _, b := e.call(t, "graphql", "", bearer(good)); st != 200 {
		t.Fatalf("good token: %d %s", st, b)
	}
	claims := payload(t, good)
	for i := 0; i < 20; i++ {
		forged := forge(t, jose.RS256, oidc.NewRSAKey("x").Key, "ghost-"+strconv.Itoa(i), claims)
		if st, code, _ := e.call(t, "graphql", "", bearer(forged)); st != 401 || code != "UNAUTHORIZED" {
			t.Fatalf("forged token %d: %d %s", i, st, code)
		}
	}
	// One fetch per DefaultMinRefresh at most: on a loaded machine the 21 calls may take
	// longer than one interval, and then one more fetch is within the contract.
	took := time.Since(start)
	allowed := 1 + int(took/auth.DefaultMinRefresh)
	count.mu.Lock()
	defer count.mu.Unlock()
	if count.n < 1 || count.n > allowed {
		t.Fatalf("%d fetches of the JWKS for one good and 20 forged tokens in %v, want 1 to %d (one per %v)", count.n, took, allowed, auth.DefaultMinRefresh)
	}
}
