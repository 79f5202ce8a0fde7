package auth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"createinfo/internal/apperr"
)

// TokenConfig says which access tokens createinfo accepts and how it reads them.
type TokenConfig struct {
	// Issuer is the provider's issuer URL (OIDC_ISSUER): its discovery document names the
	// JWKS, and every token's iss must be exactly it.
	Issuer string
	// Audience must be in every token's aud (OIDC_AUDIENCE).
	Audience string
	// AgentClaim names the agent (OIDC_AGENT_CLAIM, default preferred_username).
	AgentClaim string
	// RolesClaim holds the provider's role or group names (OIDC_ROLES_CLAIM, default roles):
	// a list of strings, or one string.
	RolesClaim string
	// RoleMap maps the provider's names to createinfo's roles (OIDC_ROLE_MAP).
	RoleMap map[string]string
	// Client fetches the discovery document and the keys (nil: a client with a 5s timeout).
	Client *http.Client
	// Now is the clock exp and nbf are checked against (nil: time.Now; tests move it).
	Now func() time.Time
	// MinRefresh is the least time between two fetches of the JWKS (0: DefaultMinRefresh;
	// negative: none). Every token with an unknown kid or a bad signature asks go-oidc for a
	// fetch; without this bound, forged tokens would make the service hammer the provider.
	MinRefresh time.Duration
}

// DefaultMinRefresh bounds the JWKS fetches caused by unknown kids to one per 5 seconds: a
// rotation is picked up within that, a flood of forged tokens costs the provider nothing.
const DefaultMinRefresh = 5 * time.Second

// Algorithms are the only signature algorithms accepted: never none, never an HMAC (whose
// "key" would be the provider's public key, known to everyone).
var Algorithms = []string{oidc.RS256, oidc.ES256}

// Skew is the clock difference tolerated on exp and nbf.
const Skew = 30 * time.Second

// Verifier checks access tokens against the provider's discovery document and JWKS. The keys
// are cached; a token naming a kid the cache lacks makes one fetch of the JWKS (go-oidc's
// RemoteKeySet, which also merges concurrent fetches), so a rotation at the provider is picked
// up without a restart, and a kid the provider does not have is refused after that one fetch.
type Verifier struct {
	cfg     TokenConfig
	v       *oidc.IDTokenVerifier
	jwksURL string
	client  *http.Client
	now     func() time.Time

	// seen holds the tokens verified lately, by SHA-256, with their caller and expiry: an
	// agent's token serves many requests in its lifetime, and the signature check is most of
	// the cost. Times are checked again on every use.
	mu   sync.Mutex
	seen map[[sha256.Size]byte]verified
}

type verified struct {
	id       Identity
	exp, nbf time.Time
}

// maxSeen bounds the cache of verified tokens; when full it is emptied.
const maxSeen = 10000

// ParseRoleMap reads "role:ProviderName[,role:ProviderName…]" (OIDC_ROLE_MAP); a provider
// name may be given for several entries of one role.
func ParseRoleMap(s string) (map[string]string, error) {
	m := map[string]string{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		role, name, ok := strings.Cut(part, ":")
		if !ok || name == "" || !knownRole(role) {
			return nil, fmt.Errorf("OIDC_ROLE_MAP: want role:ProviderName entries with a role among %s, got %q",
				strings.Join(Roles, ", "), part)
		}
		if prev, dup := m[name]; dup && prev != role {
			return nil, fmt.Errorf("OIDC_ROLE_MAP: %q is mapped to both %s and %s", name, prev, role)
		}
		m[name] = role
	}
	return m, nil
}

