package console_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"createinfo/tools/servertest"
)

// profileHolds reports which files of a Chromium profile hold s, by their path under dir.
func profileHolds(t *testing.T, dir, s string) []string {
	t.Helper()
	var in []string
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if b, err := os.ReadFile(path); err == nil && bytes.Contains(b, []byte(s)) {
			rel, _ := filepath.Rel(dir, path)
			in = append(in, rel)
		}
		return nil
	})
	return in
}

// TestDeepLinkHistory opens the deep links in a Chromium of its own, closes it (so that it
// writes its History database) and reads which numbers the profile's History kept: the query
// form (?phone=…), the fragment form (#phone=…) loading the page, the fragment form opened
// in the console's window while it shows /console/ (no new page: hashchange), and the form
// posted to /console/ by the telephony system. Each uses its own phone number, so that the
// profile tells them apart; in each, the page reads the number, runs the lookup and clears
// the address bar.
func TestDeepLinkHistory(t *testing.T) {
	env := servertest.New(t)
	bin, err := chromium()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(dir),
		chromedp.Flag("disable-component-update", true))...)
	defer cancelAlloc()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, stop := context.WithTimeout(bctx, time.Minute)
	defer stop()
	console := env.URL + "/console/"
	post := func(phone string) chromedp.Action[chromedp.Void] { // as a CTI page's form would
		return chromedp.Evaluate[chromedp.Void](`(() => {
			const f = document.createElement('form');
			f.method = 'post';
			f.action = '` + console + `';
			const i = document.createElement('input');
			i.name = 'phone';
			i.value = '` + phone + `';
			f.append(i);
			document.body.append(f);
			setTimeout(() => f.submit(), 0); // after this evaluation has returned
		})()`)
	}
	forms := []struct {
		name, phone string
		open        []chromedp.Action[chromedp.Void]
		kept        bool // by Chromium's History, as measured
	}{
		{"query", "0911222333", []chromedp.Action[chromedp.Void]{chromedp.Navigate(console + "?phone=0911222333")}, true},
		{"fragment", "0922333444", []chromedp.Action[chromedp.Void]{chromedp.Navigate(console + "#phone=0922333444")}, true},
		{"fragment in the open console", "0933444555", []chromedp.Action[chromedp.Void]{chromedp.Navigate(console),
			chromedp.Poll[chromedp.Void](`window.createinfoConsole !== undefined`), chromedp.Navigate(console + "#phone=0933444555")}, true},
		{"posted", "0944555666", []chromedp.Action[chromedp.Void]{post("0944555666"), chromedp.WaitReady("#phone")}, false},
	}
	for _, f := range forms {
		actions := append([]chromedp.Action[chromedp.Void]{chromedp.Navigate("about:blank")}, f.open...)
		actions = append(actions, chromedp.Poll[chromedp.Void](`window.createinfoConsole && window.createinfoConsole.completed >= 1 &&
			document.querySelector('#phone').value === '`+f.phone+`'`, chromedp.WithPollingTimeout(20*time.Second)))
		if err := chromedp.Do(ctx, actions...); err != nil {
			state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify([location.pathname, (window.createinfoConsole||{}).completed, document.querySelector('#phone') && document.querySelector('#phone').value.length])`))
			t.Fatalf("%s: browser: %v (%s)", f.name, err, state)
		}
		if u, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname + location.search + location.hash`)); err != nil || u != "/console/" {
			t.Errorf("%s: the address bar shows %d characters, not /console/ (%v)", f.name, len(u), err)
		}
	}
	if err := chromedp.Cancel(bctx); err != nil { // closes the browser: it writes its History
		t.Fatalf("close the browser: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "Default", "History")); err != nil {
		t.Fatalf("no History database: %v", err)
	}
	for _, f := range forms {
		files := profileHolds(t, dir, f.phone)
		kept, session := false, false
		for _, p := range files {
			kept = kept || strings.HasPrefix(p, filepath.Join("Default", "History"))
			session = session || strings.HasPrefix(p, filepath.Join("Default", "Sessions"))
		}
		t.Logf("%s: in History %v; in the profile's files %q", f.name, kept, files)
		if kept != f.kept {
			t.Errorf("%s: kept by the History database %v, the README says %v", f.name, kept, f.kept)
		}
		// The tab's session (what "reopen closed tab" restores) keeps every form, as the README
		// says: the page's URL or posted body and its form fields.
		if !session {
			t.Errorf("%s: not in the session files, the README says it is", f.name)
		}
	}
}
