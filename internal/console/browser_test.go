package console_test

// The console in a real browser: Debian's chromium, headless, driven with chromedp, against
// the service over real HTTP on the demo data. scripts/chromium.sh installs the browser
// (`make test` runs it and passes its path in CHROMIUM).

import (
	"bytes"
	"context"
	"createinfo/internal/apperr"
	"database/sql"
	"errors"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"createinfo/graph"
	"createinfo/internal/auth"
	"createinfo/internal/server"
	"createinfo/tools/dbtest"
	"createinfo/tools/servertest"
)

func TestMain(m *testing.M) {
	code := dbtest.Run(m)
	closeBrowser()
	os.Exit(code)
}

var (
	browserOnce   sync.Once
	browserCtx    context.Context
	browserErr    error
	browserCancel = func() {}
)

func closeBrowser() { browserCancel() }

// chromium is the browser binary: $CHROMIUM, or Debian's chromium on the PATH.
func chromium() (string, error) {
	if b := os.Getenv("CHROMIUM"); b != "" {
		return b, nil
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no chromium found: run scripts/chromium.sh (make test does) or set CHROMIUM")
}

// digits masks long digit runs in chromedp's own diagnostics, which may quote URLs with a
// deep link's phone number: the suite's log must hold no personal data.
var digits = regexp.MustCompile(`[0-9]{6,}`)

func browser(t *testing.T) context.Context {
	t.Helper()
	browserOnce.Do(func() {
		bin, err := chromium()
		if err != nil {
			browserErr = err
			return
		}
		dir, err := os.MkdirTemp("", "createinfo-chromium-")
		if err != nil {
			browserErr = err
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(bin),
			chromedp.NoSandbox, // as root
			chromedp.DisableGPU,
			chromedp.UserDataDir(dir),
			chromedp.WindowSize(1280, 900),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("lang", "zh-TW"),
		)
		actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		quiet := func(format string, args ...any) {
			fmt.Fprintln(os.Stderr, "chromedp:", digits.ReplaceAllString(fmt.Sprintf(format, args...), "######"))
		}
		bctx, cancelBrowser := chromedp.NewContext(actx, chromedp.WithErrorf(quiet), chromedp.WithLogf(quiet))
		browserCancel = func() { cancelBrowser(); cancelAlloc(); os.RemoveAll(dir) }
		browserCtx = bctx
		browserErr = chromedp.Do(bctx) // starts the browser
	})
	if browserErr != nil {
		t.Fatalf("browser: %v", browserErr)
	}
	return browserCtx
}

// tab is one browser tab on the service at base. It records every request the page makes
// and every error the page logs (a Content-Security-Policy violation, a failed load, an
// exception); when the test ends it fails if any request went to another host or any error
// was logged.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string

	mu       sync.Mutex
	requests []string
	problems []string
	expected []string // errors the test provokes: substrings of their text
	others   []string // other origins the page may reach (the identity provider)
}

// expect lets the page log errors containing text (a refused request the test provokes).
func (p *tab) expect(text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expected = append(p.expected, text)
}

func openTab(t *testing.T, base string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser(t))
	t.Cleanup(cancel)
	p := &tab{t: t, ctx: ctx, base: base}
	err := chromedp.Listen(ctx, func(ev any) {
		p.mu.Lock()
		defer p.mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			p.requests = append(p.requests, e.Request.URL)
		case *log.EventEntryAdded:
			if e.Entry.Level == log.EntryLevelError {
				p.problems = append(p.problems, e.Entry.Source.String()+": "+e.Entry.Text)
			}
		case *runtime.EventExceptionThrown:
			p.problems = append(p.problems, "exception: "+e.ExceptionDetails.Text)
		}
	})
	if err != nil {
		t.Fatalf("open tab: %v", err)
	}
	t.Cleanup(func() {
		p.mu.Lock()
		defer p.mu.Unlock()
	requests:
		for _, u := range p.requests {
			for _, o := range p.others {
				if strings.HasPrefix(u, o+"/") {
					continue requests
				}
			}
			if !strings.HasPrefix(u, base+"/") {
				t.Errorf("the page requested %q, outside the server %s", digits.ReplaceAllString(u, "######"), base)
			}
		}
	problems:
		for _, pr := range p.problems {
			for _, e := range p.expected {
				if strings.Contains(pr, e) {
					continue problems
				}
			}
			t.Errorf("the page logged an error: %s", digits.ReplaceAllString(pr, "######"))
		}
	})
	return p
}

// do runs actions with a deadline.
func (p *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("browser: %v", err)
	}
}

