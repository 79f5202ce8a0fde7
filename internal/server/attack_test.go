package server_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"createinfo/internal/audit"
	"createinfo/internal/auth"
	"createinfo/internal/legacy"
	"createinfo/internal/server"
	"createinfo/tools/dbtest"
	"createinfo/tools/servertest"
)

// outcomes lists the audit trail as "outcome/attempts" per row, with the client address.
type outcomeRow struct {
	Outcome, Way, RequestID, ServerRequestID, SeqNos string
	Attempts, Count                                  int
}

func outcomes(t *testing.T, env *servertest.Env) []outcomeRow {
	t.Helper()
	db, err := sql.Open("pgx", env.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT outcome, way, request_id, server_request_id, array_to_string(seq_nos, ','),
		attempts, result_count FROM audit.lookup ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []outcomeRow
	for rows.Next() {
		var r outcomeRow
		if err := rows.Scan(&r.Outcome, &r.Way, &r.RequestID, &r.ServerRequestID, &r.SeqNos, &r.Attempts, &r.Count); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// TestOneLookupPerDocument: a document may hold only one applications field, however it is
// spelled (aliases, fragments, inline fragments); others are refused before any SQL, and the
// refusal is on the record with no seqNos.
func TestOneLookupPerDocument(t *testing.T) {
	env := servertest.New(t)
	docs := map[string]string{
		"aliases": `{ a: applications(phone: "0988123456") { seqNo } b: applications(idno: "N123456789") { seqNo } }`,
		"fragment": `{ applications(phone: "0988123456") { seqNo } ...F }
			fragment F on Query { other: applications(idno: "A123456789") { seqNo } }`,
		"inline fragment":  `{ ... on Query { applications(phone: "0988123456") { seqNo } } applications(seqNo: "x") { seqNo } }`,
		"same field twice": `{ applications(phone: "0988123456") { seqNo } applications(phone: "0988123456") { idno } }`,
	}
	for name, q := range docs {
		r := env.GraphQL(t, q, nil, nil)
		if r.Code() != "INVALID_REQUEST" || !strings.Contains(r.Errors[0].Message, "one lookup per request") ||
			(len(r.Data) > 0 && string(r.Data) != "null") {
			t.Errorf("%s: %s %+v", name, r.Data, r.Errors)
		}
		if n := env.LastStatements(); n != 0 {
			t.Errorf("%s: %d statements ran", name, n)
		}
	}
	// One lookup through a fragment is one lookup.
	var data struct{ Applications []struct{ SeqNo string } }
	r := env.GraphQL(t, `{ ...F } fragment F on Query { mine: applications(idno: "N123456789") { seqNo } }`, nil, nil)
	if len(r.Errors) > 0 {
		t.Fatalf("one lookup in a fragment: %+v", r.Errors)
	}
	json.Unmarshal(r.Data, &data)
	rows := outcomes(t, env)
	if len(rows) != len(docs)+1 {
		t.Fatalf("%d rows: %+v", len(rows), rows)
	}
	for _, row := range rows[:len(docs)] {
		if row.Outcome != "INVALID_REQUEST" || row.Count != 0 {
			t.Errorf("refused document recorded as %+v", row)
		}
	}
	if last := rows[len(docs)]; last.Outcome != "OK" || last.Count != 2 {
		t.Errorf("the lookup recorded as %+v", last)
	}
}

// fragmentChain is a document of n fragments, each spreading the one before it twice: under
// 1 KB per 20 levels, it expands to 2^n fields.
func fragmentChain(n int) string {
	var b strings.Builder
	b.WriteString("{ ...F0 }\nfragment Fz on Query { __typename }\n")
	fmt.Fprintf(&b, "fragment F%d on Query { ...Fz ...Fz }\n", n)
	for i := n - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i+1, i+1)
	}
	return b.String()
}

// TestDocumentChecksAreLinear: documents that made the checks exponential or quadratic are
// refused by the pre-validation pass, which visits each fragment once; a document full of
// errors answers a bounded number of them. (The pass's cost is measured by
// BenchmarkDocumentLimit in graph/, not timed here.)
func TestDocumentChecksAreLinear(t *testing.T) {
	env := servertest.New(t)
	wide := "{" + strings.Repeat(" __typename", 4900) + " }" // 2.6 s in validation before
	for name, c := range map[string]struct{ q, says string }{
		"fragment chain": {fragmentChain(60), "expands to more than"},
		"wide":           {wide, "__typename more than 8 times in one selection"},
	} {
		r := env.GraphQL(t, c.q, nil, nil)
		if r.Code() != "INVALID_REQUEST" || len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Message, c.says) {
			t.Errorf("%s: %+v", name, r.Errors)
		}
	}
	// A fragment cycle is refused too (validation would, but the pass must not loop first).
	r := env.GraphQL(t, `{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }`, nil, nil)
	if r.Code() != "INVALID_REQUEST" {
		t.Errorf("cycle: %+v", r.Errors)
	}
	// 400 unknown fields: 400 validation errors, at most 20 of them answered.
	var q strings.Builder
	q.WriteString("{")
	for i := range 400 {
		fmt.Fprintf(&q, " nosuch%d", i)
	}
	q.WriteString(" }")
	resp, body := env.Post(t, "/graphql", "application/json", mustJSON(map[string]any{"query": q.String()}))
	var g servertest.Response
	json.Unmarshal(body, &g)
	if len(g.Errors) != 20 || !strings.Contains(g.Errors[19].Message, "381 more errors") || len(body) > 4096 {
		t.Errorf("%d: %d errors, %d bytes; last %+v", resp.StatusCode, len(g.Errors), len(body), g.Errors[len(g.Errors)-1])
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestRefusedFloodIsAggregated: a flood of unauthenticated requests from one address adds
// REFUSED_PER_CLIENT rows, then the first 429 on a row of its own at once, then one row that
// counts the rest when the window ends; a valid key from the same address is still served and
// recorded on its own.
func TestRefusedFloodIsAggregated(t *testing.T) {
	secret, entry, _ := auth.NewKey("crm")
	keys, _ := auth.ParseKeys(entry)
	env := servertest.New(t, func(o *server.Options) {
		o.Auth = auth.NewChecker(keys)
		o.RefusedPerClient, o.RefusedWindow = 3, time.Hour
	})
	const flood = 40
	statuses := map[int]int{}
	for i := range flood {
		path := legacy.Path
		if i%2 == 1 {
			path = "/graphql"
		}
		resp, body := post(t, env.URL+path, `{"phone":"0988123456"}`, map[string]string{"Authorization": "Bearer wrong"})
		statuses[resp.StatusCode]++
		if resp.StatusCode == 429 && !strings.Contains(string(body), "TOO_MANY_REQUESTS") {
			t.Errorf("429 body %s", body)
		}
	}
	if statuses[401] != 3 || statuses[429] != flood-3 {
		t.Errorf("statuses %v", statuses)
	}
	good := map[string]string{"Authorization": "Bearer " + secret, "X-Agent-Id": "agent-007"}
	if resp, body := post(t, env.URL+legacy.Path, `{"phone":"0988123456"}`, good); resp.StatusCode != 200 {
		t.Fatalf("authenticated lookup from a limited address: %d %s", resp.StatusCode, body)
	}
	// A valid key without its agent is refused, but on its own row that names the key: it
	// is never aggregated, whatever the address sent before.
	noAgent := map[string]string{"Authorization": "Bearer " + secret}
	if resp, body := post(t, env.URL+legacy.Path, `{"phone":"0988123456"}`, noAgent); resp.StatusCode != 401 {
		t.Errorf("valid key without an agent from a limited address: %d %s", resp.StatusCode, body)
	}
	db, _ := sql.Open("pgx", env.DatabaseURL)
	defer db.Close()
	var keyed int
	if err := db.QueryRow(`SELECT count(*) FROM audit.lookup WHERE key_id = 'crm' AND outcome = 'UNAUTHORIZED'`).Scan(&keyed); err != nil || keyed != 1 {
		t.Errorf("rows of the valid key without an agent: %d, %v", keyed, err)
	}
	// The window's first 429 is on the record already, committed before it was answered: a
	// crash now would lose the count of the others, not the fact of the flood.
	if rows := outcomes(t, env); len(rows) != 6 || rows[3].Outcome != "TOO_MANY_REQUESTS" || rows[3].Attempts != 1 {
		t.Errorf("before the window ends: rows %+v", rows)
	}
	env.Stop() // the window's aggregated row is written, as on shutdown
	var rows []outcomeRow
	dbtest.Poll(t, "the aggregated row", 10*time.Second, func() bool { rows = outcomes(t, env); return len(rows) == 7 })
	attempts, byOutcome := 0, map[string]int{}
	for _, r := range rows {
		byOutcome[r.Outcome]++
		if r.Outcome != "OK" {
			attempts += r.Attempts
		}
	}
	if len(rows) != 7 || byOutcome["UNAUTHORIZED"] != 4 || byOutcome["TOO_MANY_REQUESTS"] != 2 || byOutcome["OK"] != 1 ||
		attempts != flood+1 || rows[6].Attempts != flood-4 {
		t.Errorf("rows %+v", rows)
	}
}

// TestEveryRefusalIsRecordedWithItsCode: GET /graphql, a malformed body, a body over the
// limit and a full admission queue each leave one row with the contract's code.
func TestEveryRefusalIsRecordedWithItsCode(t *testing.T) {
	env := servertest.New(t, func(o *server.Options) {
		o.MaxInFlight, o.QueueWait, o.MaxBodyBytes = 1, 100*time.Millisecond, 1024
	})
	req, _ := http.NewRequest(http.MethodGet, env.URL+"/graphql?query=%7B__typename%7D", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 {
		t.Errorf("GET /graphql: %d", resp.StatusCode)
	}
	env.Post(t, "/graphql", "application/json", `{"query": 5}`)
	env.Post(t, legacy.Path, "application/json", `{"phone":"`+strings.Repeat("0", 2000)+`"}`)

	release := holdLookup(t, env)
	if resp, _ := env.Post(t, legacy.Path, "application/json", `{"phone":"0988123456"}`); resp.StatusCode != 503 {
		t.Errorf("busy: %d", resp.StatusCode)
	}
	if st := release(); st != 200 {
		t.Errorf("the held lookup: %d", st)
	}
	var got []string
	for _, r := range outcomes(t, env) {
		got = append(got, r.Way+" "+r.Outcome)
	}
	want := "graphql METHOD_NOT_ALLOWED,graphql INVALID_REQUEST,legacy PAYLOAD_TOO_LARGE,legacy SERVICE_UNAVAILABLE,legacy OK"
	if strings.Join(got, ",") != want {
		t.Errorf("rows\n got %s\nwant %s", strings.Join(got, ","), want)
	}
}

// rawRequest opens a connection and sends a POST's headers and the first bytes of its body.
func rawRequest(t *testing.T, url, path string, contentLength int, body string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		path, contentLength, body)
	return conn
}

func readResponse(t *testing.T, conn net.Conn, within time.Duration) (*http.Response, string) {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(within))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer within %v: %v", within, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestSlowBodiesHoldNoSlot: connections trickling their bodies do not take lookup slots (the
// body is read before admission) and are cut off after BODY_READ_TIMEOUT; a body declared
// larger than the limit is refused before it is sent, on both ways in.
func TestSlowBodiesHoldNoSlot(t *testing.T) {
	env := servertest.New(t, func(o *server.Options) {
		o.MaxInFlight, o.QueueWait, o.BodyReadTimeout = 2, 200*time.Millisecond, 3*time.Second
	})
	var slow []net.Conn
	for range 4 {
		slow = append(slow, rawRequest(t, env.URL, legacy.Path, 100, `{`))
	}
	env.WaitRequests(t, 4) // the four have reached the service
	resp, body := env.Post(t, legacy.Path, "application/json", `{"phone":"0988123456"}`)
	if resp.StatusCode != 200 {
		t.Errorf("a lookup while slow bodies trickle: %d %s", resp.StatusCode, body)
	}
	for _, c := range slow {
		resp, body := readResponse(t, c, 10*time.Second)
		if resp.StatusCode != 400 || !strings.Contains(body, "did not arrive") {
			t.Errorf("slow body: %d %s", resp.StatusCode, body)
		}
	}
	for _, path := range []string{"/graphql", legacy.Path} {
		c := rawRequest(t, env.URL, path, 10<<20, "")
		resp, body := readResponse(t, c, 5*time.Second)
		if resp.StatusCode != 413 || !strings.Contains(body, "PAYLOAD_TOO_LARGE") {
			t.Errorf("%s declared too large: %d %s", path, resp.StatusCode, body)
		}
	}
}

// TestKeyedChain: whoever can write the table but does not hold AUDIT_CHAIN_KEY cannot edit a
// row and recompute the chain, append a row as the service role, or remove the newest rows
// past a logged checkpoint without Verify saying so.
func TestKeyedChain(t *testing.T) {
	env := servertest.New(t)
	for _, body := range []string{`{"phone":"0988123456"}`, `{"idno":"N123456789"}`, `{"seqNo":"x"}`, `{"phone":"123"}`} {
		env.Post(t, legacy.Path, "application/json", body)
	}
	// The checkpoint of the fourth row, from the service's log.
	re := regexp.MustCompile(`checkpoint=(4\.[0-9a-f]{64}\.[0-9a-f]{64})`)
	var m []string
	dbtest.Poll(t, "the fourth row's checkpoint in the log", 10*time.Second, func() bool {
		m = re.FindStringSubmatch(env.Logs())
		return m != nil
	})
	cp, err := audit.ParseCheckpoint(m[1], servertest.ChainKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := audit.ParseCheckpoint(cp.Sign([]byte("another-key-0123456789abcdef0123456789")), servertest.ChainKey); err == nil {
		t.Error("a checkpoint signed with another key was accepted")
	}

	db, _ := sql.Open("pgx", env.DatabaseURL)
	defer db.Close()
	ctx := context.Background()
	verify := func(cp *audit.Checkpoint) error {
		_, err := audit.Verify(ctx, db, servertest.ChainKey, cp)
		return err
	}
	if err := verify(&cp); err != nil {
		t.Fatalf("intact trail: %v", err)
	}
	if err := verify(nil); err != nil {
		t.Fatal(err)
	}
	// Without the key, a MAC cannot be recomputed: a wrong key fails the first row.
	if _, err := audit.Verify(ctx, db, []byte("wrong-key-0123456789abcdef0123456789"), nil); err == nil {
		t.Error("the trail verifies under another key")
	}

	// Forge as the service role: a row chained to the last one, its MAC computed without
	// the key (plain SHA-256 of the fields, the best the role can do).
	// must fails the test on a step's error: a step that silently failed (a SET ROLE that did
	// not switch, a trigger still on) would let the case pass for the wrong reason.
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	conn, err := db.Conn(ctx)
	must(conn, err)
	defer conn.Close()
	must(conn.ExecContext(ctx, `SET ROLE createinfo_service`))
	var prev, user string
	must(nil, conn.QueryRowContext(ctx, `SELECT hash, current_user FROM audit.lookup ORDER BY id DESC LIMIT 1`).Scan(&prev, &user))
	if user != "createinfo_service" {
		t.Fatalf("forging as %q, not as the service role", user)
	}
	sum := sha256.Sum256([]byte(prev + "forged"))
	for _, keyed := range []bool{true, false} {
		if _, err := conn.ExecContext(ctx, `INSERT INTO audit.lookup (at, request_id, way, outcome, keyed, prev_hash, hash)
			VALUES (now(), 'forged', 'legacy', 'OK', $1, $2, $3)`, keyed, prev, hex.EncodeToString(sum[:])); err != nil {
			t.Fatalf("insert as the service role: %v", err)
		}
		if err := verify(&cp); err == nil || !strings.Contains(err.Error(), "forged") {
			t.Errorf("forged row (keyed %v): %v", keyed, err)
		}
		// Take it out again (as the owner, trigger off) for the next case.
		must(db.Exec(`ALTER TABLE audit.lookup DISABLE TRIGGER lookup_append_only`))
		must(db.Exec(`DELETE FROM audit.lookup WHERE id >= 5`))
		must(db.Exec(`ALTER TABLE audit.lookup ENABLE TRIGGER lookup_append_only`))
	}
	must(conn.ExecContext(ctx, `RESET ROLE`))
	if err := verify(&cp); err != nil {
		t.Fatalf("after removing the forged rows: %v", err)
	}

	// Edit a row and recompute every link after it, without the key.
	must(db.Exec(`ALTER TABLE audit.lookup DISABLE TRIGGER lookup_append_only`))
	tx, err := db.Begin()
	must(tx, err)
	must(tx.Exec(`UPDATE audit.lookup SET result_count = 0, seq_nos = '{}' WHERE id = 2`))
	rows, err := tx.Query(`SELECT id, prev_hash FROM audit.lookup WHERE id >= 2 ORDER BY id`)
	must(rows, err)
	var ids []int64
	for rows.Next() {
		var id int64
		var p string
		must(nil, rows.Scan(&id, &p))
		ids = append(ids, id)
	}
	must(nil, rows.Err())
	rows.Close()
	link := ""
	for i, id := range ids {
		if i > 0 {
			must(tx.Exec(`UPDATE audit.lookup SET prev_hash = $1 WHERE id = $2`, link, id))
		}
		s := sha256.Sum256([]byte(fmt.Sprint("recomputed", id, link)))
		link = hex.EncodeToString(s[:])
		must(tx.Exec(`UPDATE audit.lookup SET hash = $1 WHERE id = $2`, link, id))
	}
	must(nil, tx.Commit())
	if err := verify(nil); err == nil || !strings.Contains(err.Error(), "row 2 was altered") {
		t.Errorf("edited and recomputed: %v", err)
	}

	// Delete the newest rows: the chain that is left is intact, so only the checkpoint
	// tells. (A fresh database: the edited one above is broken already.)
	env2 := servertest.New(t)
	for range 4 {
		env2.Post(t, legacy.Path, "application/json", `{"phone":"0988123456"}`)
	}
	db2, err := sql.Open("pgx", env2.DatabaseURL)
	must(db2, err)
	defer db2.Close()
	var mac4 string
	must(nil, db2.QueryRow(`SELECT hash FROM audit.lookup WHERE id = 4`).Scan(&mac4))
	cp4 := audit.Checkpoint{ID: 4, MAC: mac4}
	must(db2.Exec(`ALTER TABLE audit.lookup DISABLE TRIGGER lookup_append_only`))
	must(db2.Exec(`DELETE FROM audit.lookup WHERE id >= 3`))
	if _, err := audit.Verify(ctx, db2, servertest.ChainKey, nil); err != nil {
		t.Errorf("without a checkpoint, a trimmed trail still verifies: %v", err)
	}
	if _, err := audit.Verify(ctx, db2, servertest.ChainKey, &cp4); err == nil || !strings.Contains(err.Error(), "rows missing after row 2") {
		t.Errorf("trimmed trail with a checkpoint: %v", err)
	}
}

// TestServerRequestID: the audit row keeps the caller's X-Request-Id and the server's own
// unique id, so two requests sending the same id stay apart.
func TestServerRequestID(t *testing.T) {
	env := servertest.New(t)
	for range 2 {
		post(t, env.URL+legacy.Path, `{"seqNo":"x"}`, map[string]string{"X-Request-Id": "same-id"})
	}
	rows := outcomes(t, env)
	if len(rows) != 2 || rows[0].RequestID != "same-id" || rows[1].RequestID != "same-id" ||
		rows[0].ServerRequestID == "" || rows[0].ServerRequestID == rows[1].ServerRequestID {
		t.Errorf("rows %+v", rows)
	}
}

// TestPersonalRequestIDNotKept: a caller's X-Request-Id shaped like a phone or ID number is
// neither echoed, logged nor stored (the audit row keeps phone and ID numbers only as HMACs):
// the server's own id stands in for it.
func TestPersonalRequestIDNotKept(t *testing.T) {
	env := servertest.New(t)
	ids := []string{"0988123456", "A123456789", "crm-0988123456", // and with separators between the digits:
		"0988.123.456", "0988_123_456", "A.123456789", "N_123_456_789", "req.0988-123.456"}
	for _, id := range ids {
		resp, _ := post(t, env.URL+legacy.Path, `{"seqNo":"x"}`, map[string]string{"X-Request-Id": id})
		if got := resp.Header.Get("X-Request-Id"); got == id || got == "" {
			t.Errorf("X-Request-Id %s answered as %q", id, got)
		}
	}
	for _, r := range outcomes(t, env) {
		if r.RequestID != r.ServerRequestID {
			t.Errorf("row kept the caller's id %q", r.RequestID)
		}
	}
	if rows := outcomes(t, env); len(rows) != len(ids) {
		t.Errorf("%d rows for %d requests", len(rows), len(ids))
	}
	for _, id := range ids {
		if logs := env.Logs(); strings.Contains(logs, id) {
			t.Errorf("the personal request id %s was logged:\n%s", id, logs)
		}
	}
}

// TestPersonalAgentIDRefused: an X-Agent-Id holding a phone or ID number, with or without
// separators, is refused 401 UNAUTHORIZED even with a valid key, both ways in, and on the record
// (with the key, without the agent); the agent id is neither logged nor stored.
func TestPersonalAgentIDRefused(t *testing.T) {
	secret, entry, _ := auth.NewKey("crm")
	keys, _ := auth.ParseKeys(entry)
	env := servertest.New(t, func(o *server.Options) { o.Auth = auth.NewChecker(keys) })
	agents := []string{"A123456789", "N_123_456_789", "0988.123.456", "agent-A.123.456.789"}
	for _, agent := range agents {
		h := map[string]string{"Authorization": "Bearer " + secret, "X-Agent-Id": agent}
		if resp, body := post(t, env.URL+legacy.Path, `{"seqNo":"x"}`, h); resp.StatusCode != 401 ||
			!strings.Contains(string(body), `"errorCode":"UNAUTHORIZED"`) {
			t.Errorf("legacy, agent %s: %d %s", agent, resp.StatusCode, body)
		}
		if resp, body := post(t, env.URL+"/graphql", `{"query":"{ __typename }"}`, h); resp.StatusCode != 401 ||
			!strings.Contains(string(body), `"UNAUTHORIZED"`) {
			t.Errorf("graphql, agent %s: %d %s", agent, resp.StatusCode, body)
		}
	}
	db, err := sql.Open("pgx", env.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM audit.lookup WHERE outcome = 'UNAUTHORIZED' AND key_id = 'crm' AND agent_id = ''`).Scan(&n); err != nil || n != 2*len(agents) {
		t.Errorf("%d UNAUTHORIZED rows with the key and no agent (%v), want %d", n, err, 2*len(agents))
	}
	for _, agent := range agents {
		if strings.Contains(env.Logs(), agent) {
			t.Errorf("agent %s logged", agent)
		}
	}
	// The attacker's control: a plain agent id with the same key is served.
	if resp, body := post(t, env.URL+legacy.Path, `{"seqNo":"x"}`, map[string]string{"Authorization": "Bearer " + secret,
		"X-Agent-Id": "agent-007"}); resp.StatusCode != 200 {
		t.Errorf("agent-007: %d %s", resp.StatusCode, body)
	}
}

// TestOperationNameKeptOnlyFromTheDocument: the audit row's operation is the name of the
// operation the document holds, never a caller's operationName that names none (free text, as
// long as the body) nor a name shaped like a phone or ID number.
func TestOperationNameKeptOnlyFromTheDocument(t *testing.T) {
	env := servertest.New(t)
	for _, body := range []string{
		`{"query":"query Q { applications(seqNo: \"x\") { seqNo } }","operationName":"0988123456"}`,
		`{"query":"query Q { applications(seqNo: \"x\") { seqNo } }","operationName":"` + strings.Repeat("x", 5000) + `"}`,
		`{"query":"query A123456789 { applications(seqNo: \"x\") { seqNo } }"}`,
		`{"query":"query Q { applications(seqNo: \"x\") { seqNo } }","operationName":"Q"}`,
	} {
		env.Post(t, "/graphql", "application/json", body)
	}
	db, _ := sql.Open("pgx", env.DatabaseURL)
	defer db.Close()
	rows, err := db.Query(`SELECT operation FROM audit.lookup ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ops []string
	for rows.Next() {
		var op string
		rows.Scan(&op)
		ops = append(ops, op)
	}
	if want := []string{"", "", "", "Q"}; fmt.Sprint(ops) != fmt.Sprint(want) {
		t.Errorf("operations %.200q, want %q", ops, want)
	}
}

// TestSmallLeaks: no schema suggestions, no echo of the body or Go types in decode errors,
// no caching or sniffing of answers, and introspection attempts in production refused
// without an error log line that quotes the caller's alias.
func TestSmallLeaks(t *testing.T) {
	env := servertest.New(t, func(o *server.Options) { o.Development = false })
	for name, q := range map[string]string{
		"argument":           `{ applications(phon: "0988123456") { seqNo } }`,
		"type":               `query($p: Strin) { applications(phone: $p) { seqNo } }`,
		"directive argument": `{ applications(phone: "0988123456") { seqNo @include(iff: true) } }`,
	} {
		r := env.GraphQL(t, q, nil, nil)
		if r.Code() != "INVALID_REQUEST" || strings.Contains(fmt.Sprint(r.Errors), "Did you mean") {
			t.Errorf("%s: %+v", name, r.Errors)
		}
	}
	for _, body := range []string{`{"query": 5}`, `{"query":"{ __typename }","variables":"0988123456"}`, `{"query":"x"`,
		`{"QUERY": ["0988123456"]}`, `{"query":{"a":"0988123456"},"query":"{ __typename }"}`} {
		resp, b := env.Post(t, "/graphql", "application/json", body)
		for _, leak := range []string{"RawParams", "Go ", "json:", "0988123456", "map[", "unmarshal"} {
			if strings.Contains(string(b), leak) {
				t.Errorf("%s: %d %s holds %q", body, resp.StatusCode, b, leak)
			}
		}
	}
	resp, _ := env.Post(t, "/graphql", "application/json", `{"query":"{ __typename }"}`)
	if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers %v", resp.Header)
	}
	r := env.GraphQL(t, `{ secretAlias: __schema { types { name } } }`, nil, nil)
	if r.Code() != "INVALID_REQUEST" {
		t.Errorf("introspection in production: %+v", r.Errors)
	}
	if logs := env.Logs(); strings.Contains(logs, "secretAlias") || strings.Contains(logs, "level=ERROR") {
		t.Errorf("the introspection attempt was logged as an error:\n%s", logs)
	}
}
