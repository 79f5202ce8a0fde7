package database

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestLoggerMasksLiterals(t *testing.T) {
	var buf bytes.Buffer
	w := slogWriter{slog.New(slog.NewTextHandler(&buf, nil))}
	w.Printf("%s\n[%.3fms] %s", "x.go:1 slow", 1.0, `SELECT 1 WHERE phone = '0988123456' AND idno IN ('A123456789','zqx''s') AND n = $1`)
	out := buf.String()
	// Anywhere in the line, quoted or not: a value is masked as a whole, not only next to its quotes.
	for _, secret := range []string{"0988123456", "A123456789", "zqx"} {
		if strings.Contains(out, secret) {
			t.Errorf("log holds %s: %s", secret, out)
		}
	}
	if !strings.Contains(out, "$1") || !strings.Contains(out, "phone = '…'") {
		t.Errorf("statement not logged with its literals masked: %s", out)
	}
}

func TestLoggerMasksValuesInErrors(t *testing.T) {
	var buf bytes.Buffer
	w := slogWriter{slog.New(slog.NewTextHandler(&buf, nil))}
	w.Printf("%s %s\n[%.3fms] %s", "x.go:1", errors.New(`unable to encode []string{"0988123456", "a\"b"}`), 1.0, `SELECT $1`)
	if strings.Contains(buf.String(), "0988123456") {
		t.Errorf("log holds the value: %s", buf.String())
	}
}

func TestSessionAttrs(t *testing.T) {
	t.Setenv("PGTARGETSESSIONATTRS", "")
	for in, want := range map[string]string{
		"postgres://u@h1:5432,h2:5433/db?sslmode=disable&target_session_attrs=read-write": "read-write",
		"postgresql://u@h1/db?target_session_attrs=primary":                               "primary",
		"host=h1,h2 dbname=db target_session_attrs=read-write":                            "read-write",
		"postgres://u@h1/db": "",
	} {
		if got := sessionAttrs(in); got != want {
			t.Errorf("sessionAttrs(%q) = %q, want %q", in, got, want)
		}
	}
}