// eval evaluates a JavaScript expression and decodes its value into out.
func eval[T any](p *tab, expr string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		p.t.Fatalf("evaluate: %v", err)
	}
	return v
}

// open navigates to the console at path (a deep link's query included).
func (p *tab) open(path string) {
	p.t.Helper()
	p.do(chromedp.Navigate(p.base + "/console/" + path))
	p.waitFor(`window.createinfoConsole !== undefined`)
}

// waitFor polls the page until expr is true (the browser's own polling: no sleeps).
func (p *tab) waitFor(expr string) {
	p.t.Helper()
	p.do(chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(20*time.Second)))
}

// waitLookups waits until the page has finished n lookups.
func (p *tab) waitLookups(n int) {
	p.t.Helper()
	p.waitFor(fmt.Sprintf(`window.createinfoConsole && window.createinfoConsole.completed >= %d`, n))
}

// clickIn clicks the element sel of the card of seqNo. A card off the screen is not laid out
// (content-visibility: auto) until it scrolls into view: scroll to it and let two frames
// render it, as an agent's scrolling would, so that the click lands on the element.
func (p *tab) clickIn(seqNo, sel string) {
	p.t.Helper()
	q := `article.app[data-seqno="` + seqNo + `"] ` + sel
	p.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('` + q + `').scrollIntoView({ block: 'center' })`))
	p.frames()
	p.do(chromedp.Click(q))
}

// frames returns once the page has rendered two more frames (what it shows has caught up
// with a scroll or a resize).
func (p *tab) frames() {
	p.t.Helper()
	p.do(chromedp.Evaluate[chromedp.Void](`new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())))`,
		chromedp.EvalAwaitPromise))
}

func (p *tab) requested(suffix string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, u := range p.requests {
		if u == p.base+suffix {
			return true
		}
	}
	return false
}

const sample = "0A80d1d572650511ea8a30acde48001122"

// screen is what the page shows of one application.
type screen struct {
	Done     []int    `json:"done"`
	Stuck    []string `json:"stuck"`
	Where    string   `json:"where"`
	Outcome  string   `json:"outcome"`
	AML      string   `json:"aml"`
	Flags    []string `json:"flags"`
	Abnormal []string `json:"abnormal"`
	Name     string   `json:"name"`
	Idno     string   `json:"idno"`
	Phone    string   `json:"phone"`
	Resends  string   `json:"resends"`
	Tellers  string   `json:"tellers"`
}

func readCard(p *tab, seqNo string) screen {
	p.t.Helper()
	return eval[screen](p, `(() => {
		const c = document.querySelector('article.app[data-seqno="`+seqNo+`"]');
		const all = (sel) => [...c.querySelectorAll(sel)];
		const text = (sel) => { const e = c.querySelector(sel); return e ? e.textContent : ''; };
		return {
			done: all('.step.done').map((e) => +e.dataset.step),
			stuck: all('.step.stuck').map((e) => e.dataset.step + ' ' + e.querySelector('.name').textContent),
			where: text('.where'), outcome: text('.outcome'), aml: text('[data-flag=aml]'),
			flags: all('[data-flag]').map((e) => e.dataset.flag),
			abnormal: all('[data-field=abnormalPid]').map((e) => e.textContent),
			name: text('[data-field=name]'), idno: text('[data-field=idno]'), phone: text('[data-field=phone]'),
			resends: text('.resends'), tellers: text('.tellers'),
		};
	})()`)
}

func TestDeepLinkByPhone(t *testing.T) {
	env := servertest.New(t)
	p := openTab(t, env.URL)
	p.open("?phone=0988123456")
	p.waitLookups(1)

	order := eval[[]string](p, `[...document.querySelectorAll('#results article.app')].map((a) => a.dataset.seqno)`)
	want := []string{"DEMO-APP-B-01", "DEMO-APP-A-01", sample, "DEMO-APP-C-01"} // newest first
	if strings.Join(order, ",") != strings.Join(want, ",") {
		t.Fatalf("applications shown %v, want %v", order, want)
	}
	if s := eval[string](p, `location.search`); s != "" {
		t.Errorf("the deep link's conditions stay in the address bar: %d characters", len(s))
	}

	c := readCard(p, sample)
	if fmt.Sprint(c.Done) != "[1 2 3 4 5]" || len(c.Stuck) != 1 || c.Stuck[0] != "6 OCR第二證件" {
		t.Errorf("step bar: done %v, stuck at %q; want steps 1-5 done, stuck at 6 OCR第二證件", c.Done, c.Stuck)
	}
	if c.Outcome != "! 開戶中斷：卡在第 6 步：OCR第二證件" || c.Where != "：卡在第 6 步：OCR第二證件" {
		t.Errorf("outcome %q, where %q", c.Outcome, c.Where)
	}
	if c.AML != "⚠ AML 命中：制裁名單、風險等級高、罕見字（第二字面）" {
		t.Errorf("AML badge %q", c.AML)
	}
	for _, f := range []string{"ocr", "z21", "z22", "special", "rarelyWord"} {
		if !contains(c.Flags, f) {
			t.Errorf("flag badge %s missing: %v", f, c.Flags)
		}
	}
	if strings.Join(c.Abnormal, ",") != "A12****789,B12****789,C12****789" {
		t.Errorf("abnormalPid shown as %q, want the three ID numbers masked", c.Abnormal)
	}
	if !strings.Contains(c.Resends, "OCR1234894894994") || !strings.Contains(c.Resends, "imageId00002") ||
		strings.Contains(c.Resends, "imageId00003") || !strings.Contains(c.Tellers, "T00123") {
		t.Errorf("resends or teller records not shown as served")
	}

	// Masked by default; one click reveals that application only.
	if c.Name != "王○明" || c.Idno != "N12****789" || c.Phone != "0988***456" {
		t.Errorf("not masked by default (name %d, idno %d, phone %d characters)", len([]rune(c.Name)), len(c.Idno), len(c.Phone))
	}
	p.clickIn(sample, "button.reveal")
	c = readCard(p, sample)
	if c.Name != "王小明" || c.Idno != "N123456789" || c.Phone != "0988123456" ||
		strings.Join(c.Abnormal, ",") != "A123456789,B123456789,C123456789" {
		t.Errorf("the click did not reveal the application's personal data")
	}
	if other := readCard(p, "DEMO-APP-B-01"); other.Name != "林○麗" || other.Idno != "B12****789" {
		t.Errorf("revealing one application revealed another")
	}
	p.clickIn(sample, "button.reveal")
	if c = readCard(p, sample); c.Name != "王○明" {
		t.Errorf("a second click does not mask again")
	}

	// The page used the trusted document by hash, through /graphql, and nothing else.
	if !p.requested("/graphql") || !p.requested("/console/manifest.json") {
		t.Errorf("the page's requests were not recorded")
	}
	p.waitFor(`window.createinfoConsole.lastLayoutMs !== null`) // set on the frame after the result
	ms := eval[[]float64](p, `[window.createinfoConsole.lastPaintMs, window.createinfoConsole.lastLayoutMs]`)
	t.Logf("first frame after the response: %.1f ms (4 applications), laid out: %.1f ms", ms[0], ms[1])

	// Audited like any lookup.
	var op, outcome string
	var n int
	db, err := sql.Open("pgx", env.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow(`SELECT operation, outcome, result_count FROM audit.lookup WHERE way = 'graphql' ORDER BY id DESC LIMIT 1`).
		Scan(&op, &outcome, &n); err != nil {
		t.Fatalf("audit row: %v", err)
	}
	if op != "ConsoleLookup" || outcome != "OK" || n != 4 {
		t.Errorf("audit row: operation %q outcome %q count %d", op, outcome, n)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestScreenshot takes the pictures of the caller with four applications shown in the README:
// the whole page, and the first screen of a 1280×720 window (the overview). With
// CONSOLE_SCREENSHOT=path (make screenshot) it writes them there (docs/console.png) and beside
// it (docs/console-overview.png).
func TestScreenshot(t *testing.T) {
	env := servertest.New(t)
	p := openTab(t, env.URL)
	p.do(chromedp.EmulateViewport(1280, 720))
	p.open("?phone=0988123456")
	p.waitLookups(1)
	p.waitFor(`document.querySelectorAll('#results article.app').length === 4 && window.createinfoConsole.lastLayoutMs !== null`)
	p.do(chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`)) // no focus ring in the picture
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	first, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	// The whole page: a window as tall as the page, so that every card is on the screen and
	// laid out (cards off the screen are not: content-visibility: auto), until its height holds.
	// (Cards coming on the screen are laid out a frame later, so the height is read until it
	// holds twice in a window of that height.)
	for h, held, i := int64(720), 0, 0; held < 2; i++ {
		if i == 20 {
			t.Fatalf("the page's height does not settle: %d px", h)
		}
		p.do(chromedp.EmulateViewport(1280, h))
		v, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`new Promise((r) => requestAnimationFrame(() =>
			requestAnimationFrame(() => r(Math.ceil(document.body.getBoundingClientRect().height)))))`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		if int64(v) == h {
			held++
		} else {
			h, held = int64(v), 0
		}
	}
	full, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	out := os.Getenv("CONSOLE_SCREENSHOT")
	for _, s := range []struct {
		shot       []byte
		name       string
		w, minH, h int
	}{{full, out, 1280, 1500, 0}, {first, strings.TrimSuffix(out, ".png") + "-overview.png", 1280, 720, 720}} {
		img, err := png.Decode(bytes.NewReader(s.shot))
		if err != nil {
			t.Fatalf("screenshot is not a PNG: %v", err)
		}
		if b := img.Bounds(); b.Dx() != s.w || b.Dy() < s.minH || s.h != 0 && b.Dy() != s.h {
			t.Errorf("screenshot %d×%d", b.Dx(), b.Dy())
		}
		if out != "" {
			if err := os.WriteFile(s.name, s.shot, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s (%d×%d)", s.name, img.Bounds().Dx(), img.Bounds().Dy())
		}
	}
}

