package console_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"createinfo/graph"
	"createinfo/internal/console"
	"createinfo/tools/servertest"
)

func get(t *testing.T, url string, header ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultTransport.RoundTrip(req) // no redirects followed
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestServedWithItsPolicy(t *testing.T) {
	env := servertest.New(t)
	for _, tc := range []struct {
		path, ctype, cache string
	}{
		{"/console/", "text/html; charset=utf-8", "no-store"},
		{"/console/?phone=0988123456", "text/html; charset=utf-8", "no-store"},
		{"/console/app.js", "text/javascript; charset=utf-8", "no-cache"},
		{"/console/app.css", "text/css; charset=utf-8", "no-cache"},
		{"/console/favicon.svg", "image/svg+xml", "no-cache"},
		{"/console/manifest.json", "application/json; charset=utf-8", "no-cache"},
	} {
		resp, body := get(t, env.URL+tc.path)
		h := resp.Header
		if resp.StatusCode != 200 || h.Get("Content-Type") != tc.ctype || h.Get("Cache-Control") != tc.cache ||
			h.Get("Content-Security-Policy") != console.ContentSecurityPolicy || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("Referrer-Policy") != "no-referrer" || len(body) == 0 {
			t.Errorf("%s: %d %v", tc.path, resp.StatusCode, h)
		}
	}
	// The policy allows this server only.
	for _, directive := range []string{"default-src 'self'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(console.ContentSecurityPolicy, directive) {
			t.Errorf("policy lacks %s", directive)
		}
	}
	if strings.Contains(console.ContentSecurityPolicy, "unsafe") || strings.Contains(console.ContentSecurityPolicy, "http") {
		t.Errorf("policy allows more than the server: %s", console.ContentSecurityPolicy)
	}

	// Assets revalidate by ETag.
	resp, _ := get(t, env.URL+"/console/app.js")
	if again, _ := get(t, env.URL+"/console/app.js", "If-None-Match", resp.Header.Get("ETag")); again.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: %d", again.StatusCode)
	}
	if resp, _ := get(t, env.URL+"/console/nothing.js"); resp.StatusCode != 404 || resp.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("unknown asset: %d", resp.StatusCode)
	}
	if resp, _ := get(t, env.URL+"/console"); resp.StatusCode/100 != 3 || resp.Header.Get("Location") != "/console/" {
		t.Errorf("/console: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := env.Post(t, "/console/app.js", "text/plain", "x"); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST to an asset: %d", resp.StatusCode)
	}
	// A posted deep link: the page, the conditions in its meta element, escaped; nothing else
	// of the body.
	resp, posted := env.Post(t, "/console/", "application/x-www-form-urlencoded", `phone=0988123456&seqNo=%22%3E%3Cscript%3E&other=x`)
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("Content-Security-Policy") == "" ||
		!strings.Contains(string(posted), `<meta name="createinfo-deep-link" content="phone=0988123456&amp;seqNo=%22%3E%3Cscript%3E">`) ||
		strings.Contains(string(posted), "other") {
		t.Errorf("posted deep link: %d %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	if resp, _ := env.Post(t, "/console/", "application/x-www-form-urlencoded", strings.Repeat("x", 5000)); resp.StatusCode != 400 {
		t.Errorf("an oversized posted link: %d", resp.StatusCode)
	}

	// The page's document hash comes from the manifest, which holds the console's documents
	// and the legacy one.
	_, body := get(t, env.URL+"/console/manifest.json")
	var m struct {
		Operations []struct{ ID, Name, Body string }
	}
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, op := range m.Operations {
		if graph.HashDocument(op.Body) != op.ID {
			t.Errorf("%s: id is not the SHA-256 of its body", op.Name)
		}
		found[op.Name] = true
	}
	if !found[console.LookupOperation] || !found["GetCreateInfo"] {
		t.Errorf("manifest operations: %v", found)
	}
}

// The page holds no inline script or style (the policy would block them) and loads nothing
// from another host.
func TestPageHasNoInlineCodeOrOtherHosts(t *testing.T) {
	env := servertest.New(t)
	for _, path := range []string{"/console/", "/console/app.js", "/console/codes.js", "/console/auth.js", "/console/app.css"} {
		_, body := get(t, env.URL+path)
		for _, bad := range []string{"http://", "https://", "//cdn", " style=", "innerHTML", "eval("} {
			if strings.Contains(body, bad) {
				t.Errorf("%s contains %q", path, bad)
			}
		}
		if path == "/console/" && strings.Count(body, "<script") != strings.Count(body, `<script src="app.js"`)+strings.Count(body, `<script src="codes.js"`)+strings.Count(body, `<script src="auth.js"`) {
			t.Errorf("inline script in the page")
		}
	}
}
