package legacy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/99designs/gqlgen/graphql"

	"createinfo/internal/apperr"
)

type failure struct {
	Success bool      `json:"success"`
	Error   errorBody `json:"error"`
}

type errorBody struct {
	ErrorCode    apperr.Code `json:"errorCode"`
	ErrorMessage string      `json:"errorMessage"`
}

// WriteError is the one place where the legacy endpoint writes a failure; the server uses it
// for requests refused before the endpoint runs (authentication).
func WriteError(w http.ResponseWriter, code apperr.Code, message string) {
	st, ok := apperr.Status(code)
	if !ok {
		code, message, st = apperr.Internal, apperr.MessageInternal, http.StatusInternalServerError
	}
	body, _ := json.Marshal(failure{Error: errorBody{ErrorCode: code, ErrorMessage: message}})
	writeJSON(w, st, body)
}

func writeJSON(w http.ResponseWriter, st int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(st)
	w.Write(body)
}

// resultError picks the error the legacy body reports: the executor's errors are already
// client-safe (the GraphQL error presenter made them so), so the first one's code and message
// are used as they are. Any error fails the whole request: a partial tree is never served as
// a success.
func resultError(resp *graphql.Response) (code apperr.Code, message string) {
	e := resp.Errors[0]
	code, _ = apperr.CodeOf(e.Extensions)
	if code == apperr.InvalidRequest {
		// A variable of the wrong type cannot happen (the request was checked), so this is the
		// fixed document failing validation: our fault, not the caller's.
		return apperr.Internal, apperr.MessageInternal
	}
	return code, e.Message
}

// envelope wraps the executor's data, {"applications":[...]}, in the legacy success body
// {"success":true,"data":[...]}, adding the key "psd":null at the end of every object of
// applications[].createDetails[]. It copies the executor's JSON in one pass, inserting bytes
// and decoding nothing: the tree is written once, by gqlgen.
func envelope(data []byte) ([]byte, error) {
	const prefix = `{"applications":`
	if !bytes.HasPrefix(data, []byte(prefix)) || !bytes.HasSuffix(data, []byte("}")) {
		return nil, fmt.Errorf("legacy: unexpected executor data %.40q", data)
	}
	list := data[len(prefix) : len(data)-1]
	// Room for the prefix and a "psd":null per create detail, each of which is far longer.
	out := make([]byte, 0, len(data)+len(data)/64+64)
	out = append(out, `{"success":true,"data":`...)
	w := walker{in: list}
	last := 0
	for w.next() {
		// A create detail closes: applications[] > application{} > createDetails[] > detail{}.
		if w.c == '}' && len(w.stack) == 3 && string(w.stack[2].key) == "createDetails" && !w.stack[2].object {
			out = append(out, list[last:w.i]...)
			if !w.empty {
				out = append(out, ',')
			}
			out = append(out, `"psd":null`...)
			last = w.i
		}
	}
	if w.err != nil {
		return nil, w.err
	}
	out = append(out, list[last:]...)
	return append(out, '}'), nil
}

// walker steps through trusted, valid JSON (the executor's), one structural byte at a time,
// keeping the stack of open containers and the key each one is the value of.
type walker struct {
	in    []byte
	i     int  // position of the current byte
	c     byte // the current structural byte: { } [ ] , or 0 before the first
	stack []frame
	key   []byte // the last key read, as it is in the input (no copy per key)
	empty bool   // the container closing at c had no members (the stack no longer holds it)
	err   error
}

type frame struct {
	object  bool
	key     []byte // the key whose value this container is (nil for an array element)
	members bool
}

// next advances to the next brace, bracket or comma outside strings.
func (w *walker) next() bool {
	if w.c != 0 || w.i > 0 {
		w.i++
	}
	for ; w.i < len(w.in); w.i++ {
		switch c := w.in[w.i]; c {
		case '"':
			end := w.i + 1
			for end < len(w.in) && w.in[end] != '"' {
				if w.in[end] == '\\' {
					end++
				}
				end++
			}
			if end >= len(w.in) {
				w.err = fmt.Errorf("legacy: unterminated string in executor data")
				return false
			}
			if n := len(w.stack); n > 0 {
				w.stack[n-1].members = true
				if w.stack[n-1].object && afterKeyPosition(w.in, end+1) {
					w.key = w.in[w.i+1 : end]
				}
			}
			w.i = end
		case '{', '[':
			var key []byte
			if n := len(w.stack); n > 0 {
				w.stack[n-1].members = true
				if w.stack[n-1].object {
					key = w.key
				}
			}
			w.stack = append(w.stack, frame{object: c == '{', key: key})
			w.c = c
			return true
		case '}', ']':
			if len(w.stack) == 0 {
				w.err = fmt.Errorf("legacy: unbalanced executor data")
				return false
			}
			w.c = c
			w.empty = !w.stack[len(w.stack)-1].members
			w.stack = w.stack[:len(w.stack)-1]
			return true
		case ',':
			w.c = c
			return true
		default:
			if n := len(w.stack); n > 0 && c > ' ' && c != ':' {
				w.stack[n-1].members = true
			}
		}
	}
	return false
}

// afterKeyPosition reports whether the string ending before i is an object key: the next
// non-space byte is a colon.
func afterKeyPosition(in []byte, i int) bool {
	for ; i < len(in); i++ {
		switch in[i] {
		case ' ', '\t', '\n', '\r':
			continue
		case ':':
			return true
		}
		return false
	}
	return false
}