// NewVerifier reads the provider's discovery document (the provider must answer at start).
func NewVerifier(ctx context.Context, cfg TokenConfig) (*Verifier, error) {
	if cfg.AgentClaim == "" {
		cfg.AgentClaim = "preferred_username"
	}
	if cfg.RolesClaim == "" {
		cfg.RolesClaim = "roles"
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 5 * time.Second}
	}
	if cfg.Audience == "" {
		return nil, fmt.Errorf("OIDC_AUDIENCE is required with OIDC_ISSUER")
	}
	if cfg.MinRefresh == 0 {
		cfg.MinRefresh = DefaultMinRefresh
	}
	if cfg.MinRefresh > 0 {
		c := *cfg.Client
		c.Transport = &throttle{next: c.Transport, min: cfg.MinRefresh}
		cfg.Client = &c
	}
	ctx = oidc.ClientContext(ctx, cfg.Client)
	p, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("OIDC_ISSUER: discovery: %w", err)
	}
	var meta struct {
		JWKS string `json:"jwks_uri"`
	}
	if err := p.Claims(&meta); err != nil || meta.JWKS == "" {
		return nil, fmt.Errorf("OIDC_ISSUER: the discovery document names no jwks_uri")
	}
	if t, ok := cfg.Client.Transport.(*throttle); ok {
		t.url = meta.JWKS
	}
	keys := oidc.NewRemoteKeySet(ctx, meta.JWKS)
	v := &Verifier{cfg: cfg, jwksURL: meta.JWKS, client: cfg.Client, now: cfg.Now, seen: map[[sha256.Size]byte]verified{}}
	if v.now == nil {
		v.now = time.Now
	}
	// Expiry and not-before are checked below with Skew: go-oidc allows 5 minutes on nbf.
	v.v = oidc.NewVerifier(cfg.Issuer, keys, &oidc.Config{ClientID: cfg.Audience,
		SupportedSigningAlgs: Algorithms, SkipExpiryCheck: true})
	return v, nil
}

// tokenClaims are the claims read beyond go-oidc's.
type tokenClaims struct {
	Exp  *float64 `json:"exp"`
	Nbf  *float64 `json:"nbf"`
	Name string   `json:"name"`
}

// Verify checks a token and returns its caller. Reasons name the check that failed, never the
// token.
func (v *Verifier) Verify(ctx context.Context, raw string) (Identity, *Refusal) {
	key := sha256.Sum256([]byte(raw))
	v.mu.Lock()
	hit, ok := v.seen[key]
	v.mu.Unlock()
	if ok {
		if no := v.times(hit.exp, hit.nbf); no != nil {
			return Identity{}, no
		}
		return hit.id, nil
	}
	id, exp, nbf, no := v.verify(ctx, raw)
	if no == nil {
		v.mu.Lock()
		if len(v.seen) >= maxSeen {
			clear(v.seen)
		}
		v.seen[key] = verified{id: id, exp: exp, nbf: nbf}
		v.mu.Unlock()
	}
	return id, no
}

// times checks exp and nbf against the clock, with Skew.
func (v *Verifier) times(exp, nbf time.Time) *Refusal {
	now := v.now()
	switch {
	case now.Add(-Skew).After(exp):
		return unauthorized("invalid token: expired")
	case !nbf.IsZero() && now.Add(Skew).Before(nbf):
		return unauthorized("invalid token: not valid yet (nbf)")
	}
	return nil
}

