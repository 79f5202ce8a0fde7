package graph

import (
	"context"
	"database/sql/driver"
	"errors"
	"log/slog"
	"net"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"createinfo/internal/audit"
)

// The client-safe error codes of CONTRACT.md. Both ways in carry them: GraphQL in
// extensions.code, the legacy endpoint in errorCode.
const (
	CodeInvalidRequest        = "INVALID_REQUEST"
	CodeMissingCondition      = "MISSING_QUERY_CONDITION"
	CodeInvalidIdno           = "INVALID_IDNO"
	CodeInvalidPhone          = "INVALID_PHONE"
	CodeInvalidSeqNo          = "INVALID_SEQNO"
	CodeTooManyResults        = "TOO_MANY_RESULTS"
	CodeUnauthorized          = "UNAUTHORIZED"
	CodePayloadTooLarge       = "PAYLOAD_TOO_LARGE"
	CodeMethodNotAllowed      = "METHOD_NOT_ALLOWED"
	CodeServiceUnavailable    = "SERVICE_UNAVAILABLE"
	CodeTimeout               = "TIMEOUT"
	CodeInternal              = "INTERNAL_ERROR"
	messageInternal           = "internal error"
	messageTimeout            = "the lookup ran past its deadline"
	messageServiceUnavailable = "the database is unavailable; try again shortly"
)

// Error is an error whose code and message may be shown to the client as they are.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func errorf(code, message string) *Error { return &Error{Code: code, Message: message} }

// ErrorPresenter turns every error into a client-safe one: an *Error keeps its code and
// message, GraphQL syntax and validation errors become INVALID_REQUEST with the parser's
// message, deadlines become TIMEOUT, a lost database SERVICE_UNAVAILABLE, and everything else
// INTERNAL_ERROR with no detail. The detail of the last three goes to log, never to the client
// (gqlgen's default presenter would forward err.Error(), SQL text included).
func ErrorPresenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		presented := graphql.DefaultErrorPresenter(ctx, err)
		out := &gqlerror.Error{Path: presented.Path, Locations: presented.Locations, Err: err}
		code, message := Classify(err)
		if code == "" { // a gqlerror from gqlgen's parser or validator
			code, message = CodeInvalidRequest, presented.Message
		}
		if code == CodeInternal || code == CodeServiceUnavailable || code == CodeTimeout {
			log.ErrorContext(ctx, "lookup failed", "request_id", requestID(ctx), "code", code,
				"path", presented.Path.String(), "err", err.Error())
		}
		out.Message = message
		out.Extensions = map[string]any{"code": code}
		return out
	}
}

// Classify maps err to a client-safe code and message. It returns an empty code for the
// errors of gqlgen's own parser and validator, whose messages describe only the query.
func Classify(err error) (code, message string) {
	var e *Error
	var pgErr *pgconn.PgError
	var connErr *pgconn.ConnectError
	var netErr net.Error
	var gqlErr *gqlerror.Error
	switch {
	case errors.As(err, &e):
		return e.Code, e.Message
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return CodeTimeout, messageTimeout
	case errors.As(err, &pgErr):
		switch {
		case pgErr.Code == "57014": // query_canceled: statement_timeout
			return CodeTimeout, messageTimeout
		case strings.HasPrefix(pgErr.Code, "08"), pgErr.Code == "57P01", pgErr.Code == "57P02",
			pgErr.Code == "57P03", pgErr.Code == "53300":
			return CodeServiceUnavailable, messageServiceUnavailable
		}
		return CodeInternal, messageInternal
	case errors.As(err, &connErr), errors.Is(err, driver.ErrBadConn), errors.As(err, &netErr):
		return CodeServiceUnavailable, messageServiceUnavailable
	case errors.As(err, &gqlErr) && gqlErr.Err == nil:
		return "", ""
	}
	return CodeInternal, messageInternal
}

// Recover turns a panic in a resolver into an INTERNAL_ERROR, logging what happened.
func Recover(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, v any) error {
		log.ErrorContext(ctx, "panic in resolver", "request_id", requestID(ctx), "panic", v)
		return errorf(CodeInternal, messageInternal)
	}
}

// requestID is the id of the request in ctx, for log lines ("" outside an audited request).
func requestID(ctx context.Context) string {
	if rec := audit.FromContext(ctx); rec != nil {
		return rec.RequestID
	}
	return ""
}