// message is the page's message box.
type message struct {
	Hidden bool   `json:"hidden"`
	Code   string `json:"code"`
	Text   string `json:"text"`
	Cards  int    `json:"cards"`
}

func readMessage(p *tab) message {
	p.t.Helper()
	return eval[message](p, `(() => { const m = document.querySelector('#message');
		return { hidden: m.hidden, code: m.dataset.code || '', text: m.textContent,
			cards: document.querySelectorAll('#results article.app').length }; })()`)
}

func TestInvalidPhoneShowsTheRule(t *testing.T) {
	env := servertest.New(t)
	p := openTab(t, env.URL)
	p.open("?phone=" + "12345")
	p.waitLookups(1)
	bad := "12345"
	_, err := graph.ParseConditions(nil, &bad, nil)
	var rule *apperr.Error
	if !errors.As(err, &rule) {
		t.Fatalf("ParseConditions: %v", err)
	}
	if rule.Code != apperr.InvalidPhone {
		t.Fatalf("the service answers %s", rule.Code)
	}
	// The API's rule, in the agent's words (codes.js), never its regular expression.
	field := eval[string](p, `document.querySelector('#phone-error').textContent`)
	if field != "手機號碼需為 09 開頭共 10 碼，可輸入 +886" {
		t.Errorf("next to the phone field: %q", field)
	}
	if invalid := eval[bool](p, `document.querySelector('#phone').getAttribute('aria-invalid') === 'true'`); !invalid {
		t.Error("the phone field is not marked invalid")
	}
	if m := readMessage(p); m.Code != apperr.InvalidPhone.String() || m.Text != "請修正標示的欄位後再查詢。錯誤代碼：INVALID_PHONE（請提供給系統管理員）" || m.Cards != 0 {
		t.Errorf("message %+v", m)
	}
	if other := eval[string](p, `document.querySelector('#idno-error').textContent + document.querySelector('#seqNo-error').textContent`); other != "" {
		t.Errorf("other fields show %q", other)
	}

	// Correcting the field and searching again clears the message; the server normalises
	// the typed +886 form.
	p.do(chromedp.SetValue(`#phone`, "+886 988-123-456"), chromedp.Click(`#submit`))
	p.waitLookups(2)
	if m := readMessage(p); !m.Hidden || m.Cards != 4 {
		t.Errorf("after correcting: %+v", m)
	}
	if field := eval[string](p, `document.querySelector('#phone-error').textContent`); field != "" {
		t.Errorf("the rule is still shown: %q", field)
	}
}

