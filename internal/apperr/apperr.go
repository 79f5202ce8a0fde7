// Package apperr is the service's one error layer: the client-safe codes of CONTRACT.md and
// their HTTP statuses, the classification of any error into one of them, and the redaction of
// whatever is logged. Every way in (the GraphQL presenter, the legacy envelope, the HTTP
// middleware, the audit trail's fail-closed path) takes its codes from here. It imports no
// GraphQL, HTTP framework or ORM package, so every layer may use it.
package apperr

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// Code is a client-safe error code of CONTRACT.md: a type of its own, so that no string
// (a message, an HTTP status text, a code of a library) passes as one. Every Code has its HTTP
// status (Status); it marshals as its text, and only the codes below unmarshal.
type Code string

// The codes of CONTRACT.md's error table.
const (
	InvalidRequest   Code = "INVALID_REQUEST"
	MissingCondition Code = "MISSING_QUERY_CONDITION"
	InvalidIdno      Code = "INVALID_IDNO"
	InvalidPhone     Code = "INVALID_PHONE"
	InvalidSeqNo     Code = "INVALID_SEQNO"
	TooManyResults   Code = "TOO_MANY_RESULTS"
	// PersistedQueryNotFound: a GraphQL request named a document by hash only, and no trusted
	// document has that hash. The message is "PersistedQueryNotFound", the text Apollo-style
	// clients look for before they resend with the full text.
	PersistedQueryNotFound Code = "PERSISTED_QUERY_NOT_FOUND"
	// UntrustedDocument: TRUSTED_DOCUMENTS_ONLY is on and the GraphQL document is not in the
	// manifest (not one of the console's documents nor the legacy document, byte for byte).
	UntrustedDocument Code = "UNTRUSTED_DOCUMENT"
	Unauthorized      Code = "UNAUTHORIZED"
	// Forbidden: the credentials are valid but carry no role createinfo knows, or the role
	// may not use what was asked (revealApplication is for agents).
	Forbidden          Code = "FORBIDDEN"
	TooManyRequests    Code = "TOO_MANY_REQUESTS"
	PayloadTooLarge    Code = "PAYLOAD_TOO_LARGE"
	MethodNotAllowed   Code = "METHOD_NOT_ALLOWED"
	ServiceUnavailable Code = "SERVICE_UNAVAILABLE"
	Timeout            Code = "TIMEOUT"
	Internal           Code = "INTERNAL_ERROR"
)

// OK is the audit outcome of a request that ended without error (not an error code).
const OK = "OK"

// status is the HTTP status of each code (CONTRACT.md, legacy failure).
var status = map[Code]int{
	InvalidRequest:         http.StatusBadRequest,
	MissingCondition:       http.StatusBadRequest,
	InvalidIdno:            http.StatusBadRequest,
	InvalidPhone:           http.StatusBadRequest,
	InvalidSeqNo:           http.StatusBadRequest,
	TooManyResults:         http.StatusUnprocessableEntity,
	PersistedQueryNotFound: http.StatusBadRequest,
	UntrustedDocument:      http.StatusBadRequest,
	Unauthorized:           http.StatusUnauthorized,
	Forbidden:              http.StatusForbidden,
	TooManyRequests:        http.StatusTooManyRequests,
	PayloadTooLarge:        http.StatusRequestEntityTooLarge,
	MethodNotAllowed:       http.StatusMethodNotAllowed,
	ServiceUnavailable:     http.StatusServiceUnavailable,
	Timeout:                http.StatusGatewayTimeout,
	Internal:               http.StatusInternalServerError,
}

