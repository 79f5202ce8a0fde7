package server_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"createinfo/tools/servertest"
)

// rawExchange writes raw on one TCP connection to env and reads the responses to n requests,
// then whether the server closed the connection.
func rawExchange(t *testing.T, env *servertest.Env, raw string, n int) (statuses []int, closed bool) {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(env.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	for range n {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("after %v: %v", statuses, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		statuses = append(statuses, resp.StatusCode)
	}
	c.SetDeadline(time.Now().Add(2 * time.Second))
	_, err = br.ReadByte() // EOF at once when closed; the deadline when kept open
	return statuses, err == io.EOF
}

// TestBothLengthsRefused: a request carrying both Content-Length and Transfer-Encoding: chunked
// answers 400 and its connection is closed, also when it follows a good request on a kept-alive
// connection (the smuggler's way); a chunked request alone is served and its connection kept.
func TestBothLengthsRefused(t *testing.T) {
	env := servertest.New(t)
	const body = `{"query":"{ __typename }"}`
	chunked := "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"1a\r\n" + body + "\r\n0\r\n\r\n"
	both := "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"1a\r\n" + body + "\r\n0\r\n\r\n"
	plain := "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 26\r\n\r\n" + body
	for _, c := range []struct {
		name, raw string
		want      []int
		closed    bool
	}{
		{"both lengths", both, []int{400}, true},
		{"both lengths after a good request", plain + chunked + both, []int{200, 200, 400}, true},
		// net/http's own answer to OPTIONS * would bypass the handler and let the next
		// request's entry be read by the one after it: the handler answers it, and closes.
		// net/http reads "Chunked" as chunked: so must the framing, or the next request goes unseen.
		{"both lengths after a Chunked request", strings.Replace(chunked, "chunked", "Chunked", 1) + both, []int{200, 400}, true},
		// HTTP/1.0 ignores Transfer-Encoding: the request has no body, and the next one is read.
		{"both lengths after an HTTP/1.0 request with chunked", "POST /graphql HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n" +
			"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + both, []int{400, 400}, true},
		{"both lengths after OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n" + both, []int{400}, true},
		{"both lengths, reversed order", strings.Replace(both, "Content-Length: 4\r\nTransfer-Encoding: chunked", "Transfer-Encoding: chunked\r\nContent-length: 4", 1), []int{400}, true},
	} {
		got, closed := rawExchange(t, env, c.raw, len(c.want))
		if fmt.Sprint(got) != fmt.Sprint(c.want) || closed != c.closed {
			t.Errorf("%s: %v, closed %v; want %v, closed %v", c.name, got, closed, c.want, c.closed)
		}
	}
	// A chunked request alone is served and its connection kept open.
	if got, closed := rawExchange(t, env, chunked+plain, 2); fmt.Sprint(got) != "[200 200]" || closed {
		t.Errorf("chunked then plain: %v, closed %v", got, closed)
	}
}

// TestEveryResponseNoStoreNoSniff: every answer of the service's listener carries no-store
// and nosniff, not only the lookups': health, readiness, a 404, the mux's redirect to a clean
// path, the console's 405.
func TestEveryResponseNoStoreNoSniff(t *testing.T) {
	env := servertest.New(t)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, c := range []struct{ method, path string }{
		{"GET", "/healthz"}, {"GET", "/readyz"}, {"GET", "/nowhere"}, {"GET", "/console/../healthz"},
		{"GET", "//healthz"}, {"PUT", "/console/"}, {"GET", "/console/"}, {"GET", "/graphql"},
	} {
		req, _ := http.NewRequest(c.method, env.URL+c.path, nil)
		req.URL.Opaque = c.path // sent as written, unclean
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s %s: %d, Cache-Control %q, X-Content-Type-Options %q", c.method, c.path, resp.StatusCode,
				resp.Header.Get("Cache-Control"), resp.Header.Get("X-Content-Type-Options"))
		} else {
			t.Logf("%s %s: %d", c.method, c.path, resp.StatusCode)
		}
	}
}
