// Package auth checks who is calling and with which role. Two kinds of credentials arrive as
// "Authorization: Bearer …": an access token (a JWT) from the bank's OpenID Provider, which
// proves the agent (token.go), and an API key of a calling system, configured only as the
// SHA-256 of its secret, whose holder asserts the agent it acts for in X-Agent-Id. The
// identity rides in the request's context for the layers that mask and audit.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"createinfo/internal/apperr"
)

// createinfo's roles. An agent sees personal data masked and reveals one application at a
// time with a reason; an integration (a legacy calling system) sees it in clear.
const (
	RoleAgent       = "agent"
	RoleIntegration = "integration"
)

// Roles are the roles createinfo knows, least privileged first: a caller holding several gets
// the first.
var Roles = []string{RoleAgent, RoleIntegration}

func knownRole(r string) bool {
	for _, k := range Roles {
		if k == r {
			return true
		}
	}
	return false
}

// How an identity was established, as the audit row records it.
const (
	ProofToken = "token" // the agent is the token's claim, signed by the provider
	ProofKey   = "key"   // the agent is what the key's holder wrote in X-Agent-Id
	ProofNone  = "none"  // authentication is off (development)
)

// Key is one calling system's key: an id, the SHA-256 of its secret, and its role.
type Key struct {
	ID   string
	Hash [sha256.Size]byte
	Role string
}

var (
	keyIDPattern   = regexp.MustCompile(`^[0-9A-Za-z._-]{1,64}$`)
	agentIDPattern = regexp.MustCompile(`^[0-9A-Za-z._@-]{1,64}$`)
)

// ParseKeys reads "id:hexsha256[:role][,…]" (the API_KEYS setting); the role defaults to
// integration, what every key was before roles.
func ParseKeys(s string) ([]Key, error) {
	var keys []Key
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		id, hexHash, ok := strings.Cut(part, ":")
		if !ok || !keyIDPattern.MatchString(id) {
			return nil, fmt.Errorf("API_KEYS: want id:hex-sha256[:role] entries, got an entry with id %q", id)
		}
		hexHash, role, _ := strings.Cut(hexHash, ":")
		if role == "" {
			role = RoleIntegration
		}
		if !knownRole(role) {
			return nil, fmt.Errorf("API_KEYS: key %s: role %q is none of %s", id, role, strings.Join(Roles, ", "))
		}
		raw, err := hex.DecodeString(hexHash)
		if err != nil || len(raw) != sha256.Size {
			return nil, fmt.Errorf("API_KEYS: key %s: the hash must be 64 hex digits (SHA-256 of the secret, never the secret)", id)
		}
		if seen[id] {
			return nil, fmt.Errorf("API_KEYS: key id %s appears twice", id)
		}
		seen[id] = true
		k := Key{ID: id, Role: role}
		copy(k.Hash[:], raw)
		keys = append(keys, k)
	}
	return keys, nil
}

