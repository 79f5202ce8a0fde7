// Package oidc starts the tests' OpenID Provider, node-oidc-provider (OpenID Certified, see
// provider.mjs), as a process on a free loopback port, as dbtest starts PostgreSQL, and gets
// real tokens from it: client_credentials for integration clients, authorization code with PKCE
// through the provider's sign-in form for agents. Keys are made here and handed to the
// provider, so that a test can rotate them (Restart) and forge tokens under a key the provider
// never had. scripts/oidc.sh installs its packages (make test runs it).
package oidc

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Audience is the audience of the tests' and the demo's access tokens (OIDC_AUDIENCE).
const Audience = "urn:createinfo"

// OtherAudience is a resource the provider also issues tokens for: a token for it is a real
// token with the wrong audience.
const OtherAudience = "urn:other-service"

// Account is an agent who can sign in: roles goes into the token's roles claim as given (any
// JSON value, so that a test can give it the wrong type).
type Account struct {
	Name  string `json:"name,omitempty"`
	Roles any    `json:"roles,omitempty"`
}

// Client is a client of the provider: with a Secret, an integration system using
// client_credentials; without, a public client using authorization code with PKCE.
type Client struct {
	ID           string   `json:"client_id"`
	Secret       string   `json:"client_secret,omitempty"`
	Roles        any      `json:"roles,omitempty"`
	Alg          string   `json:"alg,omitempty"` // RS256 (default) or ES256
	TTL          int      `json:"ttl,omitempty"` // access token lifetime in seconds (default 600)
	RedirectURIs []string `json:"redirect_uris,omitempty"`
}

// Config is what the provider serves.
type Config struct {
	Accounts map[string]Account
	Clients  []Client
}

// Key is a signing key of the provider.
type Key struct {
	jose.JSONWebKey
}

// NewRSAKey makes a 2048-bit RS256 key named kid.
func NewRSAKey(kid string) Key {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return Key{jose.JSONWebKey{Key: k, KeyID: kid, Algorithm: "RS256", Use: "sig"}}
}

// NewECKey makes a P-256 ES256 key named kid.
func NewECKey(kid string) Key {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return Key{jose.JSONWebKey{Key: k, KeyID: kid, Algorithm: "ES256", Use: "sig"}}
}

// Provider is a running provider.
type Provider struct {
	Issuer string
	cfg    Config
	dir    string
	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	log    *bytes.Buffer
}

// Dir is the folder of provider.mjs and its packages.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}

// Start starts a provider signing with keys (the first of each algorithm signs), stopped when
// the test ends.
func Start(t testing.TB, cfg Config, keys ...Key) *Provider {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the OpenID Provider process (and PostgreSQL): not under -short")
	}
	if _, err := os.Stat(filepath.Join(Dir(), "node_modules", "oidc-provider")); err != nil {
		t.Fatal("oidc: the provider's packages are missing: run scripts/oidc.sh (make test does)")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cfg.Clients = append([]Client(nil), cfg.Clients...) // SetRedirects edits its own copy
	p := &Provider{Issuer: fmt.Sprintf("http://127.0.0.1:%d", port), cfg: cfg, dir: t.TempDir()}
	p.start(t, keys)
	t.Cleanup(p.Stop)
	return p
}

// SetRedirects makes uris the redirect URIs of the public client id (a service whose address
// is known only once it runs) and restarts the provider with keys.
func (p *Provider) SetRedirects(t testing.TB, id string, uris []string, keys ...Key) {
	t.Helper()
	for i := range p.cfg.Clients {
		if p.cfg.Clients[i].ID == id {
			p.cfg.Clients[i].RedirectURIs = uris
		}
	}
	p.Restart(t, keys...)
}

// Restart stops the provider and starts it again on the same issuer with another set of keys:
// a key rotation as the service sees it (new kid in tokens and in the JWKS).
func (p *Provider) Restart(t testing.TB, keys ...Key) {
	t.Helper()
	p.Stop()
	p.start(t, keys)
}

