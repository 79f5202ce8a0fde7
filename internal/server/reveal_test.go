package server_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"createinfo/internal/apperr"
	"createinfo/internal/legacy"
	"createinfo/internal/server"
	"createinfo/tools/oidc"
)

// personalQuery asks for every kind of personal field the demo application of 0988123456
// holds, as $lookup (applications or revealApplication).
const personalFields = `seqNo phoneNumber idno name abnormalPid
	createDetails { imei ipv4 ipv6 deviceRecord gps organization acverinputAccNo idno name aboriginalName spouse
		birthYear birthMonth birthDate idIssueYear idIssueMonth idIssueDate residentAddress cardName cardEmail
		cardAddress userID residentCity applyPurpose }
	manualReviewFlags { ocrFlagDetail { birthYear birthMonth birthDate address firstBack firstFront name
		birthPlace city } payTaxes { IDNO taxesNo } }`

// clear are values of that application which are personal: none may reach an agent but
// through revealApplication.
var clear = []string{"0988123456", "N123456789", "王小明", "12345@gmail.com", "127.0.0.1",
	"2001:0db8:86a3:08d3:1319:8a2e:0370:7344", "1029473828", "1020493810", "將來商業銀行"}

const demoSeqNo = "0A80d1d572650511ea8a30acde48001122"

func (e idEnv) graphql(t *testing.T, tok, query string, vars map[string]any) (int, string, json.RawMessage, []byte) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	resp, b := post(t, e.URL+"/graphql", string(body), bearer(tok))
	var r struct {
		Data   json.RawMessage
		Errors []struct{ Extensions map[string]any }
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	code := ""
	if len(r.Errors) > 0 {
		code, _ = r.Errors[0].Extensions["code"].(string)
	}
	return resp.StatusCode, code, r.Data, b
}