// NewKey makes a random secret and its configuration entry.
func NewKey(id string) (secret, entry string, err error) {
	if !keyIDPattern.MatchString(id) {
		return "", "", fmt.Errorf("key id must match %s", keyIDPattern)
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	secret = hex.EncodeToString(b)
	sum := sha256.Sum256([]byte(secret))
	return secret, id + ":" + hex.EncodeToString(sum[:]), nil
}

// Identity is who made a request.
type Identity struct {
	// KeyID is the API key's id ("" for a token or with authentication off).
	KeyID string
	// AgentID is the agent: the token's agent claim, or X-Agent-Id for a key.
	AgentID string
	// Role is one of Roles ("" only on a refusal).
	Role string
	// Proof is how AgentID was established: ProofToken, ProofKey or ProofNone.
	Proof string
	// Name is the agent's display name from the token ("" otherwise).
	Name string
	// Asserted is an X-Agent-Id that a token caller sent and that differs from the token's
	// agent: ignored, and recorded (someone tried to name another agent).
	Asserted string
}

// Refusal is why a request is refused: UNAUTHORIZED (no valid credentials) or FORBIDDEN
// (valid credentials without a role createinfo knows). Reason is safe to show and to log: it
// never holds the credentials.
type Refusal struct {
	Code   apperr.Code
	Reason string
}

func unauthorized(reason string) *Refusal { return &Refusal{Code: apperr.Unauthorized, Reason: reason} }

type ctxKey struct{}

// NewContext returns ctx carrying id.
func NewContext(ctx context.Context, id Identity) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// FromContext is the request's identity; outside an authenticated request, an integration
// with no agent (in-process callers: tests, tools).
func FromContext(ctx context.Context) Identity {
	if id, ok := ctx.Value(ctxKey{}).(Identity); ok {
		return id
	}
	return Identity{Role: RoleIntegration, Proof: ProofNone}
}

// Checker authenticates requests against a set of keys and, when set, the provider's tokens.
// With neither, authentication is off (development only; config refuses production without
// credentials): every caller is the open identity.
type Checker struct {
	keys   []Key
	tokens *Verifier
	open   *Identity
}

// NewChecker returns a checker of keys. Without keys or tokens its callers are integrations
// naming their agent in X-Agent-Id, as before roles existed; OpenAs changes that.
func NewChecker(keys []Key) *Checker { return &Checker{keys: keys} }

// WithTokens makes c accept the provider's access tokens too.
func (c *Checker) WithTokens(v *Verifier) *Checker {
	c.tokens = v
	return c
}

// OpenAs makes id the caller of every request while authentication is off.
func (c *Checker) OpenAs(id Identity) *Checker {
	id.Proof = ProofNone
	c.open = &id
	return c
}

// Agents reports whether some callers may be agents (their personal data masked): token
// callers, keys with the agent role, or the open identity.
func (c *Checker) Agents() bool {
	if c.tokens != nil || !c.Enabled() && c.open != nil && c.open.Role == RoleAgent {
		return true
	}
	for _, k := range c.keys {
		if k.Role == RoleAgent {
			return true
		}
	}
	return false
}

// Tokens is the token verifier, nil when tokens are not accepted.
func (c *Checker) Tokens() *Verifier { return c.tokens }

// Enabled reports whether credentials are required.
func (c *Checker) Enabled() bool { return len(c.keys) > 0 || c.tokens != nil }

// DevIdentity is the caller of `make run` (no provider, no keys): an agent, so that the demo
// shows masking and reveal.
var DevIdentity = Identity{AgentID: "dev", Role: RoleAgent, Name: "dev"}

// MaxCredentialBytes bounds the Authorization header: a larger one is refused unread.
const MaxCredentialBytes = 8 << 10

// Check returns the identity of r, or why it is refused.
func (c *Checker) Check(r *http.Request) (Identity, *Refusal) {
	agent := r.Header.Get("X-Agent-Id")
	// An agent id is logged and stored in clear: one holding a phone or ID number is refused
	// like a malformed one, never kept.
	wellFormed := agentIDPattern.MatchString(agent) && !apperr.Personal(agent)
	if !c.Enabled() {
		if c.open != nil {
			return *c.open, nil
		}
		if !wellFormed {
			agent = ""
		}
		return Identity{AgentID: agent, Role: RoleIntegration, Proof: ProofNone}, nil
	}
	q := r.URL.Query()
	if q.Has("access_token") || q.Has("token") {
		return Identity{}, unauthorized("credentials in the URL are refused (they end up in logs): send Authorization: Bearer <token>")
	}
	header := r.Header.Get("Authorization")
	if len(header) > MaxCredentialBytes {
		return Identity{}, unauthorized(fmt.Sprintf("credentials over %d bytes", MaxCredentialBytes))
	}
	secret, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || secret == "" {
		return Identity{}, unauthorized("missing credentials: send Authorization: Bearer <token or key>")
	}
	if strings.Contains(secret, ".") { // a JWT; key secrets are hex
		if c.tokens == nil {
			return Identity{}, unauthorized("wrong credentials")
		}
		id, no := c.tokens.Verify(r.Context(), secret)
		if no == nil && agent != "" && agent != id.AgentID {
			id.Asserted = agent
			if !wellFormed { // never kept: it may hold a phone or ID number
				id.Asserted = "(malformed)"
			}
		}
		return id, no
	}
	sum := sha256.Sum256([]byte(secret))
	var match *Key
	for i := range c.keys { // compare with every key, in constant time, whatever matches
		if subtle.ConstantTimeCompare(sum[:], c.keys[i].Hash[:]) == 1 {
			match = &c.keys[i]
		}
	}
	if match == nil {
		return Identity{}, unauthorized("wrong credentials")
	}
	if !wellFormed {
		return Identity{KeyID: match.ID, Role: match.Role, Proof: ProofKey},
			unauthorized("missing or malformed X-Agent-Id: name the agent making the lookup (never by a phone or ID number)")
	}
	return Identity{KeyID: match.ID, AgentID: agent, Role: match.Role, Proof: ProofKey}, nil
}