// Codes lists every code of the error table, sorted: the console's tests check that each has
// its Chinese message.
func Codes() []Code {
	out := make([]Code, 0, len(status))
	for c := range status {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// Status is the HTTP status of code, and whether code is one of ours.
func Status(code Code) (int, bool) {
	st, ok := status[code]
	return st, ok
}

// Status is the code's HTTP status (500 for a value that is not one of the codes).
func (c Code) Status() int {
	if st, ok := status[c]; ok {
		return st
	}
	return http.StatusInternalServerError
}

func (c Code) String() string { return string(c) }

// MarshalText writes the code; a value that is not one of the codes is an error, never sent.
func (c Code) MarshalText() ([]byte, error) {
	if _, ok := status[c]; !ok {
		return nil, fmt.Errorf("apperr: %q is not an error code", string(c))
	}
	return []byte(c), nil
}

// UnmarshalText reads one of the codes; any other text is an error.
func (c *Code) UnmarshalText(b []byte) error {
	code, ok := Parse(string(b))
	if !ok {
		return fmt.Errorf("apperr: %q is not an error code", b)
	}
	*c = code
	return nil
}

// CodeOf is the code of a GraphQL error's extensions (set by the error presenter as a Code,
// or read back from JSON as text), and whether it is one of ours.
func CodeOf(extensions map[string]any) (Code, bool) {
	var code Code
	switch c := extensions["code"].(type) {
	case Code:
		code = c
	case string:
		code = Code(c)
	}
	_, ok := status[code]
	return code, ok
}

// Parse returns the code whose text is s, and whether there is one.
func Parse(s string) (Code, bool) {
	if _, ok := status[Code(s)]; ok {
		return Code(s), true
	}
	return "", false
}

// Messages shown for the errors whose detail stays in the log.
const (
	MessageInternal           = "internal error"
	MessageTimeout            = "the lookup ran past its deadline"
	MessageServiceUnavailable = "the database is unavailable; try again shortly"
	MessageNotRecorded        = "the lookup could not be recorded; try again shortly"
)

// Error is an error whose code and message may be shown to the client as they are.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// New returns an *Error.
func New(code Code, message string) *Error { return &Error{Code: code, Message: message} }

// Classify maps err to a client-safe code and message: an *Error keeps its own, deadlines
// become TIMEOUT, a lost or saturated database SERVICE_UNAVAILABLE, and everything else
// INTERNAL_ERROR with no detail.
func Classify(err error) (code Code, message string) {
	var e *Error
	var pgErr *pgconn.PgError
	var connErr *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.As(err, &e):
		return e.Code, e.Message
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return Timeout, MessageTimeout
	case errors.As(err, &pgErr):
		switch {
		case pgErr.Code == "57014": // query_canceled: statement_timeout
			return Timeout, MessageTimeout
		case strings.HasPrefix(pgErr.Code, "08"), pgErr.Code == "57P01", pgErr.Code == "57P02",
			pgErr.Code == "57P03", pgErr.Code == "53300":
			return ServiceUnavailable, MessageServiceUnavailable
		}
		return Internal, MessageInternal
	case errors.As(err, &connErr), errors.Is(err, driver.ErrBadConn), errors.As(err, &netErr):
		return ServiceUnavailable, MessageServiceUnavailable
	}
	return Internal, MessageInternal
}

// Logged reports whether an error of code is the service's fault or the database's, so that
// its detail belongs in the error log; the others are the caller's and are only counted.
func Logged(code Code) bool {
	return code == Internal || code == ServiceUnavailable || code == Timeout
}

// Redaction of logged text: quoted SQL literals, Go-quoted strings (how drivers and encoders
// show the values they could not use) and anything shaped like a phone or ID number.
var (
	sqlLiteral = regexp.MustCompile(`'(?:[^']|'')*'`)
	goQuoted   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	personal   = regexp.MustCompile(`(?:\+?886[ -]?|0)9[0-9 -]{7,11}[0-9]|[A-Za-z][A-Za-z0-9][0-9]{8}`)
)

// Redact returns s with literals and personal-data shapes masked, for the log.
func Redact(s string) string {
	s = sqlLiteral.ReplaceAllString(s, "'…'")
	s = goQuoted.ReplaceAllString(s, `"…"`)
	return personal.ReplaceAllString(s, "…")
}

// RedactSQL is Redact for statement text: string literals and personal-data shapes are
// masked, double-quoted identifiers kept (they name tables and columns, never values).
func RedactSQL(s string) string {
	return personal.ReplaceAllString(sqlLiteral.ReplaceAllString(s, "'…'"), "…")
}

// RedactError is Redact of err's text ("" for nil).
func RedactError(err error) string {
	if err == nil {
		return ""
	}
	return Redact(err.Error())
}

// RedactValue is Redact of a recovered panic value or any other value bound for the log.
func RedactValue(v any) string { return Redact(fmt.Sprint(v)) }

// Personal reports whether an identifier a caller chose (X-Request-Id, X-Agent-Id, an
// operation's name) holds a phone or ID number, judged with every separator removed (anything
// but an ASCII letter or digit: "0988.123.456", "N_123_456_789" and "A-123 456 789" count). The
// identifiers are logged, traced and stored in clear, which personal data never is. It is a
// scan by hand, linear in id and without allocation for ids of up to 128 bytes: it runs on
// every request (the server's own ids are drawn until they pass it, audit.NewID).
func Personal(id string) bool {
	var buf [128]byte
	b := buf[:0]
	for i := 0; i < len(id); i++ {
		if c := id[i]; digit(c) || letter(c) {
			b = append(b, c)
		}
	}
	for i := range b {
		if personalAt(b[i:]) {
			return true
		}
	}
	return false
}

// personalAt reports whether s, an identifier without its separators, begins with a phone
// (09 and 8 digits, or 886 9 and 8 digits) or an ID number (a letter, then a letter or a digit,
// then 8 digits).
func personalAt(s []byte) bool {
	switch {
	case len(s) >= 10 && s[0] == '0' && s[1] == '9':
		return allDigits(s[2:10])
	case len(s) >= 12 && s[0] == '8' && s[1] == '8' && s[2] == '6' && s[3] == '9':
		return allDigits(s[4:12])
	case len(s) >= 10 && letter(s[0]) && (letter(s[1]) || digit(s[1])):
		return allDigits(s[2:10])
	}
	return false
}

func digit(c byte) bool  { return c >= '0' && c <= '9' }
func letter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

func allDigits(s []byte) bool {
	for _, c := range s {
		if !digit(c) {
			return false
		}
	}
	return true
}

// Identifier is id when it may be kept (logged, traced, stored), "" when it is Personal.
func Identifier(id string) string {
	if Personal(id) {
		return ""
	}
	return id
}

// maxOperationName is the longest operation name kept.
const maxOperationName = 64

// OperationName is the name of a document's operation as the audit row and the trace keep it:
// "" when it is not a GraphQL name of at most 64 characters (a letter or an underscore, then
// letters, digits and underscores) or is Personal.
func OperationName(name string) string {
	if name == "" || len(name) > maxOperationName || digit(name[0]) {
		return ""
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !letter(c) && !digit(c) && c != '_' {
			return ""
		}
	}
	return Identifier(name)
}