func (p *Provider) start(t testing.TB, keys []Key) {
	t.Helper()
	jwks := map[string]any{"keys": keys}
	file := map[string]any{"issuer": p.Issuer, "audience": Audience, "resources": []string{OtherAudience},
		"accounts": p.cfg.Accounts, "clients": p.cfg.Clients, "jwks": jwks}
	if len(keys) == 0 {
		delete(file, "jwks")
	}
	b, err := json.Marshal(file)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(p.dir, "provider.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", filepath.Join(Dir(), "provider.mjs"), path)
	p.log = new(bytes.Buffer)
	cmd.Stdout, cmd.Stderr = p.log, p.log
	if err := cmd.Start(); err != nil {
		t.Fatalf("oidc: start node: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	p.mu.Lock()
	p.cmd, p.exited = cmd, exited
	p.mu.Unlock()
	// Ready when the discovery document answers (polled; node takes about a second).
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(p.Issuer + "/.well-known/openid-configuration")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-exited:
			t.Fatalf("oidc: the provider exited:\n%s", p.log)
		default:
		}
		if time.Now().After(deadline) {
			p.Stop()
			t.Fatalf("oidc: no discovery document after 30s:\n%s", p.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop stops the provider (the service then cannot reach it).
func (p *Provider) Stop() {
	p.mu.Lock()
	cmd, exited := p.cmd, p.exited
	p.cmd = nil
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Kill()
	<-exited
}

// ClientToken gets an access token for audience by client_credentials.
func (p *Provider) ClientToken(t testing.TB, id, secret, audience string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"lookup"}, "resource": {audience}}
	req, _ := http.NewRequest(http.MethodPost, p.Issuer+"/token", strings.NewReader(form.Encode()))
	req.SetBasicAuth(id, secret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return p.token(t, req)
}

func (p *Provider) token(t testing.TB, req *http.Request) string {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("oidc: token: %v", err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	json.NewDecoder(resp.Body).Decode(&body)
	if body.AccessToken == "" {
		t.Fatalf("oidc: no token (%d): %s %s", resp.StatusCode, body.Error, body.Description)
	}
	return body.AccessToken
}

var formAction = regexp.MustCompile(`<form[^>]*action="([^"]+)"`)

// SignIn signs login in through the provider's sign-in form as the public client clientID
// would in a browser (authorization code with PKCE, S256) and returns the access token.
func (p *Provider) SignIn(t testing.TB, clientID, redirectURI, login string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	var code string
	c := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), redirectURI) {
			code = req.URL.Query().Get("code")
			return http.ErrUseLastResponse
		}
		return nil
	}}
	verifier := base64.RawURLEncoding.EncodeToString(randomBytes(32))
	sum := sha256.Sum256([]byte(verifier))
	auth := p.Issuer + "/auth?" + url.Values{"client_id": {clientID}, "response_type": {"code"}, "scope": {"openid profile lookup"},
		"redirect_uri": {redirectURI}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"}, "resource": {Audience}, "state": {"s"}}.Encode()
	resp, err := c.Get(auth)
	if err != nil {
		t.Fatalf("oidc: authorize: %v", err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := formAction.FindSubmatch(page)
	if m == nil {
		t.Fatalf("oidc: no sign-in form (%d): %.300s", resp.StatusCode, page)
	}
	action, _ := url.Parse(string(m[1]))
	resp, err = c.PostForm(resp.Request.URL.ResolveReference(action).String(),
		url.Values{"prompt": {"login"}, "login": {login}, "password": {"any"}})
	if err != nil {
		t.Fatalf("oidc: sign in: %v", err)
	}
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if code == "" {
		t.Fatalf("oidc: sign-in of %s ended without a code (%d at %s): %s", login, resp.StatusCode, resp.Request.URL, page)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI},
		"client_id": {clientID}, "code_verifier": {verifier}}
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, p.Issuer+"/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return p.token(t, req)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}
