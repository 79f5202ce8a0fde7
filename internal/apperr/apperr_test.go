package apperr

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		name string
		err  error
		code string
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

func TestEveryCodeHasAStatus(t *testing.T) {
	for _, c := range []Code{InvalidRequest, MissingCondition, InvalidIdno, InvalidPhone, InvalidSeqNo, TooManyResults,
		Unauthorized, Forbidden, TooManyRequests, PayloadTooLarge, MethodNotAllowed, ServiceUnavailable, Timeout, Internal} {
		if st, ok := Status(c); !ok || st < 400 {
			t.Errorf("%s: status %d %v", c, st, ok)
		}
	}
	if _, ok := Status("HTTP_400"); ok {
		t.Error("an unknown code has a status")
	}
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
