// Package console serves the customer-service console (客服主控台) at /console/: one page of
// plain HTML, CSS and JavaScript embedded in the binary, that looks up applications through
// /graphql with the trusted documents in documents/ and shows them with personal data masked.
// The page asks no other host for anything, and its Content-Security-Policy forbids it to.
package console

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"
	"time"
)

// Path is where the console is served.
const Path = "/console/"

//go:embed static
var static embed.FS

//go:embed documents/*.graphql
var documents embed.FS

// Documents returns the text of each of the console's GraphQL documents, the documents the
// service trusts besides the legacy one.
func Documents() []string {
	names, _ := fs.Glob(documents, "documents/*.graphql")
	sort.Strings(names)
	var out []string
	for _, n := range names {
		b, _ := documents.ReadFile(n)
		out = append(out, string(b))
	}
	return out
}

// LookupDocument is the console's lookup, the document its screen sends for every search.
func LookupDocument() string {
	b, _ := documents.ReadFile("documents/lookup.graphql")
	return string(b)
}

// LookupOperation is the name of the operation in LookupDocument.
const LookupOperation = "ConsoleLookup"

// ContentSecurityPolicy allows the page its own scripts, styles, images and /graphql, and
// nothing from any other host: no CDN, no inline script or style, no framing.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// SecurityHeaders sets the console's Content-Security-Policy and the headers that go with it
// (no sniffing, no referrer, no framing, no cross-origin use); GraphiQL's page gets the same.
func SecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
}

type asset struct {
	body  []byte
	ctype string
	etag  string
	cache string
}

// Auth is how the page signs agents in, served as auth.json (auth.js reads it).
type Auth struct {
	// Issuer, ClientID and Audience: with an Issuer, the page signs agents in at the provider
	// (authorization code with PKCE, the public client ClientID) and sends its access token.
	Issuer   string `json:"issuer,omitempty"`
	ClientID string `json:"clientId,omitempty"`
	Audience string `json:"audience,omitempty"`
	// Reveal: the callers are agents, whose personal data comes masked from the server; the
	// reveal button asks for a reason and calls revealApplication.
	Reveal bool `json:"reveal"`
}

// Handler serves the console under Path. manifest is the trusted-document manifest in its
// JSON form, served as manifest.json: the page reads its document's hash from it. The page
// may connect to auth's issuer besides its own origin.
func Handler(manifest json.Marshaler, auth Auth) (http.Handler, error) {
	assets := map[string]*asset{}
	err := fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := static.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		assets[name] = newAsset(b, mime.TypeByExtension(path.Ext(name)), "no-cache")
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	m, err := manifest.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("console: manifest: %w", err)
	}
	assets["manifest.json"] = newAsset(m, "application/json; charset=utf-8", "no-cache")
	a, _ := json.Marshal(auth) // strings and a bool: cannot fail
	assets["auth.json"] = newAsset(a, "application/json; charset=utf-8", "no-cache")
	csp := ContentSecurityPolicy
	if u, err := url.Parse(auth.Issuer); err == nil && auth.Issuer != "" {
		csp = strings.Replace(csp, "connect-src 'self'", "connect-src 'self' "+u.Scheme+"://"+u.Host, 1)
	}
	// The page itself: never stored (its address may carry a deep link's phone number).
	assets[""] = assets["index.html"]
	assets[""].cache = "no-store"
	delete(assets, "index.html")

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		SecurityHeaders(h)
		h.Set("Content-Security-Policy", csp) // the issuer's origin too, with sign-in
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "use GET", http.StatusMethodNotAllowed)
			return
		}
		a, ok := assets[strings.TrimPrefix(r.URL.Path, Path)]
		if !ok {
			h.Set("Cache-Control", "no-store")
			http.NotFound(w, r)
			return
		}
		h.Set("Content-Type", a.ctype)
		h.Set("Cache-Control", a.cache)
		if a.cache != "no-store" {
			h.Set("ETag", a.etag)
		}
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
	}), nil
}

func newAsset(b []byte, ctype, cache string) *asset {
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	if strings.HasPrefix(ctype, "text/") && !strings.Contains(ctype, "charset") {
		ctype += "; charset=utf-8"
	}
	sum := sha256.Sum256(b)
	return &asset{body: b, ctype: ctype, etag: `"` + hex.EncodeToString(sum[:16]) + `"`, cache: cache}
}
