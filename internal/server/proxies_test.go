package server_test

import (
	"database/sql"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"createinfo/internal/auth"
	"createinfo/internal/legacy"
	"createinfo/internal/server"
	"createinfo/tools/dbtest"
	"createinfo/tools/servertest"
)

// refusedEnv is a service with keys (so that a wrong one is refused), REFUSED_PER_CLIENT 3 and
// REFUSED_TOTAL total in a window that ends only when the service stops (env.Stop), behind proxies.
func refusedEnv(t *testing.T, total int, proxies ...string) *servertest.Env {
	_, entry, _ := auth.NewKey("crm")
	keys, _ := auth.ParseKeys(entry)
	env := servertest.New(t, func(o *server.Options) {
		o.Auth = auth.NewChecker(keys)
		o.RefusedPerClient, o.RefusedTotal, o.RefusedWindow = 3, total, time.Hour
		for _, p := range proxies {
			o.TrustedProxies = append(o.TrustedProxies, netip.MustParsePrefix(p))
		}
	})
	return env
}

// refusedFrom sends one unauthenticated request as if forwarded for xff and returns its status.
func refusedFrom(t *testing.T, env *servertest.Env, xff string) int {
	t.Helper()
	h := map[string]string{"Authorization": "Bearer wrong"}
	if xff != "" {
		h["X-Forwarded-For"] = xff
	}
	resp, _ := post(t, env.URL+legacy.Path, `{"seqNo":"x"}`, h)
	return resp.StatusCode
}

// clientRows are the audit rows' client addresses and attempts, by outcome.
func clientRows(t *testing.T, env *servertest.Env) []string {
	t.Helper()
	db, err := sql.Open("pgx", env.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT outcome, client_addr, attempts FROM audit.lookup ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var outcome, addr string
		var n int
		if err := rows.Scan(&outcome, &addr, &n); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s %s %d", outcome, addr, n))
	}
	return out
}

// TestRefusalsKeyedBehindProxies: behind a trusted proxy (the test client's 127.0.0.1), the
// client is X-Forwarded-For's rightmost hop that is not a trusted proxy; IPv6 clients count by
// their /64, so rotating the low bits of an address gains nothing; what a client writes left of
// its own hop is not believed. Without TRUSTED_PROXIES, nobody's header is believed.
func TestRefusalsKeyedBehindProxies(t *testing.T) {
	env := refusedEnv(t, 0, "127.0.0.1/32", "10.0.0.0/8")
	var got []int
	for i := range 5 { // one /64, five addresses, each behind the client's own claim and a second proxy
		got = append(got, refusedFrom(t, env, fmt.Sprintf("192.0.2.%d, 2001:db8:1:2::%x, 10.1.1.1", i, i+1)))
	}
	got = append(got, refusedFrom(t, env, "2001:db8:1:3::1")) // another /64
	got = append(got, refusedFrom(t, env, "198.51.100.7"))
	if fmt.Sprint(got) != "[401 401 401 429 429 401 401]" {
		t.Errorf("statuses %v", got)
	}
	rows := clientRows(t, env)
	want := []string{"UNAUTHORIZED 2001:db8:1:2::1 1", "UNAUTHORIZED 2001:db8:1:2::2 1", "UNAUTHORIZED 2001:db8:1:2::3 1",
		"TOO_MANY_REQUESTS 2001:db8:1:2::4 1", "UNAUTHORIZED 2001:db8:1:3::1 1", "UNAUTHORIZED 198.51.100.7 1"}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Errorf("rows %q\nwant %q", rows, want)
	}

	// The attacker's variant: no trusted proxy, so a forged X-Forwarded-For changes nothing.
	env2 := refusedEnv(t, 0)
	got = got[:0]
	for i := range 5 {
		got = append(got, refusedFrom(t, env2, fmt.Sprintf("198.51.100.%d", i)))
	}
	if fmt.Sprint(got) != "[401 401 401 429 429]" {
		t.Errorf("forged X-Forwarded-For without a trusted proxy: %v", got)
	}
	for _, r := range clientRows(t, env2) {
		if r[len(r)-len(" 127.0.0.1 1"):] != " 127.0.0.1 1" {
			t.Errorf("row %q does not name the peer", r)
		}
	}
}

// TestRefusalsCappedAcrossAddresses: 40 refused requests from 40 addresses (behind a trusted
// proxy) record REFUSED_TOTAL of them one by one; the rest are answered 429, the first of
// them on a row at once, the others counted in one row for all addresses when the window ends.
func TestRefusalsCappedAcrossAddresses(t *testing.T) {
	env := refusedEnv(t, 5, "127.0.0.1/32")
	statuses := map[int]int{}
	for i := range 40 {
		statuses[refusedFrom(t, env, fmt.Sprintf("198.51.100.%d", i))]++
	}
	if statuses[401] != 5 || statuses[429] != 35 {
		t.Errorf("statuses %v", statuses)
	}
	if rows := clientRows(t, env); len(rows) != 6 || rows[5] != "TOO_MANY_REQUESTS 198.51.100.5 1" {
		t.Errorf("before the window ends: %q", rows)
	}
	env.Stop() // the window ends, as on shutdown
	var rows []string
	dbtest.Poll(t, "the aggregated row", 10*time.Second, func() bool { rows = clientRows(t, env); return len(rows) == 7 })
	if rows[6] != "TOO_MANY_REQUESTS * 34" {
		t.Errorf("aggregated row %q", rows[6])
	}
}
