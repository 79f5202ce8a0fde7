package legacy_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"createinfo/graph"
	"createinfo/internal/apperr"
	"createinfo/internal/legacy"
	"createinfo/internal/server"
	"createinfo/store"
	"createinfo/tools/dbtest"
	"createinfo/tools/servertest"
)

type failure struct {
	Success *bool
	Error   struct {
		ErrorCode    apperr.Code // unmarshals only one of the codes
		ErrorMessage string
	}
}

// checkFailure asserts the failure envelope with code and status, and that the body reveals
// nothing internal.
func checkFailure(t *testing.T, resp *http.Response, body []byte, status int, code apperr.Code) {
	t.Helper()
	var f failure
	if err := json.Unmarshal(body, &f); err != nil {
		t.Fatalf("not JSON: %s", body)
	}
	if resp.StatusCode != status || f.Success == nil || *f.Success || f.Error.ErrorCode != code || f.Error.ErrorMessage == "" {
		t.Errorf("got %d %s, want %d %s", resp.StatusCode, body, status, code)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	for _, leak := range []string{"SELECT", "select ", "account.", "create_master", "SQLSTATE", "goroutine", ".go:", "pgx", "127.0.0.1", "postgres"} {
		if strings.Contains(string(body), leak) {
			t.Errorf("body reveals %q: %s", leak, body)
		}
	}
}

func TestClientErrors(t *testing.T) {
	env := servertest.New(t, func(o *server.Options) { o.MaxResults = 3; o.MaxBodyBytes = 1024 })
	cases := []struct {
		name, body string
		status     int
		code       apperr.Code
	}{
		{"malformed JSON", `{"phone": `, 400, apperr.InvalidRequest},
		{"empty body", ``, 400, apperr.InvalidRequest},
		{"array", `[{"phone": "0988123456"}]`, 400, apperr.InvalidRequest},
		{"string", `"0988123456"`, 400, apperr.InvalidRequest},
		{"null", `null`, 400, apperr.InvalidRequest},
		{"two objects", `{"phone": "0988123456"} {}`, 400, apperr.InvalidRequest},
		{"phone as number", `{"phone": 988123456}`, 400, apperr.InvalidRequest},
		{"idno as boolean", `{"idno": true}`, 400, apperr.InvalidRequest},
		{"seqNo as object", `{"seqNo": {"$ne": ""}}`, 400, apperr.InvalidRequest},
		{"no condition", `{}`, 400, apperr.MissingCondition},
		{"only unknown keys", `{"name": "王小明"}`, 400, apperr.MissingCondition},
		{"blank conditions", `{"idno": " ", "phone": "", "seqNo": null}`, 400, apperr.MissingCondition},
		{"bad idno", `{"idno": "A12345"}`, 400, apperr.InvalidIdno},
		{"bad phone", `{"phone": "02-2345-6789"}`, 400, apperr.InvalidPhone},
		{"bad seqNo", `{"seqNo": "1; DROP TABLE x"}`, 400, apperr.InvalidSeqNo},
		{"too many results", `{"phone": "0988123456"}`, 422, apperr.TooManyResults},
		{"body over the limit", `{"phone": "0988123456", "pad": "` + strings.Repeat("x", 2000) + `"}`, 413, apperr.PayloadTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := env.Post(t, legacy.Path, "application/json", c.body)
			checkFailure(t, resp, body, c.status, c.code)
		})
	}
	// Unknown keys are ignored.
	if resp, body := env.Post(t, legacy.Path, "application/json", `{"idno": "N123456789", "extra": [1]}`); resp.StatusCode != 200 {
		t.Errorf("unknown key: %d %s", resp.StatusCode, body)
	}
}

func TestWrongMethod(t *testing.T) {
	env := servertest.New(t)
	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
		req, _ := http.NewRequest(method, env.URL+legacy.Path, strings.NewReader(`{"phone":"0988123456"}`))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		checkFailure(t, resp, body, 405, apperr.MethodNotAllowed)
		if resp.Header.Get("Allow") != "POST" {
			t.Errorf("%s: Allow %q", method, resp.Header.Get("Allow"))
		}
	}
}

func TestDatabaseUnreachable(t *testing.T) {
	env := servertest.NewUnreachable(t)
	start := time.Now()
	resp, body := env.Post(t, legacy.Path, "application/json", `{"phone": "0988123456"}`)
	checkFailure(t, resp, body, 503, apperr.ServiceUnavailable)
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v", d)
	}
	if code, _ := servertest.Get(env.URL + "/readyz"); code != 503 {
		t.Errorf("/readyz = %d while the database is unreachable", code)
	}
}

func TestDeadline(t *testing.T) {
	env := servertest.New(t, func(o *server.Options) { o.RequestTimeout = 300 * time.Millisecond })
	// Hold a lock that the lookup must wait for, past its deadline.
	db, err := sql.Open("pgx", env.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`LOCK TABLE account.create_master IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	resp, body := env.Post(t, legacy.Path, "application/json", `{"phone": "0988123456"}`)
	checkFailure(t, resp, body, 504, apperr.Timeout)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("answered after %v", d)
	}
	tx.Rollback()
	// The cancelled query does not linger in PostgreSQL.
	dbtest.Poll(t, "the cancelled lookup to leave pg_stat_activity", 2*time.Second, func() bool {
		var n int
		err := db.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
			AND application_name = 'createinfo' AND state = 'active'`).Scan(&n)
		if err != nil {
			t.Fatal(err) // the poll's own query failing is no answer
		}
		return n == 0
	})
}

// TestPanicIsInternalError serves the endpoint without the loaders middleware, a wiring
// error that makes the resolvers panic: the answer is a bare INTERNAL_ERROR.
func TestPanicIsInternalError(t *testing.T) {
	env := servertest.New(t)
	o := graph.Options{Store: store.New(env.DB), MaxResults: 200}
	h := legacy.NewHandler(graph.NewExecutor(graph.NewSchema(o), o), nil)
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Post(srv.URL, "application/json", strings.NewReader(`{"seqNo": "`+sampleSeqNo+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	checkFailure(t, resp, body, 500, apperr.Internal)
}
