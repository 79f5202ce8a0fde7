package console_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"createinfo/internal/auth"
	"createinfo/internal/console"
	"createinfo/internal/server"
	"createinfo/tools/oidc"
	"createinfo/tools/servertest"
)

// The console signs the agent in at the bank's provider (authorization code with PKCE, a
// public client), shows the agent's name, gets personal data masked by the server, reveals one
// application with a reason (its own audit row), goes back through sign-in without losing the
// conditions when its token is refused, and signs out.
func TestSignInThroughTheProvider(t *testing.T) {
	key := oidc.NewRSAKey("k1")
	idp := oidc.Start(t, oidc.Config{
		Accounts: map[string]oidc.Account{"agent001": {Name: "林小華", Roles: []string{"CS-Agents"}}},
		Clients:  []oidc.Client{{ID: "console", RedirectURIs: []string{"http://127.0.0.1:9/console/"}}},
	}, key)
	v, err := auth.NewVerifier(context.Background(), auth.TokenConfig{Issuer: idp.Issuer, Audience: oidc.Audience,
		RoleMap: map[string]string{"CS-Agents": auth.RoleAgent}})
	if err != nil {
		t.Fatal(err)
	}
	env := servertest.New(t, func(o *server.Options) {
		o.Auth = auth.NewChecker(nil).WithTokens(v)
		o.Console = console.Auth{Issuer: idp.Issuer, ClientID: "console", Audience: oidc.Audience}
	})
	idp.SetRedirects(t, "console", []string{env.URL + "/console/"}, key)

	p := openTab(t, env.URL)
	// The provider's own sign-in and sign-out pages (node-oidc-provider's development forms)
	// ask for a web font and a favicon the test machine cannot have.
	p.others = []string{idp.Issuer, "https://fonts.googleapis.com"}
	p.expect("ERR_NAME_NOT_RESOLVED")
	p.expect("status of 404")
	p.expect("status of 401")                                       // the refused token, on purpose
	p.do(chromedp.Navigate(env.URL + "/console/?phone=0988123456")) // a deep link, not signed in
	p.waitAcross(`document.querySelector('input[name=login]') !== null`)
	p.do(chromedp.SetValue(`input[name=login]`, "agent001"), chromedp.SetValue(`input[name=password]`, "any"))
	p.leaveBy(`button[type=submit]`)
	p.waitAcross(`window.createinfoConsole && window.createinfoConsole.completed >= 1`)
	if who := eval[string](p, `document.querySelector('#who').hidden ? '' : document.querySelector('#who-agent').textContent`); !strings.Contains(who, "林小華") || !strings.Contains(who, "agent001") {
		t.Fatalf("signed-in agent shown as %q", who)
	}
	if n := eval[int](p, `document.querySelectorAll('#results .app').length`); n != 4 {
		t.Fatalf("%d cards after signing in, want the deep link's 4", n)
	}
	// Masked by the server: nothing clear in the results, the page's storage or its address.
	page := eval[string](p, `document.querySelector('#results').outerHTML + JSON.stringify(sessionStorage) + location.href`)
	for _, clear := range []string{"0988123456", "N123456789", "王小明", "A123456789"} {
		if strings.Contains(page, clear) {
			i := strings.Index(page, clear)
			t.Fatalf("the page holds %q before any reveal: …%s…", clear, page[max(0, i-200):i])
		}
	}
	card := `#results .app[data-seqno="` + sample + `"]`
	if name := eval[string](p, `document.querySelector('`+card+` [data-field=name]').textContent`); name != "王○明" {
		t.Fatalf("masked name %q", name)
	}

	// Reveal, with a reason.
	p.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('` + card + ` .reveal').click()`))
	p.waitAcross(`document.querySelector('#reveal-reason') !== null && document.querySelector('#reveal-reason').open`)
	p.do(chromedp.SetValue(`#reveal-reason-select`, "CUSTOMER_REQUEST"), chromedp.Click(`#reveal-reason-ok`))
	p.waitAcross(`document.querySelector('` + card + `[data-clear]') !== null`)
	got := eval[[]string](p, `['name','idno','phone'].map((f) => document.querySelector('`+card+` [data-field=' + f + ']').textContent)`)
	if strings.Join(got, " ") != "王小明 N123456789 0988123456" {
		t.Fatalf("revealed card shows %v", got)
	}
	if other := eval[string](p, `document.querySelector('#results .app[data-seqno="DEMO-APP-A-01"] [data-field=idno]').textContent`); other != "A12****789" {
		t.Fatalf("another card was revealed too: %q", other)
	}

	// A refused token (expired, revoked): back through sign-in (the provider's session answers
	// at once), and the conditions of the lookup come back with it.
	p.do(chromedp.Evaluate[chromedp.Void](`(() => { const s = JSON.parse(sessionStorage.getItem('createinfo.console.oidc')); s.token = 'x.y.z'; sessionStorage.setItem('createinfo.console.oidc', JSON.stringify(s)); })()`))
	p.do(chromedp.Click(`button[type=reset]`), chromedp.SetValue(`#seqNo`, sample))
	p.leaveBy(`#submit`)
	p.waitAcross(`window.createinfoConsole && window.createinfoConsole.completed >= 1 && document.querySelectorAll('#results .app').length === 1`)
	if seq := eval[string](p, `document.querySelector('#seqNo').value`); seq != sample {
		t.Fatalf("after signing in again the lookup is for %q", seq)
	}

	// Sign out: the page forgets the token, the provider ends its session.
	p.leaveBy(`#sign-out`)
	p.waitAcross(`document.querySelector('button[name=logout]') !== null`)
	p.leaveBy(`button[name=logout]`)
	p.waitAcross(`location.pathname === '/console/' && window.createinfoConsole !== undefined`)
	if state := eval[string](p, `String(sessionStorage.getItem('createinfo.console.oidc')) + document.querySelector('#who').hidden`); state != "nulltrue" {
		t.Fatalf("after signing out: %s", state)
	}

	db, err := sql.Open("pgx", env.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rows []string
	r, err := db.Query(`SELECT agent_id || ' ' || proof || ' ' || operation || ' ' || reveal_reason || ' ' || outcome FROM audit.lookup ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for r.Next() {
		var s string
		r.Scan(&s)
		rows = append(rows, s)
	}
	want := []string{
		"agent001 token ConsoleLookup  OK",
		"agent001 token ConsoleReveal CUSTOMER_REQUEST OK",
		"    UNAUTHORIZED", // the refused token
		"agent001 token ConsoleLookup  OK",
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit rows:\n%s\nwant\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
}

// leaveBy clicks sel, whose click makes the page navigate away (chromedp's Click would fail
// with the page it clicked on gone).
func (p *tab) leaveBy(sel string) {
	p.t.Helper()
	p.do(chromedp.WaitVisible(sel), chromedp.Evaluate[chromedp.Void](`setTimeout(() => document.querySelector('`+sel+`').click(), 0)`))
}

// waitAcross polls the page until expr is true, across navigations (a poll running while the
// page goes away is polled again on the next one).
func (p *tab) waitAcross(expr string) {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
		_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(10*time.Second)))
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("browser: %s never held: %v", expr, err)
		}
	}
}
