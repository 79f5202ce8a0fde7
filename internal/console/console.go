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
	"html"
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
	page := assets[""].body
	if !bytes.Contains(page, []byte(`<script src="app.js"`)) {
		return nil, fmt.Errorf("console: index.html lacks the script element a posted deep link goes before")
	}

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		SecurityHeaders(h)
		h.Set("Content-Security-Policy", csp) // the issuer's origin too, with sign-in
		if r.Method == http.MethodPost && r.URL.Path == Path {
			postedLink(w, r, page)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			if r.URL.Path == Path {
				h.Set("Allow", "GET, HEAD, POST")
			}
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

// linkFields are the conditions a deep link may carry, as the page's form names them.
var linkFields = []string{"phone", "idno", "seqNo"}

// maxLinkBytes bounds a posted deep link's body: three short conditions.
const maxLinkBytes = 4 << 10

// linkMeta is where the page finds a posted deep link; app.js reads it and removes it.
const linkMeta = `<meta name="createinfo-deep-link" content="`

// postedLink answers a deep link posted by the telephony system (an HTML form with method
// POST, fields phone, idno, seqNo, urlencoded) with the page, the conditions carried in a meta
// element of the page. The address stays /console/: unlike ?phone=… or #phone=…, which
// Chromium's history keeps whatever the page does after (TestDeepLinkHistory), a posted body is
// not part of any URL the browser records.
func postedLink(w http.ResponseWriter, r *http.Request, page []byte) {
	r.Body = http.MaxBytesReader(w, r.Body, maxLinkBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "post the deep link as an urlencoded form of phone, idno, seqNo", http.StatusBadRequest)
		return
	}
	link := url.Values{}
	for _, f := range linkFields {
		if v := r.PostForm.Get(f); v != "" {
			link.Set(f, v)
		}
	}
	meta := linkMeta + html.EscapeString(link.Encode()) + `">` + "\n"
	out := bytes.Replace(page, []byte(`<script src="app.js"`), []byte(meta+`<script src="app.js"`), 1)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(out)
}
