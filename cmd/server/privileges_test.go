package main

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"createinfo/internal/auth"
	"createinfo/tools/dbtest"
)

// TestProductionRefusesPrivilegedUser: in production the server will not start as a user that
// could bypass the audit trail's append-only trigger (the test cluster's superuser), and does
// start as a login role granted only createinfo_service (README). On SIGTERM it logs a signed
// checkpoint of the audit chain, which auditverify accepts.
func TestProductionRefusesPrivilegedUser(t *testing.T) {
	dbURL := dbtest.URL(t)
	server, verify := build(t, "."), build(t, "../auditverify")
	secret, entry, _ := auth.NewKey("crm")
	chainKey := strings.Repeat("c", 40)
	prodEnv := []string{"APP_ENV=production", "API_KEYS=" + entry, "AUDIT_HMAC_KEY=" + strings.Repeat("h", 40),
		"AUDIT_CHAIN_KEY=" + chainKey}

	cmd := exec.Command(server)
	cmd.Env = append(os.Environ(), append(prodEnv, "DATABASE_URL="+dbURL, "LISTEN_ADDR="+freeAddr(t))...)
	out, err := cmd.CombinedOutput() // exits at once, or the test times out
	if err == nil || !strings.Contains(string(out), "superuser") || !strings.Contains(string(out), "refusing to serve") {
		t.Fatalf("superuser in production: %v\n%s", err, out)
	}

	// A login role with exactly createinfo_service's grants, as the README sets it up.
	suffix := make([]byte, 4)
	rand.Read(suffix)
	role := "createinfo_login_" + hex.EncodeToString(suffix)
	admin, _ := sql.Open("pgx", dbURL)
	defer admin.Close()
	if _, err := admin.Exec(`CREATE ROLE ` + role + ` LOGIN; GRANT createinfo_service TO ` + role); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec(`DROP ROLE IF EXISTS ` + role) })
	u, _ := url.Parse(dbURL)
	u.User = url.User(role)

	p := startServer(t, append(prodEnv, "DATABASE_URL="+u.String())...)
	cmd, base, logs := p.cmd, p.base, p.logs
	req, _ := http.NewRequest(http.MethodPost, base+"/intranet/api/v1.0/createaccount/GetCreateInfo",
		strings.NewReader(`{"phone":"0988123456"}`))
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("X-Agent-Id", "agent-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("lookup as %s: %v %v\n%s", role, resp, err, logs.String())
	}
	resp.Body.Close()
	cmd.Process.Signal(syscall.SIGTERM)
	if err := p.wait(); err != nil {
		t.Fatalf("exit: %v\n%s", err, logs.String())
	}
	m := regexp.MustCompile(`"checkpoint":"([0-9]+\.[0-9a-f]{64}\.[0-9a-f]{64})"`).FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatalf("no checkpoint logged on shutdown:\n%s", logs.String())
	}
	check := exec.Command(verify, "-checkpoint", m[1])
	check.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "AUDIT_CHAIN_KEY="+chainKey)
	if out, err := check.CombinedOutput(); err != nil || !strings.Contains(string(out), "intact: 1 rows") {
		t.Errorf("auditverify: %v\n%s", err, out)
	}
	check = exec.Command(verify, "-checkpoint", m[1])
	check.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "AUDIT_CHAIN_KEY="+strings.Repeat("x", 40))
	if out, err := check.CombinedOutput(); err == nil {
		t.Errorf("auditverify under another key: %s", out)
	}
}
