package console_test

// What an agent on a live call reads and does (issue 16): the overview of every application,
// Chinese for every code and message, the next step of each interrupted application, keyboard
// use, the layouts agents' screens have, print, and an automated accessibility check.

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"createinfo/internal/apperr"
	"createinfo/tools/dbtest"
	"createinfo/tools/servertest"
)

// demoPhone is the demo data's caller with four applications.
const demoPhone = "0988123456"

// line is one line of the overview.
type line struct {
	Seq, Outcome, Step, Pending, Flags, Time, Tail string
}

func readOverview(p *tab) []line {
	p.t.Helper()
	return eval[[]line](p, `[...document.querySelectorAll('#overview-list button.ov-line')].map((b) => ({
		Seq: b.dataset.seqno, Outcome: b.querySelector('.ov-outcome').textContent, Step: b.querySelector('.ov-step').textContent,
		Pending: b.querySelector('.ov-pending').textContent, Flags: b.querySelector('.ov-flags').textContent,
		Time: b.querySelector('.ov-time').textContent, Tail: b.querySelector('.ov-seq').textContent }))`)
}

func TestOverview(t *testing.T) {
	env := servertest.New(t)
	p := openTab(t, env.URL)
	p.do(chromedp.EmulateViewport(1280, 720))
	p.open("?phone=" + demoPhone)
	p.waitLookups(1)

	want := []line{
		{"DEMO-APP-B-01", "! 開戶中斷", "卡在第 4 步：他行帳戶驗證", "補件待處理 3 件", "無注意註記", "最後活動 2021-05-04 09:00:00", "序號 …P-B-01"},
		{"DEMO-APP-A-01", "✓ 開戶成功", "已完成", "無待補件", "無注意註記", "最後活動 2021-03-01 10:30:00", "序號 …P-A-01"},
		{sample, "! 開戶中斷", "卡在第 6 步：OCR第二證件", "補件待處理 2 件", "注意：AML 命中、Z21、Z22", "最後活動 2020-04-09 05:21:07", "序號 …001122"},
		{"DEMO-APP-C-01", "! 開戶中斷", "卡在第 9 步：聯絡資訊", "無待補件", "無注意註記", "最後活動 2019-12-02 08:00:00", "序號 …P-C-01"},
	}
	got := readOverview(p)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("overview\n got %v\nwant %v", got, want)
	}
	// The overview is above the cards, and all four lines are on the first screen.
	if above := eval[bool](p, `(() => { const o = document.querySelector('#overview').getBoundingClientRect();
		return o.bottom <= document.querySelector('#results article.app').getBoundingClientRect().top && o.bottom <= innerHeight; })()`); !above {
		t.Error("the overview is not above the cards within the first 720 pixels")
	}

	// A deep link leaves the focus on the overview's first line: ↓ ↓ Enter jumps to the third.
	p.waitFor(`window.createinfoConsole.lastLayoutMs !== null`)
	if f := eval[string](p, `document.activeElement.dataset.seqno || document.activeElement.id`); f != "DEMO-APP-B-01" {
		t.Fatalf("focus after the deep link on %q, want the overview's first line", f)
	}
	p.do(chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowUp), chromedp.KeyEvent(kb.ArrowDown))
	if f := eval[string](p, `document.activeElement.dataset.seqno`); f != sample {
		t.Fatalf("after ↓↓↑↓ the focus is on %q, want the third line", f)
	}
	p.do(chromedp.KeyEvent(kb.Enter))
	p.waitFor(`document.activeElement.matches('article.app[data-seqno="` + sample + `"]')`)
	if top := eval[float64](p, `document.activeElement.getBoundingClientRect().top`); top < -1 || top > 10 {
		t.Errorf("the card jumped to is at %.0f px, want the top of the screen", top)
	}
	// A click jumps too.
	p.do(chromedp.Click(`#overview-list button[data-seqno="DEMO-APP-C-01"]`))
	p.waitFor(`document.activeElement.matches('article.app[data-seqno="DEMO-APP-C-01"]')`)

	// One application: one line, and its card follows.
	p.do(chromedp.Click(`button[type=reset]`), chromedp.SetValue(`#seqNo`, "DEMO-APP-A-01"), chromedp.Click(`#submit`))
	p.waitLookups(2)
	if n := eval[int](p, `document.querySelectorAll('#overview-list li').length * 10 + document.querySelectorAll('#results article.app').length`); n != 11 {
		t.Errorf("one application: %d overview lines and %d cards, want 1 and 1", n/10, n%10)
	}
}

