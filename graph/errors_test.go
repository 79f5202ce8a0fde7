package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"createinfo/internal/apperr"
)

func TestErrorPresenterHidesInternals(t *testing.T) {
	var log bytes.Buffer
	present := ErrorPresenter(slog.New(slog.NewTextHandler(&log, nil)))
	secret := `ERROR: relation "account.create_master" does not exist (SQLSTATE 42P01) SELECT * FROM x WHERE idno = 'A123456789'`
	got := present(context.Background(), fmt.Errorf("lookup applications: %w", errors.New(secret)))
	if got.Message != "internal error" || got.Extensions["code"] != apperr.Internal {
		t.Fatalf("presented %q %v", got.Message, got.Extensions)
	}
	if !strings.Contains(log.String(), "lookup failed") {
		t.Errorf("the internal error was not logged: %s", log.String())
	}

	got = present(context.Background(), errorf(apperr.InvalidIdno, "idno must be …"))
	if got.Message != "idno must be …" || got.Extensions["code"] != apperr.InvalidIdno {
		t.Errorf("client error presented as %q %v", got.Message, got.Extensions)
	}
}

func TestErrorPresenterIntrospectionAttemptIsNotAnError(t *testing.T) {
	var log bytes.Buffer
	present := ErrorPresenter(slog.New(slog.NewTextHandler(&log, nil)))
	got := present(context.Background(), gqlerror.WrapPath(ast.Path{ast.PathName("secretAlias")}, errors.New(errIntrospectionDisabled)))
	if got.Extensions["code"] != apperr.InvalidRequest || log.Len() != 0 {
		t.Errorf("presented %q %v; logged %q", got.Message, got.Extensions, log.String())
	}
}
