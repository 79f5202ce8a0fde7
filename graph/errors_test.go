package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		name string
		err  error
		code string
	}{
		{"client error", errorf(CodeInvalidPhone, "bad phone"), CodeInvalidPhone},
		{"wrapped client error", fmt.Errorf("x: %w", errorf(CodeTooManyResults, "many")), CodeTooManyResults},
		{"deadline", fmt.Errorf("lookup: %w", context.DeadlineExceeded), CodeTimeout},
		{"statement_timeout", &pgconn.PgError{Code: "57014", Message: "canceling statement due to statement timeout"}, CodeTimeout},
		{"server shutting down", &pgconn.PgError{Code: "57P01"}, CodeServiceUnavailable},
		{"too many connections", &pgconn.PgError{Code: "53300"}, CodeServiceUnavailable},
		{"connection failure", &pgconn.PgError{Code: "08006"}, CodeServiceUnavailable},
		{"SQL error", &pgconn.PgError{Code: "42P01", Message: `relation "account.create_master" does not exist`}, CodeInternal},
		{"anything else", errors.New("boom"), CodeInternal},
		{"parser error", gqlerror.Errorf("Unexpected <EOF>"), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if code, _ := Classify(c.err); code != c.code {
				t.Errorf("code %q, want %q", code, c.code)
			}
		})
	}
}

func TestErrorPresenterHidesInternals(t *testing.T) {
	var log bytes.Buffer
	present := ErrorPresenter(slog.New(slog.NewTextHandler(&log, nil)))
	secret := `ERROR: relation "account.create_master" does not exist (SQLSTATE 42P01) SELECT * FROM x WHERE idno = 'A123456789'`
	got := present(context.Background(), fmt.Errorf("lookup applications: %w", errors.New(secret)))
	if got.Message != "internal error" || got.Extensions["code"] != CodeInternal {
		t.Fatalf("presented %q %v", got.Message, got.Extensions)
	}
	if !strings.Contains(log.String(), "lookup failed") {
		t.Errorf("the internal error was not logged: %s", log.String())
	}

	got = present(context.Background(), errorf(CodeInvalidIdno, "idno must be …"))
	if got.Message != "idno must be …" || got.Extensions["code"] != CodeInvalidIdno {
		t.Errorf("client error presented as %q %v", got.Message, got.Extensions)
	}
}
