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
	w.Printf("%s\n[%.3fms] %s", "x.go:1 slow", 1.0, `SELECT 1 WHERE phone = '0988123456' AND idno IN ('A123456789','it''s') AND n = $1`)
	out := buf.String()
	for _, secret := range []string{"0988123456", "A123456789", "it"} {
		if strings.Contains(out, secret+"'") || strings.Contains(out, "'"+secret) {
			t.Errorf("log holds %s: %s", secret, out)
		}
	}
	if !strings.Contains(out, "$1") {
		t.Errorf("placeholders lost: %s", out)
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
