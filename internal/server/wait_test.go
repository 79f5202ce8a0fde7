package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"createinfo/internal/console"
	"createinfo/internal/legacy"
	"createinfo/internal/server"
	"createinfo/tools/oidc"
)

// Every list of a response, the root field's applications included, is marshalled in order
// (graph.marshalInOrder), on the promise that the priming walk has fetched everything an
// element reads: an element that still went to a loader would wait for its batch timer, one
// element after another. Here that timer is 30 s (LOADER_WAIT; a loader's wait outlasts the
// request's timeout), so any such element holds its request that long, which ask reports
// after 10 s: a time no answer of this test comes near, not a measure (and the failing test
// ends when the timer does). Every document
// of the service answers a phone of six applications (one of them without any child, codes
// missing from their tables or blank, a flag without its AML detail) with exactly the
// statements of its shape, code tables cached and not, through every way in: GraphQL as an
// integration, the legacy endpoint, the console's screen as an agent (masked), and
// revealApplication (one application, the legacy tree's selection).
func TestNothingWaitsForALoaderTimer(t *testing.T) {
	const phone = "0900000006"
	reveal := strings.NewReplacer("($idno: String, $phone: String, $seqNo: String)", "($seqNo: String!)",
		"applications(idno: $idno, phone: $phone, seqNo: $seqNo)", "revealApplication(seqNo: $seqNo, reason: CUSTOMER_REQUEST)").
		Replace(legacy.Document())
	if strings.Count(reveal, "revealApplication") != 1 || strings.Contains(reveal, "$idno") {
		t.Fatal("the legacy document's root field is not where this test looks for it")
	}
	for _, c := range []struct {
		name string
		ttl  time.Duration
		// statements per document, its second request (the first of a cached run also reads
		// the code tables): the full tree, the screen, the reveal
		tree, screen, reveal int64
	}{
		// 1 applications, 7 children and pay taxes (TestNoNPlusOne), 6 code tables' reads
		// (industry, job, idIssueCity, idIssueWay of the details, of the OCR details, country).
		{"code tables not cached", 0, 14, 9, 14},
		{"code tables cached", time.Minute, 8, 7, 8},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newIDEnv(t, nil, func(o *server.Options) {
				o.LoaderWait = 30 * time.Second
				o.CodeCacheTTL = c.ttl
			})
			insertApplications(t, e.Env, phone, "SIX", 5)
			// The bank's tables may hold codes their code tables lack (the demo schema's
			// foreign keys, dropped here, are the test data's own).
			e.Exec(t, `
ALTER TABLE account.create_detail DROP CONSTRAINT create_detail_industry_code_fkey,
	DROP CONSTRAINT create_detail_job_code_fkey, DROP CONSTRAINT create_detail_id_issue_city_code_fkey;
ALTER TABLE account.ocr_flag_detail DROP CONSTRAINT ocr_flag_detail_id_issue_way_code_fkey;
ALTER TABLE account.pay_taxes DROP CONSTRAINT pay_taxes_country_code_fkey;
INSERT INTO account.create_master (seq_no, phone_number, idno, status, create_time)
VALUES ('SIX-bare', '`+phone+`', 'Q000000099', 'L0', now() - interval '9 days');
UPDATE account.create_detail SET industry_code = '99999', job_code = '' WHERE seq_no = 'CD-SIX-1-1';
UPDATE account.create_detail SET job_code = NULL, id_issue_city_code = '' WHERE seq_no = 'CD-SIX-2-2';
UPDATE account.manual_review_flag SET aml = NULL WHERE create_master_seq_no = 'SIX-3';
UPDATE account.ocr_flag_detail SET id_issue_way_code = '9' WHERE seq_no IN (SELECT ocr FROM account.manual_review_flag WHERE create_master_seq_no = 'SIX-4');
UPDATE account.pay_taxes SET country_code = 'ZZ' WHERE idno = 'Q000000005';`)
			agent := e.idp.SignIn(t, "console", consoleRedirect, "agent001")
			crm := e.idp.ClientToken(t, "crm", "crm-secret", oidc.Audience)
			apps := func(what string, data json.RawMessage, want int) {
				t.Helper()
				var got struct {
					Applications      []struct{ SeqNo string }
					RevealApplication *struct{ SeqNo string }
				}
				if err := json.Unmarshal(data, &got); err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				n := len(got.Applications)
				if got.RevealApplication != nil {
					n = 1
				}
				if n != want {
					t.Fatalf("%s: %d applications, want %d: %s", what, n, want, data)
				}
			}
			for round := range 2 {
				check := func(what string, want int64) {
					t.Helper()
					if got := e.LastStatements(); round == 1 || c.ttl == 0 {
						if got != want {
							t.Errorf("%s: %d statements, want %d", what, got, want)
						}
					}
				}
				for _, d := range []struct {
					what, tok, doc string
					vars           map[string]any
					apps           int
					statements     int64
				}{
					{"full tree", crm, legacy.Document(), map[string]any{"phone": phone}, 6, c.tree},
					{"screen", agent, console.LookupDocument(), map[string]any{"phone": phone}, 6, c.screen},
					{"reveal", agent, reveal, map[string]any{"seqNo": "SIX-4"}, 1, c.reveal},
				} {
					body, _ := json.Marshal(map[string]any{"query": d.doc, "variables": d.vars})
					st, b := ask(t, d.what, e.URL+"/graphql", string(body), d.tok)
					var r struct{ Data json.RawMessage }
					if err := json.Unmarshal(b, &r); st != 200 || err != nil || strings.Contains(string(b), `"errors"`) {
						t.Fatalf("%s: %d %s", d.what, st, b)
					}
					apps(d.what, r.Data, d.apps)
					check(d.what, d.statements)
				}
				st, b := ask(t, "legacy", e.URL+legacy.Path, `{"phone":"`+phone+`"}`, crm)
				var env struct {
					Success bool
					Data    json.RawMessage
				}
				if err := json.Unmarshal(b, &env); st != 200 || err != nil || !env.Success {
					t.Fatalf("legacy: %d %s", st, b)
				}
				apps("legacy", []byte(`{"applications":`+string(env.Data)+`}`), 6)
				check("legacy", c.tree)
			}
		})
	}
}

// ask posts body to url with the bearer token tok, and fails the test when no answer comes
// within 10 s: an element of the response waits for a loader's batch timer.
func ask(t *testing.T, what, url, body, tok string) (int, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: no answer (an element waits for a loader's batch timer?): %v", what, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return resp.StatusCode, b
}