// Every outcome other than a list is a clear message, never a blank page.
func TestMessages(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     func(t *testing.T) *servertest.Env
		link    string // deep link; "" submits the empty form
		code    string
		message string
	}{
		{"empty", func(t *testing.T) *servertest.Env { return servertest.New(t) }, "?phone=0900000000", "EMPTY", "查無資料"},
		{"missing condition", func(t *testing.T) *servertest.Env { return servertest.New(t) }, "", apperr.MissingCondition.String(), "至少一項"},
		{"too many results", func(t *testing.T) *servertest.Env {
			return servertest.New(t, func(o *server.Options) { o.MaxResults = 3 })
		}, "?phone=0988123456", apperr.TooManyResults.String(), "符合的開戶進件太多"},
		{"database outage", func(t *testing.T) *servertest.Env { return servertest.NewUnreachable(t) },
			"?phone=0988123456", apperr.ServiceUnavailable.String(), "查詢服務暫時無法使用"},
		{"untrusted document", func(t *testing.T) *servertest.Env {
			// A console whose document the service does not trust (an old page after an
			// upgrade, say): the service refuses it and the page says to reload.
			return servertest.New(t, func(o *server.Options) { o.TrustedDocumentsOnly = true })
		}, "?seqNo=TAMPERED", apperr.PersistedQueryNotFound.String(), "重新整理"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := tc.env(t)
			p := openTab(t, env.URL)
			if tc.link == "?seqNo=TAMPERED" {
				p.open("")
				p.do(chromedp.Evaluate[chromedp.Void](`(() => {
					const f = window.fetch;
					window.fetch = (u, o) => f(u, o).then(async (r) => {
						if (!String(u).endsWith('manifest.json')) return r;
						const m = await r.json();
						for (const op of m.operations) op.id = '0'.repeat(64);
						return new Response(JSON.stringify(m), { headers: { 'Content-Type': 'application/json' } });
					});
				})()`), chromedp.SetValue(`#seqNo`, "TAMPERED"), chromedp.Click(`#submit`))
			} else {
				p.open(tc.link)
				if tc.link == "" {
					p.do(chromedp.Click(`#submit`))
				}
			}
			p.waitLookups(1)
			m := readMessage(p)
			if m.Hidden || m.Code != tc.code || !strings.Contains(m.Text, tc.message) || m.Cards != 0 {
				t.Errorf("message %+v, want code %s saying %q", m, tc.code, tc.message)
			}
		})
	}
}

