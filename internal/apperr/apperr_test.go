package apperr

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		name string
		err  error
		code Code
	}{
		{"client error", New(InvalidPhone, "bad phone"), InvalidPhone},
		{"wrapped client error", fmt.Errorf("x: %w", New(TooManyResults, "many")), TooManyResults},
		{"deadline", fmt.Errorf("lookup: %w", context.DeadlineExceeded), Timeout},
		{"statement_timeout", &pgconn.PgError{Code: "57014", Message: "canceling statement due to statement timeout"}, Timeout},
		{"server shutting down", &pgconn.PgError{Code: "57P01"}, ServiceUnavailable},
		{"too many connections", &pgconn.PgError{Code: "53300"}, ServiceUnavailable},
		{"connection failure", &pgconn.PgError{Code: "08006"}, ServiceUnavailable},
		{"SQL error", &pgconn.PgError{Code: "42P01", Message: `relation "account.create_master" does not exist`}, Internal},
		{"anything else", errors.New("boom"), Internal},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if code, _ := Classify(c.err); code != c.code {
				t.Errorf("code %q, want %q", code, c.code)
			}
		})
	}
}

// codeConstants lists the Code constants apperr.go declares, read from its source, so that a
// new code cannot be missed by a hand-written list.
func codeConstants(t *testing.T) map[Code]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "apperr.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[Code]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			v := spec.(*ast.ValueSpec)
			if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "Code" {
				continue
			}
			for i, name := range v.Names {
				lit := v.Values[i].(*ast.BasicLit)
				text, _ := strconv.Unquote(lit.Value)
				out[Code(text)] = name.Name
			}
		}
	}
	if len(out) != 16 {
		t.Fatalf("found %d Code constants in apperr.go, want 16", len(out))
	}
	return out
}

// TestEveryCodeHasAStatusAndAContractEntry: every Code constant has its HTTP status, round-trips
// through its text, is a row of the README's error table with that status, is in
// docs/openapi.yaml's errorCode enum unless the README says it is GraphQL only, and, where
// CONTRACT.md's failure table lists it, has the contract's status.
func TestEveryCodeHasAStatusAndAContractEntry(t *testing.T) {
	readme := readFile(t, "../../README.md")
	openapi := readFile(t, "../../docs/openapi.yaml")
	contract, err := os.ReadFile("../../../shared/CONTRACT.md")
	if err != nil {
		contract, err = os.ReadFile("/work/shared/CONTRACT.md")
	}
	if err != nil {
		t.Log("CONTRACT.md not found next to the repository: its table is not compared")
	}
	readmeRows := tableRows(readme)
	contractRows := tableRows(string(contract))
	for code, name := range codeConstants(t) {
		st, ok := Status(code)
		if !ok || st < 400 || code.Status() != st {
			t.Errorf("%s (%s): status %d %v", name, code, st, ok)
		}
		b, err := code.MarshalText()
		var back Code
		if err != nil || back.UnmarshalText(b) != nil || back != code {
			t.Errorf("%s: text round trip %q %v", name, b, err)
		}
		row, ok := readmeRows[string(code)]
		switch {
		case !ok:
			t.Errorf("%s: no row in README.md's error table", code)
		case strings.Contains(row, "GraphQL only"):
		case !strings.Contains(row, strconv.Itoa(st)):
			t.Errorf("%s: README.md's row %q does not say %d", code, row, st)
		}
		if !strings.Contains(row, "GraphQL only") && !strings.Contains(openapi, `- "`+string(code)+`"`) {
			t.Errorf("%s: not in docs/openapi.yaml's errorCode enum", code)
		}
		if row, ok := contractRows[string(code)]; ok && !strings.Contains(row, "| "+strconv.Itoa(st)+" |") {
			t.Errorf("%s: CONTRACT.md's row %q, apperr says %d", code, row, st)
		}
	}
	if _, ok := Status("HTTP_400"); ok {
		t.Error("an unknown code has a status")
	}
	var c Code
	if err := c.UnmarshalText([]byte("HTTP_400")); err == nil {
		t.Error("an unknown code unmarshals")
	}
	if _, err := Code("HTTP_400").MarshalText(); err == nil {
		t.Error("an unknown code marshals")
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// tableRows maps each code a Markdown table row starts with ("| A / B |" names two) to its row.
func tableRows(md string) map[string]string {
	rows := map[string]string{}
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "| ") {
			continue
		}
		first := strings.Split(line, "|")[1]
		for _, c := range strings.Split(first, "/") {
			c = strings.TrimSpace(c)
			if c != "" && strings.ToUpper(c) == c && !strings.ContainsAny(c, " -") {
				rows[c] = line
			}
		}
	}
	return rows
}

func TestRedact(t *testing.T) {
	in := `ERROR: x WHERE idno = 'A123456789' (args ["0988123456"]) phone +886 988-123-456 id n123456789 panic: N123456789`
	out := Redact(in)
	for _, leak := range []string{"A123456789", "0988123456", "988-123-456", "n123456789", "N123456789"} {
		if strings.Contains(out, leak) {
			t.Errorf("redacted text holds %s: %s", leak, out)
		}
	}
	if !strings.Contains(out, "ERROR: x WHERE idno =") {
		t.Errorf("redaction ate the message: %s", out)
	}
}

// TestPersonal: identifiers holding a phone or ID number, whatever separates their digits, are
// personal; everyday identifiers are not.
func TestPersonal(t *testing.T) {
	for _, id := range []string{"0988123456", "0988.123.456", "0988_123_456", "0988-123-456", "+886 988 123 456",
		"886988123456", "A123456789", "A.123456789", "N_123_456_789", "AB12345678", "a-b-1234-5678", "crm-0988123456",
		"req.A.123.456.789.x", "A123456789", "886-9-1234-5678", "x886912345678y", "00988123456", "Ω0988123Ω456",
		strings.Repeat("req-", 40) + "0988_123_456"} { // longer than the scan's buffer
		if !Personal(id) || Identifier(id) != "" {
			t.Errorf("%q is not judged personal", id)
		}
	}
	for _, id := range []string{"req-1", "agent-007", "GetCreateInfo", "ConsoleLookup", "a0b8fee1ed56ca7ed3590812",
		"123456789", "0988-123", "A12345678", "2026-11-30T15:18:12Z", "sso-proxy", "jane.doe@bank.example",
		"88691234567", "098812345", "1A23456789x", "Ω0988123", strings.Repeat("req-1-", 30)} {
		if Personal(id) || Identifier(id) != id {
			t.Errorf("%q is judged personal", id)
		}
	}
}

// TestOperationName: an operation's name is kept when it is a GraphQL name of at most 64
// characters that is not Personal; anything else is kept as "".
func TestOperationName(t *testing.T) {
	long := "Q" + strings.Repeat("x", 63)
	for _, name := range []string{"GetCreateInfo", "_private", "a", "Q_1", long} {
		if got := OperationName(name); got != name {
			t.Errorf("OperationName(%q) = %q", name, got)
		}
	}
	for _, name := range []string{"", long + "x", "1Query", "Get-Info", "Get Info", "Geté", "Get\nInfo",
		"Lookup_A123456789", "phone_0988_123_456", "N_123_456_789"} {
		if got := OperationName(name); got != "" {
			t.Errorf("OperationName(%q) = %q, want \"\"", name, got)
		}
	}
}
