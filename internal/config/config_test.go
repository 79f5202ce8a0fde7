package config

import (
	"errors"
	"fmt"
	"math"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := parse(env(map[string]string{"DATABASE_URL": "postgres://x/y"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.ListenAddr != ":8080" || c.MaxResults != 200 || c.LoaderWait != time.Millisecond ||
		c.MaxBodyBytes != 64<<10 || c.TimeZone.String() != "Asia/Taipei" || c.Production() {
		t.Errorf("defaults: %+v", c)
	}
}

func TestBadValuesAreAllReported(t *testing.T) {
	_, err := parse(env(map[string]string{
		"MAX_RESULTS": "many", "LOADER_WAIT": "5", "TIME_ZONE": "Mars/Olympus", "APP_ENV": "prod",
	}))
	if err == nil {
		t.Fatal("no error")
	}
	for _, name := range []string{"DATABASE_URL", "MAX_RESULTS", "LOADER_WAIT", "TIME_ZONE", "APP_ENV"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}

func TestProductionNeedsKeys(t *testing.T) {
	base := map[string]string{"DATABASE_URL": "postgres://x/y", "APP_ENV": "production"}
	if _, err := parse(env(base)); err == nil || !strings.Contains(err.Error(), "API_KEYS") || !strings.Contains(err.Error(), "AUDIT_HMAC_KEY") ||
		!strings.Contains(err.Error(), "AUDIT_CHAIN_KEY") {
		t.Fatalf("production without keys: %v", err)
	}
	base["API_KEYS"] = "crm:" + strings.Repeat("ab", 32)
	base["AUDIT_HMAC_KEY"] = strings.Repeat("k", 32)
	base["AUDIT_CHAIN_KEY"] = strings.Repeat("c", 32)
	c, err := parse(env(base))
	if err != nil || len(c.APIKeys) != 1 || c.APIKeys[0].ID != "crm" {
		t.Fatalf("production with keys: %+v %v", c.APIKeys, err)
	}
	if string(c.AuditChainKey) != strings.Repeat("c", 32) {
		t.Errorf("chain key %q", c.AuditChainKey)
	}
	base["AUDIT_CHAIN_KEY"] = "short"
	if _, err := parse(env(base)); err == nil {
		t.Errorf("short chain key accepted")
	}
	base["AUDIT_CHAIN_KEY"] = strings.Repeat("c", 32)
	base["AUDIT_HMAC_KEY"] = "short"
	if _, err := parse(env(base)); err == nil {
		t.Errorf("short HMAC key accepted")
	}
	// Outside production, the published development key, never an empty one.
	if c, err := parse(env(map[string]string{"DATABASE_URL": "postgres://x/y"})); err != nil || string(c.AuditChainKey) != DevelopmentChainKey {
		t.Errorf("development chain key %q, %v", c.AuditChainKey, err)
	}
}

func TestTrustedDocumentsOnlyDefaultsToProduction(t *testing.T) {
	prod := map[string]string{"DATABASE_URL": "postgres://x/y", "APP_ENV": "production",
		"API_KEYS": "crm:" + strings.Repeat("ab", 32), "AUDIT_HMAC_KEY": strings.Repeat("k", 32),
		"AUDIT_CHAIN_KEY": strings.Repeat("c", 32)}
	for _, tc := range []struct {
		env     map[string]string
		setting string
		want    bool
	}{
		{map[string]string{"DATABASE_URL": "postgres://x/y"}, "", false},
		{map[string]string{"DATABASE_URL": "postgres://x/y"}, "true", true},
		{prod, "", true},
		{prod, "false", false},
	} {
		e := map[string]string{"TRUSTED_DOCUMENTS_ONLY": tc.setting}
		for k, v := range tc.env {
			e[k] = v
		}
		c, err := parse(env(e))
		if err != nil {
			t.Fatal(err)
		}
		if c.TrustedDocumentsOnly != tc.want {
			t.Errorf("APP_ENV=%q TRUSTED_DOCUMENTS_ONLY=%q: got %v, want %v", tc.env["APP_ENV"], tc.setting, c.TrustedDocumentsOnly, tc.want)
		}
	}
	if _, err := parse(env(map[string]string{"DATABASE_URL": "postgres://x/y", "TRUSTED_DOCUMENTS_ONLY": "sometimes"})); err == nil ||
		!strings.Contains(err.Error(), "TRUSTED_DOCUMENTS_ONLY") {
		t.Errorf("bad value: %v", err)
	}
}

func TestReplicasAndMetrics(t *testing.T) {
	c, err := parse(env(map[string]string{"DATABASE_URL": "postgres://x/y"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.MetricsAddr != "" || len(c.ReplicaURLs) != 0 || c.ReplicaMaxLag != 10*time.Second || c.ReplicaCheckInterval != 2*time.Second {
		t.Errorf("defaults: metrics %q replicas %v lag %v interval %v", c.MetricsAddr, c.ReplicaURLs, c.ReplicaMaxLag, c.ReplicaCheckInterval)
	}
	c, err = parse(env(map[string]string{"DATABASE_URL": "postgres://x/y", "METRICS_ADDR": "127.0.0.1:9090",
		"DATABASE_REPLICA_URLS": " postgres://r1/y , ,postgres://r2/y", "REPLICA_MAX_LAG": "3s"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.MetricsAddr != "127.0.0.1:9090" || strings.Join(c.ReplicaURLs, "|") != "postgres://r1/y|postgres://r2/y" || c.ReplicaMaxLag != 3*time.Second {
		t.Errorf("set: %q %v %v", c.MetricsAddr, c.ReplicaURLs, c.ReplicaMaxLag)
	}
	if _, err := parse(env(map[string]string{"DATABASE_URL": "postgres://x/y", "REPLICA_CHECK_INTERVAL": "0s"})); err == nil {
		t.Errorf("a zero check interval was accepted")
	}
}

func TestGCSettings(t *testing.T) {
	for _, tc := range []struct {
		gc, limit string
		percent   int
		bytes     int64
	}{
		{"", "", 400, 100 << 20},
		{"150", "2GiB", 150, 2 << 30},
		{"off", "64MiB", -1, 64 << 20},
		{"100", "512KiB", 100, 512 << 10},
		{"100", "1000000", 100, 1000000},
		{"100", "off", 100, math.MaxInt64},
	} {
		c, err := parse(env(map[string]string{"DATABASE_URL": "postgres://x/y", "GO_GC_PERCENT": tc.gc, "GO_MEMORY_LIMIT": tc.limit}))
		if err != nil || c.GCPercent != tc.percent || c.MemoryLimit != tc.bytes {
			t.Errorf("GO_GC_PERCENT=%q GO_MEMORY_LIMIT=%q: got %d, %d, %v; want %d, %d", tc.gc, tc.limit, c.GCPercent, c.MemoryLimit, err, tc.percent, tc.bytes)
		}
	}
	for _, bad := range [][2]string{{"0", ""}, {"-5", ""}, {"lots", ""}, {"", "100MB"}, {"", "-1MiB"}, {"", "0"}, {"", "9999999999GiB"}, {"off", "off"}} {
		_, err := parse(env(map[string]string{"DATABASE_URL": "postgres://x/y", "GO_GC_PERCENT": bad[0], "GO_MEMORY_LIMIT": bad[1]}))
		if err == nil {
			t.Errorf("GO_GC_PERCENT=%q GO_MEMORY_LIMIT=%q accepted", bad[0], bad[1])
		}
	}
}

func TestRefusalSettings(t *testing.T) {
	c, err := parse(env(map[string]string{"DATABASE_URL": "postgres://x/y"}))
	if err != nil || c.RefusedTotal != 200 || len(c.TrustedProxies) != 0 {
		t.Fatalf("defaults: total %d, proxies %v, %v", c.RefusedTotal, c.TrustedProxies, err)
	}
	c, err = parse(env(map[string]string{"DATABASE_URL": "postgres://x/y", "REFUSED_TOTAL": "50",
		"TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7,2001:db8::/32"}))
	if err != nil || c.RefusedTotal != 50 || fmt.Sprint(c.TrustedProxies) != "[10.0.0.0/8 192.0.2.7/32 2001:db8::/32]" {
		t.Errorf("set: total %d, proxies %v, %v", c.RefusedTotal, c.TrustedProxies, err)
	}
	for _, bad := range []map[string]string{{"TRUSTED_PROXIES": "10.0.0.0/33"}, {"TRUSTED_PROXIES": "lb.internal"}, {"REFUSED_TOTAL": "-1"}} {
		bad["DATABASE_URL"] = "postgres://x/y"
		if _, err := parse(env(bad)); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// Each problem is one line of its own that starts with the variable's name and says what to
// set, so that a person reading the start-up error can act on every line.
func TestErrorsOnePerLineNamingTheFix(t *testing.T) {
	_, err := parse(env(map[string]string{"APP_ENV": "production", "MAX_RESULTS": "0", "LOADER_WAIT": "soon"}))
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("want config.Errors, got %T %v", err, err)
	}
	lines := strings.Split(err.Error(), "\n")
	want := []string{"DATABASE_URL", "OIDC_ISSUER", "AUDIT_HMAC_KEY", "AUDIT_CHAIN_KEY", "MAX_RESULTS", "LOADER_WAIT"}
	if len(lines) != 1+len(want) || len(errs) != len(want) {
		t.Fatalf("want a header and %d lines, got:\n%s", len(want), err)
	}
	if lines[0] != "config: 6 setting(s) to fix:" {
		t.Errorf("header %q", lines[0])
	}
	for _, name := range want {
		n := 0
		for _, l := range lines[1:] {
			if strings.HasPrefix(strings.TrimSpace(l), name) {
				n++
				if !strings.Contains(l, "set ") {
					t.Errorf("line does not say what to set: %q", l)
				}
			}
		}
		if n != 1 {
			t.Errorf("%s named on %d lines, want 1:\n%s", name, n, err)
		}
	}
}

// TestZoneDatabaseIsEmbedded: the server carries the zone database (time/tzdata, imported
// where the default zone is defined), so TIME_ZONE loads on a host without one and there is
// no fixed-offset fallback to fall back on.
func TestZoneDatabaseIsEmbedded(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "createinfo/cmd/server").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	if !slices.Contains(strings.Fields(string(out)), "time/tzdata") {
		t.Error("cmd/server does not link time/tzdata")
	}
}

// TestAuditSynchronousCommit: on by default, remote_apply accepted, off and anything else
// refused by name (off would let a row be lost after its answer left).
func TestAuditSynchronousCommit(t *testing.T) {
	base := map[string]string{"DATABASE_URL": "postgres://x/y"}
	c, err := parse(env(base))
	if err != nil || c.AuditSynchronousCommit != "on" || c.AuditRequireSyncStandby {
		t.Fatalf("default: %q %v %v", c.AuditSynchronousCommit, c.AuditRequireSyncStandby, err)
	}
	base["AUDIT_SYNCHRONOUS_COMMIT"], base["AUDIT_REQUIRE_SYNC_STANDBY"] = "remote_apply", "true"
	if c, err = parse(env(base)); err != nil || c.AuditSynchronousCommit != "remote_apply" || !c.AuditRequireSyncStandby {
		t.Fatalf("remote_apply: %q %v %v", c.AuditSynchronousCommit, c.AuditRequireSyncStandby, err)
	}
	for _, bad := range []string{"off", "ON", "on; SET role postgres", "yes"} {
		base["AUDIT_SYNCHRONOUS_COMMIT"] = bad
		if _, err := parse(env(base)); err == nil || !strings.Contains(err.Error(), "AUDIT_SYNCHRONOUS_COMMIT") {
			t.Errorf("AUDIT_SYNCHRONOUS_COMMIT=%q: %v", bad, err)
		}
	}
	base["AUDIT_SYNCHRONOUS_COMMIT"], base["AUDIT_REQUIRE_SYNC_STANDBY"] = "local", "true"
	if _, err := parse(env(base)); err == nil || !strings.Contains(err.Error(), "AUDIT_REQUIRE_SYNC_STANDBY") {
		t.Errorf("a required standby no commit waits for: %v", err)
	}
	base["AUDIT_SYNCHRONOUS_COMMIT"], base["AUDIT_REQUIRE_SYNC_STANDBY"] = "on", "maybe"
	if _, err := parse(env(base)); err == nil || !strings.Contains(err.Error(), "AUDIT_REQUIRE_SYNC_STANDBY") {
		t.Errorf("AUDIT_REQUIRE_SYNC_STANDBY=maybe: %v", err)
	}
}

func TestIdentitySettings(t *testing.T) {
	c, err := parse(env(map[string]string{"DATABASE_URL": "postgres://x/y"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.OIDC.Issuer != "" || c.OIDC.AgentClaim != "preferred_username" || c.OIDC.RolesClaim != "roles" ||
		c.OIDC.RoleMap["CS-Agents"] != "agent" || c.OIDC.RoleMap["CRM-Systems"] != "integration" ||
		c.RevealsPerHour != 20 || c.AgentLookupsPerHour != 120 || c.AgentCustomersPerHour != 60 {
		t.Errorf("identity defaults: %+v %d %d %d", c.OIDC, c.RevealsPerHour, c.AgentLookupsPerHour, c.AgentCustomersPerHour)
	}
	prod := map[string]string{"DATABASE_URL": "postgres://x/y", "APP_ENV": "production", "AUDIT_CHAIN_KEY": strings.Repeat("c", 32),
		"AUDIT_HMAC_KEY": strings.Repeat("h", 32), "OIDC_ISSUER": "https://idp.bank", "OIDC_AUDIENCE": "urn:createinfo",
		"OIDC_ROLE_MAP": "agent:CS.Agent,integration:CRM.System", "OIDC_AGENT_CLAIM": "upn"}
	c, err = parse(env(prod))
	if err != nil || c.OIDC.RoleMap["CS.Agent"] != "agent" || c.OIDC.AgentClaim != "upn" {
		t.Fatalf("production with a provider and no keys: %+v %v", c.OIDC, err)
	}
	for name, bad := range map[string]map[string]string{
		"issuer without audience": {"OIDC_ISSUER": "https://idp.bank"},
		"unknown role":            {"OIDC_ROLE_MAP": "admin:Admins"},
		"name for two roles":      {"OIDC_ROLE_MAP": "agent:X,integration:X"},
		"key with unknown role":   {"API_KEYS": "crm:" + strings.Repeat("ab", 32) + ":admin"},
	} {
		bad["DATABASE_URL"] = "postgres://x/y"
		if _, err := parse(env(bad)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	c, err = parse(env(map[string]string{"DATABASE_URL": "postgres://x/y",
		"API_KEYS": "crm:" + strings.Repeat("ab", 32) + ",desk:" + strings.Repeat("cd", 32) + ":agent"}))
	if err != nil || c.APIKeys[0].Role != "integration" || c.APIKeys[1].Role != "agent" {
		t.Fatalf("key roles: %+v %v", c.APIKeys, err)
	}
}
