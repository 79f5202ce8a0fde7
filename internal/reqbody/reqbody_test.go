package reqbody

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"createinfo/internal/apperr"
)

// TestRead: a body within the limit is read whole; one over it, declared or not, is
// PAYLOAD_TOO_LARGE and the connection is closed; no body is no bytes and no error.
func TestRead(t *testing.T) {
	for _, c := range []struct {
		name    string
		body    string
		length  int64 // Content-Length declared; -1: unknown (chunked)
		want    string
		code    apperr.Code
		closing bool
	}{
		{"within", `{"a":1}`, -1, `{"a":1}`, "", false},
		{"exactly the limit", strings.Repeat("x", 16), 16, strings.Repeat("x", 16), "", false},
		{"over, undeclared", strings.Repeat("x", 17), -1, "", apperr.PayloadTooLarge, true},
		{"declared over, refused unread", "x", 1 << 20, "", apperr.PayloadTooLarge, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(c.body))
			r.ContentLength = c.length
			w := httptest.NewRecorder()
			b, err := Read(w, r, 16, 0)
			switch {
			case c.code != "" && (err == nil || err.Code != c.code):
				t.Fatalf("err %v, want %s", err, c.code)
			case c.code == "" && err != nil:
				t.Fatalf("err %v", err)
			case string(b) != c.want:
				t.Errorf("body %q, want %q", b, c.want)
			}
			if got := w.Header().Get("Connection") == "close"; got != c.closing {
				t.Errorf("Connection: close %v, want %v", got, c.closing)
			}
		})
	}
	r := httptest.NewRequest(http.MethodPost, "/", http.NoBody)
	if b, err := Read(httptest.NewRecorder(), r, 16, 0); b != nil || err != nil {
		t.Errorf("no body: %q %v", b, err)
	}
}

// TestReadDeadline: a body that trickles in slower than the timeout is INVALID_REQUEST, over
// a real connection (the deadline is the connection's).
func TestReadDeadline(t *testing.T) {
	got := make(chan *apperr.Error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := Read(w, r, 1024, 100*time.Millisecond)
		got <- err
	}))
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Declares 10 bytes, sends 1, then nothing: the handler's read must give up on its own.
	if _, err := io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-got:
		if err == nil || err.Code != apperr.InvalidRequest || !strings.Contains(err.Message, "did not arrive within 100ms") {
			t.Errorf("err %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the read did not end at its deadline")
	}
}

// TestWithAndFrom: the bytes Read returned travel in the request's context, and From gives
// them without reading the connection again; a request that did not go through With has its
// body read by From, with the default limit.
func TestWithAndFrom(t *testing.T) {
	r := With(httptest.NewRequest(http.MethodPost, "/", strings.NewReader("not this")), []byte("abc"))
	if b, err := From(httptest.NewRecorder(), r); err != nil || string(b) != "abc" {
		t.Errorf("From: %q %v", b, err)
	}
	r = With(httptest.NewRequest(http.MethodPost, "/", nil), nil)
	if b, err := From(httptest.NewRecorder(), r); err != nil || b == nil || len(b) != 0 {
		t.Errorf("From of no body: %q %v", b, err)
	}
	r = httptest.NewRequest(http.MethodPost, "/", strings.NewReader("direct"))
	if b, err := From(httptest.NewRecorder(), r); err != nil || string(b) != "direct" {
		t.Errorf("From of a request that did not go through With: %q %v", b, err)
	}
	r = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(strings.Repeat("x", DefaultMaxBytes+1)))
	r.ContentLength = -1
	if _, err := From(httptest.NewRecorder(), r); err == nil || err.Code != apperr.PayloadTooLarge {
		t.Errorf("From over the default limit: %v", err)
	}
}
