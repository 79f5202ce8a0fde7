package console_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"createinfo/internal/console"
	"createinfo/internal/server"
	"createinfo/tools/servertest"
)

// TestGraphiQLOffline opens GraphiQL (development) in Chromium and runs its default query
// against the demo data: the page and everything it loads come from the server (the tab
// fails the test on any request to another host, any error the page logs, a CSP violation
// included), so it works on a network that reaches nothing else.
func TestGraphiQLOffline(t *testing.T) {
	env := servertest.New(t)
	p := openTab(t, env.URL)
	p.do(chromedp.Navigate(env.URL + "/"))
	p.waitFor(`document.querySelector('.graphiql-execute-button') !== null`)
	// The schema arrived: the documentation explorer lists the root types.
	eval[bool](p, `(document.querySelector('[aria-label="Show Documentation Explorer"]').click(), true)`)
	p.waitFor(`(document.querySelector('.graphiql-doc-explorer') || {}).textContent.includes('Root Types')`)
	eval[bool](p, `(document.querySelector('.graphiql-execute-button').click(), true)`)
	p.waitFor(`(document.querySelector('.result-window') || {}).textContent.includes('"seqNo"')`)
	result := eval[string](p, `document.querySelector('.result-window').textContent`)
	if !strings.Contains(result, `"0A80d1d572650511ea8a30acde48001122"`) || strings.Contains(result, `"errors"`) {
		t.Errorf("GraphiQL's result: %.300s", result)
	}
	if !p.requested("/graphiql/vendor/graphiql.min.js") || !p.requested("/graphql") {
		t.Errorf("the page did not load GraphiQL from the server or did not query /graphql")
	}

	// Same headers as the console; nothing in production.
	resp, err := http.Get(env.URL + "/graphiql/vendor/react.production.min.js")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Content-Security-Policy"); resp.StatusCode != 200 || got != console.ContentSecurityPolicy {
		t.Errorf("asset: %d, CSP %q", resp.StatusCode, got)
	}
	prod := servertest.New(t, func(o *server.Options) { o.Development = false })
	for _, path := range []string{"/", "/graphiql/vendor/graphiql.min.js", "/graphiql/page.js"} {
		resp, err := http.Get(prod.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("production: GET %s: %d, want 404", path, resp.StatusCode)
		}
	}
}