// In production the page asks once per browser session for the key and the agent id, and
// sends them as the API's headers; a wrong key asks again.
func TestSignIn(t *testing.T) {
	secret, entry, err := auth.NewKey("console")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := auth.ParseKeys(entry)
	if err != nil {
		t.Fatal(err)
	}
	env := servertest.New(t, func(o *server.Options) { o.Auth = auth.NewChecker(keys); o.Development = false })
	p := openTab(t, env.URL)
	p.expect("status of 401") // the two refused lookups
	p.open("?seqNo=" + sample)
	p.waitLookups(1)
	if open := eval[bool](p, `document.querySelector('#sign-in').open`); !open {
		t.Fatal("no sign-in dialog after UNAUTHORIZED")
	}
	// Asked for the first time: no error shown before anything is typed.
	if m := readMessage(p); m.Code != apperr.Unauthorized.String() || m.Cards != 0 || strings.Contains(m.Text, "未通過驗證") ||
		eval[string](p, `document.querySelector('#sign-in-error').textContent`) != "" {
		t.Errorf("before any input: message %+v", m)
	}

	// A wrong key: refused, asked again.
	p.do(chromedp.SetValue(`#sign-in-key`, "wrong"), chromedp.SetValue(`#sign-in-agent`, "agent.007"), chromedp.Click(`#sign-in-submit`))
	p.waitLookups(2)
	if open := eval[bool](p, `document.querySelector('#sign-in').open && sessionStorage.length === 0`); !open {
		t.Fatal("a wrong key was kept or not asked again")
	}
	if e := eval[string](p, `document.querySelector('#sign-in-error').textContent`); e != "未通過驗證：請輸入正確的 API 金鑰與客服人員代號。" {
		t.Errorf("after a wrong key the dialog says %q", e)
	}
	// The right one: the lookup runs, and the credentials stay for the session.
	p.do(chromedp.SetValue(`#sign-in-key`, secret), chromedp.SetValue(`#sign-in-agent`, "agent.007"), chromedp.Click(`#sign-in-submit`))
	p.waitLookups(3)
	if m := readMessage(p); m.Cards != 1 || !m.Hidden {
		t.Fatalf("after signing in: %+v", m)
	}
	p.do(chromedp.Click(`button[type=reset]`), chromedp.SetValue(`#phone`, "0988123456"), chromedp.Click(`#submit`))
	p.waitLookups(4)
	if m := readMessage(p); m.Cards != 4 || eval[bool](p, `document.querySelector('#sign-in').open`) {
		t.Errorf("second lookup asked again or failed: %+v", m)
	}
	if who := eval[string](p, `document.querySelector('#who-agent').textContent`); !strings.Contains(who, "agent.007") {
		t.Errorf("signed-in agent shown as %q", who)
	}

	// The audit trail names the key and the agent of the console's lookups.
	db, err := sql.Open("pgx", env.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT key_id, agent_id, operation, outcome FROM audit.lookup ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var k, a, op, o string
		if err := rows.Scan(&k, &a, &op, &o); err != nil {
			t.Fatal(err)
		}
		got = append(got, k+"/"+a+"/"+op+"/"+o)
	}
	want := []string{"///UNAUTHORIZED", "///UNAUTHORIZED", "console/agent.007/ConsoleLookup/OK", "console/agent.007/ConsoleLookup/OK"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("audit rows %q, want %q", got, want)
	}
}
