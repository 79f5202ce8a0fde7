package server

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Harden makes srv answer as every listener of the service must: each response marked not to
// be cached or content-sniffed (handlers inside may relax Cache-Control, as the console's
// assets do), and a request that declares both Content-Length and Transfer-Encoding: chunked
// refused with 400 and its connection closed (RFC 9112 §6.3: such a request may be an attempt
// to smuggle another past a proxy that reads it differently). net/http drops the
// Content-Length of a chunked request before any handler runs, so the connection's own bytes
// are read for it: serve srv on a listener from Listen.
func Harden(srv *http.Server) {
	next := srv.Handler
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		if c, ok := r.Context().Value(connKey{}).(*framedConn); ok && c.ambiguous() {
			h.Set("Connection", "close")
			http.Error(w, "a request may not carry both Content-Length and Transfer-Encoding", http.StatusBadRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
	// "OPTIONS *" would otherwise be answered by net/http itself, past the handler: the
	// connection's queue would then be one request behind.
	srv.DisableGeneralOptionsHandler = true
	srv.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		if f, ok := c.(*framedConn); ok {
			return context.WithValue(ctx, connKey{}, f)
		}
		return ctx
	}
}

type connKey struct{}

// Listen wraps l so that the requests read from each connection are framed as net/http
// frames them, noting for each whether it declared both lengths (see Harden).
func Listen(l net.Listener) net.Listener { return framedListener{l} }

type framedListener struct{ net.Listener }

func (l framedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &framedConn{Conn: c}, nil
}

// framedConn follows the HTTP/1.1 framing of what the server reads (request line and
// headers, then a body of Content-Length bytes or of chunks) and queues, per request, whether
// its headers held both Content-Length and Transfer-Encoding. net/http serves one
// connection's requests in order, so the handler of the n-th request takes the n-th entry.
type framedConn struct {
	net.Conn

	mu      sync.Mutex
	queue   []bool
	state   int
	line    []byte
	remain  int64 // body or chunk bytes still to skip
	started bool  // the request line is read
	http10  bool  // and it is HTTP/1.0, whose Transfer-Encoding net/http ignores
	cl, te  bool
	chunked bool
}

const (
	inHeaders = iota
	inBody
	inChunkSize
	inChunkData
	inChunkEnd
	inTrailer
	lost // a framing this reader does not follow: net/http refuses it and closes the connection
)

// maxLine bounds a line kept while framing; net/http refuses longer header blocks anyway.
const maxLine = 1 << 20

func (c *framedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.mu.Lock()
		c.scan(p[:n])
		c.mu.Unlock()
	}
	return n, err
}

// ambiguous takes the oldest request's entry: whether it declared both lengths.
func (c *framedConn) ambiguous() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.queue) == 0 {
		return false
	}
	bad := c.queue[0]
	c.queue = c.queue[1:]
	return bad
}

func (c *framedConn) scan(b []byte) {
	for len(b) > 0 && c.state != lost {
		switch c.state {
		case inBody, inChunkData:
			k := int64(len(b))
			if k > c.remain {
				k = c.remain
			}
			b, c.remain = b[k:], c.remain-k
			if c.remain == 0 {
				if c.state == inBody {
					c.state = inHeaders
				} else {
					c.state = inChunkEnd
				}
			}
		default:
			i := bytes.IndexByte(b, '\n')
			if i < 0 {
				c.line = append(c.line, b...)
				if len(c.line) > maxLine {
					c.state = lost
				}
				return
			}
			c.line = append(c.line, b[:i]...)
			b = b[i+1:]
			c.endLine(string(bytes.TrimSuffix(c.line, []byte("\r"))))
			c.line = c.line[:0]
		}
	}
}

func (c *framedConn) endLine(line string) {
	switch c.state {
	case inHeaders:
		if line != "" && !c.started {
			c.started, c.http10 = true, strings.HasSuffix(line, " HTTP/1.0")
			return
		}
		if line != "" {
			name, value, ok := strings.Cut(line, ":")
			value = strings.Trim(value, " \t")
			switch {
			case !ok:
			case http.CanonicalHeaderKey(name) == "Content-Length":
				n, err := strconv.ParseInt(value, 10, 64)
				if err != nil || n < 0 {
					c.state = lost
					return
				}
				c.cl, c.remain = true, n
			case http.CanonicalHeaderKey(name) == "Transfer-Encoding":
				// As net/http reads it: any case, and not at all in HTTP/1.0 (but both lengths are
				// still refused there).
				c.te, c.chunked = true, strings.EqualFold(value, "chunked") && !c.http10
			}
			return
		}
		if !c.started { // an empty line before the request line, which net/http skips too
			return
		}
		c.queue = append(c.queue, c.cl && c.te)
		switch {
		case c.te && !c.chunked && !c.http10:
			c.state = lost
		case c.chunked:
			c.state = inChunkSize
		case c.cl && c.remain > 0:
			c.state = inBody
		}
		c.started, c.cl, c.te, c.chunked = false, false, false, false
	case inChunkSize:
		size, _, _ := strings.Cut(line, ";")
		size = strings.TrimSpace(size)
		n, err := strconv.ParseInt(size, 16, 64)
		switch {
		case err != nil || n < 0:
			c.state = lost
		case n == 0:
			c.state = inTrailer
		default:
			c.state, c.remain = inChunkData, n
		}
	case inChunkEnd:
		c.state = inChunkSize
	case inTrailer:
		if line == "" {
			c.state = inHeaders
		}
	}
}