// verify checks a token the cache does not hold.
func (v *Verifier) verify(ctx context.Context, raw string) (id Identity, exp, nbf time.Time, no *Refusal) {
	fail := func(r *Refusal) (Identity, time.Time, time.Time, *Refusal) { return Identity{}, exp, nbf, r }
	tok, err := v.v.Verify(oidc.ClientContext(ctx, v.client), raw)
	if err != nil {
		return fail(unauthorized("invalid token: " + reason(err)))
	}
	var c tokenClaims
	var all map[string]json.RawMessage
	if tok.Claims(&c) != nil || tok.Claims(&all) != nil {
		return fail(unauthorized("invalid token: unreadable claims"))
	}
	if c.Exp == nil {
		return fail(unauthorized("invalid token: no exp"))
	}
	exp = time.Unix(int64(*c.Exp), 0)
	if c.Nbf != nil {
		nbf = time.Unix(int64(*c.Nbf), 0)
	}
	if no := v.times(exp, nbf); no != nil {
		return fail(no)
	}
	var agent string
	if json.Unmarshal(all[v.cfg.AgentClaim], &agent) != nil || !agentIDPattern.MatchString(agent) || apperr.Personal(agent) {
		return fail(unauthorized("invalid token: claim " + v.cfg.AgentClaim + " is not an agent id"))
	}
	names, ok := roleNames(all[v.cfg.RolesClaim])
	if !ok {
		return fail(unauthorized("invalid token: claim " + v.cfg.RolesClaim + " is neither a string nor a list of strings"))
	}
	id = Identity{AgentID: agent, Proof: ProofToken, Name: c.Name}
	id.Role = v.role(names)
	if id.Role == "" {
		return id, exp, nbf, &Refusal{Code: apperr.Forbidden, Reason: "the token carries no role createinfo knows (" +
			strings.Join(Roles, ", ") + " through OIDC_ROLE_MAP)"}
	}
	return id, exp, nbf, nil
}

// role is the least privileged of createinfo's roles that names map to, "" when none.
func (v *Verifier) role(names []string) string {
	held := map[string]bool{}
	for _, n := range names {
		if r, ok := v.cfg.RoleMap[n]; ok {
			held[r] = true
		}
	}
	for _, r := range Roles {
		if held[r] {
			return r
		}
	}
	return ""
}

// roleNames reads a roles claim: absent (no roles), one string, or a list of strings.
func roleNames(raw json.RawMessage) ([]string, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, true
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, true
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list, true
	}
	return nil, false
}

// reason is a short, token-free account of go-oidc's error.
func reason(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "malformed jwt"), strings.Contains(msg, "unexpected signature algorithm"):
		return "malformed, or signed with an algorithm other than " + strings.Join(Algorithms, " or ")
	case strings.Contains(msg, "different provider"):
		return "wrong issuer"
	case strings.Contains(msg, "expected audience"):
		return "wrong audience"
	case strings.Contains(msg, "fetching keys"):
		return "signed by a key not in the cache, and the provider's keys cannot be fetched"
	case strings.Contains(msg, "signature"):
		return "bad signature or unknown key"
	}
	return "unreadable"
}

// Reachable reports whether the provider's JWKS answers now (readiness). Tokens signed by the
// cached keys are accepted while it does not; a new key is not.
func (v *Verifier) Reachable(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.jwksURL, nil)
	if err != nil {
		return err
	}
	req.Header.Set("X-Readiness", "1") // past the throttle: readiness asks the provider itself
	resp, err := v.client.Do(req)
	if err != nil {
		return fmt.Errorf("identity provider unreachable: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("identity provider's JWKS answered %d", resp.StatusCode)
	}
	return nil
}

// throttle answers a fetch of the JWKS made less than min after the last one with that one's
// body, without asking the provider; other requests (discovery, readiness) pass.
type throttle struct {
	next http.RoundTripper
	min  time.Duration
	url  string

	mu   sync.Mutex
	at   time.Time
	body []byte
}

func (t *throttle) RoundTrip(req *http.Request) (*http.Response, error) {
	next := t.next
	if next == nil {
		next = http.DefaultTransport
	}
	if req.URL.String() != t.url || req.Header.Get("X-Readiness") != "" {
		return next.RoundTrip(req)
	}
	t.mu.Lock()
	defer t.mu.Unlock() // one fetch at a time: go-oidc already merges concurrent ones
	if t.body != nil && time.Since(t.at) < t.min {
		return &http.Response{StatusCode: http.StatusOK, Status: "200 OK", Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(bytes.NewReader(t.body)), Request: req}, nil
	}
	resp, err := next.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	t.at, t.body = time.Now(), b
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, nil
}
