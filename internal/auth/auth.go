// Package auth checks who is calling: an API key of a calling system, sent as
// "Authorization: Bearer <secret>" and configured only as the SHA-256 of the secret, and the
// customer-service agent on whose behalf it asks (X-Agent-Id).
package auth

import (
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

// Key is one calling system's key: an id, and the SHA-256 of its secret.
type Key struct {
	ID   string
	Hash [sha256.Size]byte
}

var (
	keyIDPattern   = regexp.MustCompile(`^[0-9A-Za-z._-]{1,64}$`)
	agentIDPattern = regexp.MustCompile(`^[0-9A-Za-z._@-]{1,64}$`)
)

// ParseKeys reads "id:hexsha256[,id:hexsha256…]" (the API_KEYS setting).
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
			return nil, fmt.Errorf("API_KEYS: want id:hex-sha256 entries, got an entry with id %q", id)
		}
		raw, err := hex.DecodeString(hexHash)
		if err != nil || len(raw) != sha256.Size {
			return nil, fmt.Errorf("API_KEYS: key %s: the hash must be 64 hex digits (SHA-256 of the secret, never the secret)", id)
		}
		if seen[id] {
			return nil, fmt.Errorf("API_KEYS: key id %s appears twice", id)
		}
		seen[id] = true
		k := Key{ID: id}
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
	KeyID, AgentID string
}

// Checker authenticates requests against a set of keys. With no keys, authentication is off
// (development only; config refuses production without keys), and only the agent header is
// read.
type Checker struct {
	keys []Key
}

// NewChecker returns a checker of keys.
func NewChecker(keys []Key) *Checker { return &Checker{keys: keys} }

// Enabled reports whether keys are required.
func (c *Checker) Enabled() bool { return len(c.keys) > 0 }

// Check returns the identity of r, or why it is refused (a message safe to show).
func (c *Checker) Check(r *http.Request) (Identity, string) {
	agent := r.Header.Get("X-Agent-Id")
	// An agent id is logged and stored in clear: one holding a phone or ID number is refused
	// like a malformed one, never kept.
	wellFormed := agentIDPattern.MatchString(agent) && !apperr.Personal(agent)
	if !c.Enabled() {
		if !wellFormed {
			agent = ""
		}
		return Identity{AgentID: agent}, ""
	}
	secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || secret == "" {
		return Identity{}, "missing credentials: send Authorization: Bearer <key>"
	}
	sum := sha256.Sum256([]byte(secret))
	var match *Key
	for i := range c.keys { // compare with every key, in constant time, whatever matches
		if subtle.ConstantTimeCompare(sum[:], c.keys[i].Hash[:]) == 1 {
			match = &c.keys[i]
		}
	}
	if match == nil {
		return Identity{}, "wrong credentials"
	}
	if !wellFormed {
		return Identity{KeyID: match.ID}, "missing or malformed X-Agent-Id: name the agent making the lookup (never by a phone or ID number)"
	}
	return Identity{KeyID: match.ID, AgentID: agent}, ""
}
