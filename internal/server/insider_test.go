package server_test

import (
	"database/sql"
	"strings"
	"testing"

	"createinfo/internal/metrics"
	"createinfo/internal/server"
	"createinfo/tools/oidc"
)

// An agent over a threshold in the last hour is flagged (row, counter without the agent, WARN
// line naming it) and still served; other agents and integrations are not flagged.
func TestInsiderAbuseSignal(t *testing.T) {
	m := metrics.New()
	e := newIDEnv(t, nil, func(o *server.Options) {
		o.Metrics = m
		o.AgentLookupsPerHour, o.AgentCustomersPerHour = 2, 3
	})
	agent := e.idp.SignIn(t, "console", consoleRedirect, "agent001")
	other := e.idp.SignIn(t, "console", consoleRedirect, "agent002")
	crm := e.idp.ClientToken(t, "crm", "crm-secret", oidc.Audience)
	q := func(tok, cond string) {
		t.Helper()
		st, code, data, b := e.graphql(t, tok, `{ applications(`+cond+`) { seqNo } }`, nil)
		if st != 200 || code != "" || !strings.Contains(string(data), "seqNo") {
			t.Fatalf("lookup %s: %d %s", cond, st, b)
		}
	}
	q(agent, `phone: "0988123456"`) // 4 customers: over 3
	q(agent, `idno: "N123456789"`)  // 2 lookups, still 4 customers
	q(agent, `seqNo: "DEMO-APP-N-02"`)
	q(other, `idno: "N123456789"`)
	for i := 0; i < 4; i++ {
		q(crm, `phone: "0988123456"`)
	}

	db, err := sql.Open("pgx", e.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT agent_id, array_to_string(flags, ' '), cardinality(customers), outcome FROM audit.lookup ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var a, f, out string
		var n int
		rows.Scan(&a, &f, &n, &out)
		got = append(got, strings.Join([]string{a, f, out}, "|")+"|"+string(rune('0'+n)))
	}
	want := []string{
		"agent001|distinct_customers_per_hour|OK|4",
		"agent001|distinct_customers_per_hour|OK|1",
		"agent001|lookups_per_hour distinct_customers_per_hour|OK|1",
		"agent002||OK|1",
		"crm||OK|4", "crm||OK|4", "crm||OK|4", "crm||OK|4",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("rows:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	samples, body := scrape(t, m)
	if samples[`createinfo_agent_threshold_exceeded_total{threshold="distinct_customers_per_hour"}`] != 3 ||
		samples[`createinfo_agent_threshold_exceeded_total{threshold="lookups_per_hour"}`] != 1 {
		t.Errorf("threshold counters:\n%s", body)
	}
	if strings.Contains(body, "agent001") {
		t.Error("a metric names the agent")
	}
	if n := strings.Count(e.Logs(), `level=WARN msg="agent over an insider-abuse threshold" agent=agent001`); n != 4 {
		t.Errorf("%d WARN lines naming agent001, want 4", n)
	}
}
