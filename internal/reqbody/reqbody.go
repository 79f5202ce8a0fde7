// Package reqbody reads a request body once, size-limited and under its own deadline, before
// the request may take a lookup slot; the handlers inside take the bytes from the request's
// context instead of reading the connection themselves.
package reqbody

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"createinfo/internal/apperr"
)

// DefaultMaxBytes is the body limit when none is configured (MAX_BODY_BYTES).
const DefaultMaxBytes = 64 << 10

type ctxKey struct{}

// Read reads r's body, at most max bytes, within timeout (0: no deadline of its own). A
// declared Content-Length over max is refused before a byte is read. The error is a
// client-safe *apperr.Error: PAYLOAD_TOO_LARGE, or INVALID_REQUEST for a body that does not
// arrive in time or breaks off.
func Read(w http.ResponseWriter, r *http.Request, max int64, timeout time.Duration) ([]byte, *apperr.Error) {
	if r.ContentLength > max {
		w.Header().Set("Connection", "close") // and do not wait for the body
		return nil, tooLarge(max)
	}
	broken := false
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if timeout > 0 {
		rc := http.NewResponseController(w)
		// Not every ResponseWriter supports deadlines (httptest.ResponseRecorder): then the
		// server's own ReadTimeout is the only bound.
		if rc.SetReadDeadline(time.Now().Add(timeout)) == nil {
			defer func() {
				if !broken {
					rc.SetReadDeadline(time.Time{})
				}
			}()
		}
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		// The rest of the body is not wanted: without this, the server would try to read it
		// before answering, and a trickling client would hold the handler after all.
		broken = true
		w.Header().Set("Connection", "close")
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, tooLarge(max)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return nil, apperr.New(apperr.InvalidRequest, "the request body did not arrive within "+timeout.String())
	case err != nil:
		return nil, apperr.New(apperr.InvalidRequest, "the request body could not be read")
	}
	return b, nil
}

func tooLarge(max int64) *apperr.Error {
	return apperr.New(apperr.PayloadTooLarge, "the request body is larger than the limit of "+strconv.FormatInt(max, 10)+" bytes")
}

// With returns r carrying body, read by Read.
func With(r *http.Request, body []byte) *http.Request {
	if body == nil {
		body = []byte{}
	}
	return r.WithContext(context.WithValue(r.Context(), ctxKey{}, body))
}

// From returns the body carried by r. A request that did not pass through Read (a handler
// served on its own, in a test) has its body read here, with the default limit.
func From(w http.ResponseWriter, r *http.Request) ([]byte, *apperr.Error) {
	if b, ok := r.Context().Value(ctxKey{}).([]byte); ok {
		return b, nil
	}
	return Read(w, r, DefaultMaxBytes, 0)
}