// The next step each interrupted card says, from the data; none on a successful one.
func TestNextStep(t *testing.T) {
	env := servertest.New(t)
	p := openTab(t, env.URL)
	want := map[string]string{
		"DEMO-APP-B-01": "請客戶補第二證件（審核未過：影像模糊）。",  // newest resend: B4 with its reason
		sample:          "請客戶補財力證明（補件原因：補財力證明）。", // newest resend: B1
		"DEMO-APP-C-01": "請客戶從第 9 步聯絡資訊繼續。",      // no resend: the first step not done
		"DEMO-APP-A-01": "",                      // successful
		"DEMO-APP-N-02": "",                      // successful
	}
	read := func() map[string]string {
		return eval[map[string]string](p, `Object.fromEntries([...document.querySelectorAll('#results article.app')].map((c) => {
			const n = c.querySelector('.next'); return [c.dataset.seqno, n.hidden ? '' : n.textContent]; }))`)
	}
	got := map[string]string{}
	p.open("?phone=" + demoPhone)
	p.waitLookups(1)
	for k, v := range read() {
		got[k] = v
	}
	p.do(chromedp.Click(`button[type=reset]`), chromedp.SetValue(`#idno`, "N123456789"), chromedp.Click(`#submit`))
	p.waitLookups(2)
	for k, v := range read() {
		got[k] = v
	}
	for seq, w := range want {
		if w != "" {
			w = "下一步：" + w
		}
		if got[seq] != w {
			t.Errorf("%s: next step %q, want %q", seq, got[seq], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d applications shown, want %d", len(got), len(want))
	}
}

// Every code of the demo data and of CONTRACT.md has its Chinese name in codes.js; an
// unknown one says so; and no raw code is left on the screen.
func TestCodesHaveChineseNames(t *testing.T) {
	env := servertest.New(t)
	db := dbtest.SQL(t, env.DatabaseURL)
	// The codes the demo data holds, by the table of codes.js that names them.
	kinds := map[string]string{
		"applyPurpose":   `SELECT DISTINCT trim(unnest(string_to_array(apply_purpose, ','))) FROM account.create_detail`,
		"resendCategory": `SELECT DISTINCT category FROM account.document_resend`,
		"resendStatus":   `SELECT DISTINCT resend_status FROM account.document_resend`,
		"checkStatus":    `SELECT DISTINCT check_status FROM account.teller_check_record`,
		"riskLevel":      `SELECT DISTINCT risk_level FROM account.aml_flag_detail`,
		"z21Exceed":      `SELECT DISTINCT z21_exceed_times FROM account.manual_review_flag`,
		"bank":           `SELECT DISTINCT acverinput_bank FROM account.create_detail`,
		"status":         `SELECT DISTINCT status FROM account.create_master UNION SELECT create_account_status FROM account.create_detail`,
	}
	codes := map[string][]string{
		// CONTRACT.md's lists (and the seed's).
		"applyPurpose":   {"DEPOSIT_TRANSACTION", "INVESTMENT", "LOAN", "E_BILL"},
		"resendCategory": {"FIRST_CERTIFICATE", "SECOND_CERTIFICATE", "EDD", "FINANCIAL_PROOF", "LOSS_NATIONALITY_PROOF"},
		"resendStatus":   {"B1", "B2", "B3", "B4"},
		"z21Exceed":      {"R", "3N", "W"},
		"special":        {"NextUserLoan", "BIT_4"},
	}
	for kind, q := range kinds {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var c *string
			if err := rows.Scan(&c); err != nil {
				t.Fatal(err)
			}
			if c != nil && *c != "" {
				codes[kind] = append(codes[kind], *c)
			}
		}
		rows.Close()
	}
	if len(codes["status"]) != 4 || len(codes["checkStatus"]) != 2 {
		t.Fatalf("demo codes read: %v", codes)
	}

	p := openTab(t, env.URL)
	p.open("?phone=" + demoPhone)
	p.waitLookups(1)
	names := eval[map[string]map[string]string](p, `(() => { const c = `+mustJSON(t, codes)+`; const out = {};
		for (const [k, list] of Object.entries(c)) { out[k] = {}; for (const x of list) out[k][x] = createinfoCodes.name(k, x); }
		return out; })()`)
	han := regexp.MustCompile(`\p{Han}`)
	for kind, list := range codes {
		for _, c := range list {
			n := names[kind][c]
			switch {
			case kind == "status":
				// Neither the seed nor CONTRACT.md gives the statuses a meaning: the page
				// says so rather than guess.
				if n != "代碼 "+c+"（銀行代碼表未提供說明）" {
					t.Errorf("status %s shows as %q", c, n)
				}
			case !han.MatchString(n) || strings.Contains(n, "未知代碼") || n == c:
				t.Errorf("%s %s has no Chinese name: %q", kind, c, n)
			}
		}
	}
	if n := names["special"]["BIT_4"]; n != "未命名註記（位元值 4）" {
		t.Errorf("an unnamed special bit shows as %q", n)
	}
	for kind, c := range map[string]string{"applyPurpose": "CRYPTO", "resendCategory": "X9", "checkStatus": "ESCALATED", "special": "NewBit"} {
		if n := eval[string](p, `createinfoCodes.name('`+kind+`', '`+c+`')`); n != "未知代碼（"+c+"）" {
			t.Errorf("unknown %s %s shows as %q", kind, c, n)
		}
	}

	// On the screen: the names, and none of the raw codes or the old doubled label. (The text
	// of every card: those below the first screen are not laid out, so have no innerText.)
	text := eval[string](p, `[...document.querySelectorAll('#results article.app')].map((c) => c.textContent).join('\n')`)
	for _, s := range []string{"一般交易／儲蓄、繳費", "一般交易／儲蓄、投資理財", "貸款", "第一證件", "財力證明", "EDD 問卷",
		"喪失國籍證明", "✗ 審核未通過", "待審核", "核准", "特殊註記：非存戶貸款", "特殊註記：未命名註記（位元值 4）",
		"Z21 放行原因：開戶日至今累計超過 3 次查無紀錄", "Z21 放行原因：限制驗證", "風險等級高", "玉山銀行"} {
		if !strings.Contains(text, s) {
			t.Errorf("the cards do not show %q", s)
		}
	}
	raw := regexp.MustCompile(`\b(?:[A-Z0-9]+_[A-Z0-9_]+|PENDING|APPROVED|HIGH|LOW|NextUserLoan|B[1-4]|EDD EDD)\b`)
	if m := raw.FindAllString(text, -1); len(m) > 0 {
		t.Errorf("raw codes on the screen: %q", m)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// english finds a sentence of the service's English (three Latin words in a row) or a rule's
// regular expression in a message.
var english = regexp.MustCompile(`[A-Za-z]{2,}[ ,.:;'-]+[A-Za-z]{2,}[ ,.:;'-]+[A-Za-z]{2,}|[\^$\[\]{}]`)

// shown is every message the page shows at a time.
type shown struct {
	Code, Text, Detail, Field, FieldText string
	Fits                                 bool
}

func readShown(p *tab) shown {
	p.t.Helper()
	return eval[shown](p, `(() => { const m = document.querySelector('#message');
		const f = [...document.querySelectorAll('.field-error')].find((e) => e.textContent !== '');
		const d = m.querySelector('.detail');
		// Fits: the rule stays on one line inside its field.
		const fits = !f || (f.scrollWidth <= f.clientWidth && f.getClientRects().length === 1 &&
			f.getBoundingClientRect().height < 2 * parseFloat(getComputedStyle(f).fontSize));
		return { Code: m.hidden ? '' : m.dataset.code, Text: m.hidden ? '' : m.querySelector('strong').textContent,
			Detail: d ? d.textContent : '', Field: f ? f.id : '', FieldText: f ? f.textContent : '', Fits: fits }; })()`)
}

// Every error the service can answer, and the page's own failures, show in Chinese: driven
// through the page's own handling, with the service's English message in the response.
func TestMessagesAreChinese(t *testing.T) {
	env := servertest.New(t)
	p := openTab(t, env.URL)
	p.do(chromedp.EmulateViewport(900, 720))
	p.open("")
	cases := append(apperr.Codes(), "HTTP_502", "NETWORK")
	han := regexp.MustCompile(`\p{Han}`)
	fields := map[apperr.Code]string{apperr.InvalidPhone: "phone-error", apperr.InvalidIdno: "idno-error", apperr.InvalidSeqNo: "seqNo-error"}
	for i, code := range cases {
		// The stub answers /graphql as the service would, its English message included.
		var stub string
		switch code {
		case "NETWORK":
			stub = `Promise.reject(new TypeError('Failed to fetch'))`
		case "HTTP_502":
			stub = `Promise.resolve(new Response('Bad Gateway', { status: 502 }))`
		default:
			stub = `Promise.resolve(new Response(JSON.stringify({ errors: [{ message: 'phone must be a Taiwan mobile number: 09 and 8 more digits (^09[0-9]{8}$), +886 accepted', extensions: { code: '` + string(code) + `' } }] }), { status: 400, headers: { 'Content-Type': 'application/json' } }))`
		}
		p.do(chromedp.Evaluate[chromedp.Void](`(() => { if (!window.realFetch) window.realFetch = window.fetch;
			window.fetch = (u, o) => String(u).endsWith('/graphql') ? `+stub+` : window.realFetch(u, o); })()`),
			chromedp.SetValue(`#phone`, demoPhone), chromedp.Click(`#submit`))
		p.waitLookups(i + 1)
		s := readShown(p)
		if code == apperr.Unauthorized {
			// Asked for the first time: a request to sign in, no error anywhere yet.
			if s.Code != string(code) || s.Text != "本服務需要登入：請輸入 API 金鑰與客服人員代號。" ||
				eval[string](p, `document.querySelector('#sign-in-error').textContent`) != "" {
				t.Errorf("%s: %+v", code, s)
			}
			p.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('#sign-in').close()`))
			continue
		}
		if s.Code != string(code) || !han.MatchString(s.Text) || english.MatchString(s.Text) || strings.Contains(s.Text, "phone must") ||
			s.Detail != "錯誤代碼："+string(code)+"（請提供給系統管理員）" {
			t.Errorf("%s: message %+v", code, s)
		}
		if f, ok := fields[code]; ok {
			if s.Field != f || !han.MatchString(s.FieldText) || english.MatchString(s.FieldText) || !s.Fits {
				t.Errorf("%s: field message %+v (fits its field at 900 px: %v)", code, s, s.Fits)
			}
		} else if s.Field != "" {
			t.Errorf("%s: a field shows %q", code, s.FieldText)
		}
	}
	if s := eval[string](p, `createinfoCodes.field.INVALID_PHONE.text`); s != "手機號碼需為 09 開頭共 10 碼，可輸入 +886" {
		t.Errorf("the phone rule reads %q", s)
	}
}

// The keyboard alone: a typed search keeps the focus and Enter searches; every control is a
// labelled, focusable element; the page fits 1280×720 and 900 px without scrolling sideways;
// the seqNo copies; printing gives one application per page with personal data masked.
func TestKeyboardLayoutPrint(t *testing.T) {
	env := servertest.New(t)
	p := openTab(t, env.URL)
	p.do(chromedp.EmulateViewport(1280, 720))
	p.open("")
	if lang := eval[string](p, `document.documentElement.lang`); lang != "zh-Hant-TW" {
		t.Errorf("lang %q", lang)
	}
	if f := eval[string](p, `document.activeElement.id`); f != "phone" {
		t.Fatalf("focus on %q at start, want the phone field", f)
	}
	// Placeholders that cannot be taken for values, and no error before any input.
	ph := eval[[]string](p, `['phone', 'idno', 'seqNo'].map((f) => document.getElementById(f).placeholder)`)
	for _, s := range ph {
		if !strings.HasPrefix(s, "例：") || regexp.MustCompile(`[0-9]{6,}`).MatchString(s) {
			t.Errorf("placeholder %q looks like a value", s)
		}
	}
	if n := eval[int](p, `document.querySelectorAll('[aria-invalid="true"]').length + [...document.querySelectorAll('.field-error')].filter((e) => e.textContent).length`); n != 0 {
		t.Errorf("%d error marks before any input", n)
	}
	// Every input has exactly one label bound to it.
	if n := eval[int](p, `[...document.querySelectorAll('input')].filter((i) => i.labels.length !== 1).length`); n != 0 {
		t.Errorf("%d inputs without exactly one label", n)
	}

	p.do(chromedp.SendKeys(`#phone`, demoPhone+kb.Enter))
	p.waitLookups(1)
	if f := eval[string](p, `document.activeElement.id`); f != "phone" {
		t.Errorf("after Enter the focus went to %q, want it kept in the phone field", f)
	}
	if n := eval[int](p, `document.querySelectorAll('#results article.app').length`); n != 4 {
		t.Fatalf("Enter in the field: %d cards, want 4", n)
	}
	// Tab from the search reaches the overview, then each card's controls, as buttons.
	p.do(chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Tab))
	if f := eval[string](p, `document.activeElement.className + ' ' + (document.activeElement.dataset.seqno || '')`); f != "ov-line DEMO-APP-B-01" {
		t.Errorf("Tab from the phone field through 身分證字號, 進件序號, 查詢 and 清除 reaches %q, want the overview's first line", f)
	}
	// No sideways scrolling, with each card on the screen (and so laid out) in turn.
	for _, size := range [][2]int64{{1280, 720}, {900, 720}} {
		p.do(chromedp.EmulateViewport(size[0], size[1]))
		for i := 0; i < 4; i++ {
			p.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelectorAll('#results article.app')[%d].scrollIntoView()`, i)))
			p.frames()
			// The page, and the card itself: a card contains its paint (content-visibility),
			// so what overflows it would be cut off rather than scroll the page.
			w := eval[[]int](p, fmt.Sprintf(`(() => { const c = document.querySelectorAll('#results article.app')[%d];
				return [document.documentElement.scrollWidth, document.documentElement.clientWidth, c.scrollWidth, c.clientWidth]; })()`, i))
			if w[0] > w[1] || w[2] > w[3] {
				t.Errorf("%d×%d, card %d on the screen: the page is %d px wide in a %d px window, the card %d px in %d", size[0], size[1], i+1, w[0], w[1], w[2], w[3])
			}
		}
	}
	p.do(chromedp.EmulateViewport(1280, 720))

	// Copy the seqNo: to the clipboard (captured here), and the page says so.
	p.do(chromedp.Evaluate[chromedp.Void](`window.copiedText = null; Object.defineProperty(navigator, 'clipboard',
		{ value: { writeText: (s) => { window.copiedText = s; return Promise.resolve(); } } })`))
	p.clickIn(sample, "button.copy")
	p.waitFor(`document.querySelector('article.app[data-seqno="` + sample + `"] .copied').textContent === '已複製'`)
	if s := eval[string](p, `window.copiedText`); s != sample {
		t.Errorf("copied %q", s)
	}

	// Print: one application per page, no controls, personal data as on the screen (masked,
	// except the application revealed).
	p.clickIn("DEMO-APP-A-01", "button.reveal")
	p.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	}))
	pr := eval[map[string]string](p, `(() => { const s = (q) => getComputedStyle(document.querySelector(q));
		const name = (seq) => document.querySelector('article.app[data-seqno="' + seq + '"] [data-field=name]').textContent;
		return { search: s('#search').display, overview: s('#overview').display, reveal: s('button.reveal').display,
			breakAfter: s('#results article.app').breakAfter, masked: name('`+sample+`'), revealed: name('DEMO-APP-A-01') }; })()`)
	if pr["search"] != "none" || pr["overview"] != "none" || pr["reveal"] != "none" || pr["breakAfter"] != "page" ||
		pr["masked"] != "王○明" || pr["revealed"] != "陳大文" {
		t.Errorf("print: %v", pr)
	}
}

//go:embed testdata/axe.min.js
var axeSource string

// axe-core (testdata/axe.min.js, see testdata/README.md) finds no serious or critical
// violation on the page with four applications, with a field's message, and with the
// sign-in dialog. It is evaluated into the page over the DevTools protocol: the page's
// Content-Security-Policy does not apply to that, and the page itself loads nothing.
func TestAccessibility(t *testing.T) {
	env := servertest.New(t)
	p := openTab(t, env.URL)
	p.do(chromedp.EmulateViewport(1280, 720))
	check := func(state string) {
		t.Helper()
		p.do(chromedp.Evaluate[chromedp.Void](axeSource + "\n;undefined"))
		ctx, cancel := context.WithTimeout(p.ctx, 60*time.Second)
		defer cancel()
		type violation struct {
			ID, Impact, Help string
			Nodes            []string
		}
		vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]violation](`axe.run(document, { resultTypes: ['violations'] }).then((r) =>
			r.violations.map((v) => ({ ID: v.id, Impact: v.impact || '', Help: v.help,
			Nodes: v.nodes.map((n) => n.target.join(' ') + ': ' + (n.failureSummary || '').replace(/\s+/g, ' ').slice(0, 160)) })))`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("axe: %v", err)
		}
		for _, v := range vs {
			if v.Impact == "serious" || v.Impact == "critical" {
				t.Errorf("%s: axe %s violation %s: %s: %q", state, v.Impact, v.ID, v.Help, v.Nodes)
			} else {
				t.Logf("%s: axe %s: %s: %q", state, v.Impact, v.ID, v.Nodes)
			}
		}
	}
	p.open("?phone=" + demoPhone)
	p.waitLookups(1)
	check("four applications, first screen")
	// Every card on the screen, so laid out and checked (content-visibility: auto).
	p.do(chromedp.EmulateViewport(1280, 6000))
	p.frames()
	check("four applications")
	p.do(chromedp.EmulateViewport(1280, 720))
	p.clickIn(sample, "button.reveal")
	check("one revealed")
	p.do(chromedp.Click(`button[type=reset]`), chromedp.SetValue(`#phone`, "12345"), chromedp.Click(`#submit`))
	p.waitLookups(2)
	check("invalid phone")
	p.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('#sign-in').showModal()`))
	check("sign-in dialog")
}

// Codes the tables do not hold, and hostile text in them, as a changed or compromised service
// could send: each shows as 「未知代碼（X）」, as text, never markup, and the card still says
// what it knows.
func TestUnknownAndHostileCodes(t *testing.T) {
	env := servertest.New(t)
	p := openTab(t, env.URL)
	p.open("")
	app := map[string]any{
		"seqNo": "EVIL-1", "phoneNumber": nil, "idno": nil, "name": nil, "mgmCode": nil, "status": "L9",
		"rejectMemo": nil, "createDate": "2024-01-01", "createTime": "10:00:00", "updateDate": nil, "updateTime": nil,
		"isFirstUse": false, "isArchived": false, "lastStepDateTime": nil, "stepBreakPoint": nil,
		"createDetails": []any{map[string]any{"applyPurpose": "LOAN,<img src=x onerror=window.pwned=1>", "industry": nil,
			"job": nil, "residentPostalCode": nil, "residentAddress": nil, "acverinputBank": "004", "createAccountStatus": nil}},
		"documentResends": []any{map[string]any{"seqNo": 1, "category": "<b>NEW</b>", "resendContent": []string{},
			"resendStatus": "B9", "resendReason": nil, "resendRejectReason": nil, "createDateTime": "2024-01-02 10:00:00", "updateDateTime": nil}},
		"manualReviewFlag": map[string]any{"p2566": false, "ocrScanError": false, "sameIpDiffEmail": false,
			"sameIpWithDiffPid": false, "sameIpWithDiffPidDatetime": nil, "bornInUSA": false, "rarelyWord": false,
			"firstFrontScanError": false, "firstBackScanError": false, "secondScanError": false, "z21ExceedTimes": "Q",
			"special": []string{"BIT_8", "<i>x</i>"}, "amlFlagDetail": map[string]any{"isInSanctionList": false,
				"isInPepsList": false, "riskLevel": "EXTREME", "rarelyWord": false}, "ocrFlagDetail": nil,
			"z21FlagDetail": nil, "z22FlagDetail": nil},
		"tellerCheckRecords": []any{map[string]any{"tellerNo": "T1", "tellerCheckDate": nil, "tellerCheckTime": nil,
			"tellerMemo": nil, "managerNo": nil, "managerCheckDate": nil, "managerCheckTime": nil, "managerMemo": nil,
			"checkStatus": "ESCALATED"}},
		"abnormalPid": []string{},
	}
	body := mustJSON(t, map[string]any{"data": map[string]any{"applications": []any{app}}})
	p.do(chromedp.Evaluate[chromedp.Void](`(() => { const f = window.fetch; window.fetch = (u, o) => String(u).endsWith('/graphql')
		? Promise.resolve(new Response(`+"`"+body+"`"+`, { headers: { 'Content-Type': 'application/json' } })) : f(u, o); })()`),
		chromedp.SetValue(`#seqNo`, "EVIL-1"), chromedp.Click(`#submit`))
	p.waitLookups(1)
	c := `document.querySelector('article.app[data-seqno="EVIL-1"]')`
	text := eval[string](p, c+`.textContent`)
	for _, s := range []string{"貸款、未知代碼（<img src=x onerror=window.pwned=1>）", "未知代碼（<b>NEW</b>）", "未知代碼（B9）",
		"未知代碼（ESCALATED）", "Z21 放行原因：未知代碼（Q）", "風險等級未知代碼（EXTREME）", "特殊註記：未命名註記（位元值 8）",
		"特殊註記：未知代碼（<i>x</i>）", "未知代碼（L9）", "銀行代號 004", "請客戶補未知代碼（<b>NEW</b>）。"} {
		if !strings.Contains(text, s) {
			t.Errorf("the card does not say %q", s)
		}
	}
	if n := eval[int](p, c+`.querySelectorAll('img, b, i').length`); n != 0 {
		t.Errorf("%d elements made from the served text", n)
	}
	if pwned := eval[bool](p, `window.pwned === 1`); pwned {
		t.Error("a served code ran as script")
	}
	if o := readOverview(p); len(o) != 1 || o[0].Step != "無斷點紀錄" || o[0].Pending != "補件待處理 1 件" {
		t.Errorf("overview %+v", o)
	}
}