// An agent gets personal data masked by the server in both ways in, looking up by the clear
// values; an integration gets it in clear; revealApplication gives the agent the clear
// application, on the record.
func TestAgentsSeeMaskedDataAndRevealOnTheRecord(t *testing.T) {
	e := newIDEnv(t, nil, func(o *server.Options) { o.RevealsPerHour = 2 })
	agent := e.idp.SignIn(t, "console", consoleRedirect, "agent001")
	crm := e.idp.ClientToken(t, "crm", "crm-secret", oidc.Audience)

	lookup := `query($phone: String) { applications(phone: $phone) { ` + personalFields + ` } }`
	vars := map[string]any{"phone": "0988-123-456"}
	st, code, masked, b := e.graphql(t, agent, lookup, vars)
	if st != 200 || code != "" {
		t.Fatalf("agent lookup: %d %s", st, b)
	}
	for _, v := range clear {
		if bytes.Contains(b, []byte(v)) {
			t.Errorf("the agent's response holds %q in clear", v)
		}
	}
	for _, v := range []string{`"0988***456"`, `"N12****789"`, `"王○明"`, `"1***@gmail.com"`, `"將來商○○○"`} {
		if !bytes.Contains(masked, []byte(v)) {
			t.Errorf("the agent's response lacks the mask %s: %s", v, masked)
		}
	}
	if !bytes.Contains(masked, []byte(`"DEPOSIT_TRANSACTION,E_BILL"`)) || !bytes.Contains(masked, []byte(demoSeqNo)) {
		t.Errorf("a field that is not personal is masked: %s", masked)
	}
	st, code, full, b := e.graphql(t, crm, lookup, vars)
	if st != 200 || code != "" {
		t.Fatalf("integration lookup: %d %s", st, b)
	}
	for _, v := range clear {
		if !bytes.Contains(b, []byte(v)) {
			t.Errorf("the integration's response lacks %q", v)
		}
	}

	// Legacy: the same masks for the agent, clear for the integration.
	_, lb := post(t, e.URL+legacy.Path, `{"phone":"0988123456"}`, bearer(agent))
	if !bytes.Contains(lb, []byte(`"0988***456"`)) || !bytes.Contains(lb, []byte(`"success":true`)) {
		t.Errorf("legacy agent: %s", lb)
	}
	for _, v := range clear {
		if bytes.Contains(lb, []byte(v)) {
			t.Errorf("the agent's legacy response holds %q in clear", v)
		}
	}
	if _, lb := post(t, e.URL+legacy.Path, `{"phone":"0988123456"}`, bearer(crm)); !bytes.Contains(lb, []byte(`"N123456789"`)) {
		t.Errorf("legacy integration: %s", lb)
	}

	// The reveal: exactly the integration's application, in clear.
	reveal := `query($seqNo: String!, $reason: RevealReason!) { revealApplication(seqNo: $seqNo, reason: $reason) { ` + personalFields + ` } }`
	st, code, revealed, b := e.graphql(t, agent, reveal, map[string]any{"seqNo": demoSeqNo, "reason": "CALLER_IDENTITY_VERIFIED"})
	if st != 200 || code != "" {
		t.Fatalf("reveal: %d %s", st, b)
	}
	var one struct{ RevealApplication json.RawMessage }
	var list struct{ Applications []json.RawMessage }
	json.Unmarshal(revealed, &one)
	json.Unmarshal(full, &list)
	var same bool
	for _, a := range list.Applications {
		same = same || bytes.Equal(one.RevealApplication, a)
	}
	if len(list.Applications) != 4 || !same {
		t.Fatalf("the reveal differs from the integration's clear data:\n%s\n%s", one.RevealApplication, full)
	}
	// The rules: an integration may not reveal; a reason outside the enum is refused; a
	// document holds one lookup; the cap (2 an hour here) answers TOO_MANY_REQUESTS.
	if _, code, _, b := e.graphql(t, crm, reveal, map[string]any{"seqNo": demoSeqNo, "reason": "CUSTOMER_REQUEST"}); code != apperr.Forbidden.String() {
		t.Errorf("integration reveal: %s", b)
	}
	if st, _, _, b := e.graphql(t, agent, reveal, map[string]any{"seqNo": demoSeqNo, "reason": "CURIOSITY"}); st == 200 {
		t.Errorf("reveal without a valid reason: %s", b)
	}
	both := `{ applications(phone: "0988123456") { seqNo } revealApplication(seqNo: "` + demoSeqNo + `", reason: CUSTOMER_REQUEST) { idno } }`
	if _, code, _, b := e.graphql(t, agent, both, nil); code != apperr.InvalidRequest.String() {
		t.Errorf("two lookups in one document: %s", b)
	}
	if _, code, _, b := e.graphql(t, agent, reveal, map[string]any{"seqNo": demoSeqNo, "reason": "COMPLAINT_HANDLING"}); code != "" {
		t.Errorf("second reveal: %s", b)
	}
	if st, code, _, b := e.graphql(t, agent, reveal, map[string]any{"seqNo": demoSeqNo, "reason": "CUSTOMER_REQUEST"}); st != 200 || code != apperr.TooManyRequests.String() {
		t.Errorf("third reveal in the hour: %d %s", st, b)
	}
	// Another agent has a cap of its own.
	other := e.idp.SignIn(t, "console", consoleRedirect, "agent002")
	if _, code, _, b := e.graphql(t, other, reveal, map[string]any{"seqNo": demoSeqNo, "reason": "CUSTOMER_REQUEST"}); code != "" {
		t.Errorf("another agent's reveal: %s", b)
	}

	db, err := sql.Open("pgx", e.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT agent_id, role, seq_no, reveal_reason, outcome FROM audit.lookup
		WHERE operation = '' AND reveal_reason <> '' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var a, r, s, reason, out string
		rows.Scan(&a, &r, &s, &reason, &out)
		got = append(got, strings.Join([]string{a, r, s, reason, out}, " "))
	}
	want := []string{
		"agent001 agent " + demoSeqNo + " CALLER_IDENTITY_VERIFIED OK",
		"crm integration  CUSTOMER_REQUEST FORBIDDEN",
		"agent001 agent " + demoSeqNo + " COMPLAINT_HANDLING OK",
		"agent001 agent " + demoSeqNo + " CUSTOMER_REQUEST TOO_MANY_REQUESTS",
		"agent002 agent " + demoSeqNo + " CUSTOMER_REQUEST OK",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("reveal rows:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestRevealCapHoldsUnderConcurrency: reveals sent at once cannot all pass the hourly cap by
// counting the trail before any of their rows is committed: of 12 sent together with a cap of
// 3, exactly 3 are served and 9 answer TOO_MANY_REQUESTS, each on its own audit row.
func TestRevealCapHoldsUnderConcurrency(t *testing.T) {
	e := newIDEnv(t, nil, func(o *server.Options) { o.RevealsPerHour = 3 })
	agent := e.idp.SignIn(t, "console", consoleRedirect, "agent001")
	reveal := `query($seqNo: String!, $reason: RevealReason!) { revealApplication(seqNo: $seqNo, reason: $reason) { seqNo } }`
	codes := make(chan string, 12)
	var wg sync.WaitGroup
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, code, _, _ := e.graphql(t, agent, reveal, map[string]any{"seqNo": demoSeqNo, "reason": "CUSTOMER_REQUEST"})
			codes <- code
		}()
	}
	wg.Wait()
	close(codes)
	count := map[string]int{}
	for c := range codes {
		count[c]++
	}
	if count[""] != 3 || count[apperr.TooManyRequests.String()] != 9 {
		t.Errorf("12 reveals at once with a cap of 3: %v, want 3 served and 9 TOO_MANY_REQUESTS", count)
	}
	db, err := sql.Open("pgx", e.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ok, refused int
	if err := db.QueryRow(`SELECT count(*) FILTER (WHERE outcome = 'OK'), count(*) FILTER (WHERE outcome = 'TOO_MANY_REQUESTS')
		FROM audit.lookup WHERE reveal_reason <> ''`).Scan(&ok, &refused); err != nil {
		t.Fatal(err)
	}
	if ok != 3 || refused != 9 {
		t.Errorf("audit rows: %d OK and %d TOO_MANY_REQUESTS reveals, want 3 and 9", ok, refused)
	}
}
