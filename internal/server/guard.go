package server

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"createinfo/internal/apperr"
	"createinfo/internal/audit"
	"createinfo/internal/auth"
)

// wayIn is one way in: its name in logs and audit rows, and how it answers a refusal (its
// own envelope, the status from apperr).
type wayIn struct {
	name   string
	reject func(w http.ResponseWriter, code apperr.Code, message string)
}

// refuse answers r with code, noting the code on the request's audit record, which is written
// (audit.Recorder.Finish) before the answer leaves (auditWriter).
func refuse(w http.ResponseWriter, r *http.Request, way wayIn, code apperr.Code, message string) {
	audit.Refuse(audit.FromContext(r.Context()), code)
	way.reject(w, code, message)
}

// guard authenticates a request and opens its audit record. A refused request is recorded
// and answered 401 UNAUTHORIZED (403 FORBIDDEN for valid credentials without a known role),
// unless it has no valid credentials and its address has sent more
// refused requests than the limiter allows: then it is answered 429 TOO_MANY_REQUESTS and counted in one aggregated row
// per address and interval instead of a row each. Every other request gets exactly one row,
// written before its response leaves: by the executor for those that reach it, by auditWriter
// for those refused on the way (body, method, admission). The request log's outcome is the
// record's (audit.Outcome). rc nil: nothing is written.
func guard(checker *auth.Checker, rc *audit.Recorder, lim *limiter, proxies []netip.Prefix, way wayIn, next http.Handler) http.Handler {
	const tooMany = "too many refused requests from this address; try again later"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := infoFrom(r.Context())
		addr := clientAddr(r, proxies)
		rec := &audit.Record{At: time.Now(), RequestID: info.id, ServerRequestID: info.serverID, ClientAddr: addr, Way: way.name}
		defer func() { info.outcome = audit.Outcome(rec) }()
		id, no := checker.Check(r)
		rec.KeyID, rec.AgentID = id.KeyID, id.AgentID
		rec.Role, rec.Proof, rec.AssertedAgent = id.Role, id.Proof, id.Asserted
		info.keyID, info.agent = id.KeyID, id.AgentID
		if no != nil {
			info.refusal = no.Reason
		}
		verdict := record
		if no != nil && id.Proof == "" { // proven credentials (a key, a token) are never aggregated
			verdict = lim.allow(addr)
		}
		if verdict == counted { // counted in the limiter's aggregated row: no row of its own
			audit.Refuse(rec, apperr.TooManyRequests)
			way.reject(w, apperr.TooManyRequests, tooMany)
			return
		}
		if verdict == firstOver { // recorded on its own row, like a 401, before it is answered
			no = &auth.Refusal{Code: apperr.TooManyRequests, Reason: tooMany}
		}
		if no == nil {
			r = r.WithContext(auth.NewContext(r.Context(), id))
		}
		r = r.WithContext(rc.Open(r.Context(), rec))
		var aw *auditWriter
		if rc != nil {
			aw = &auditWriter{ResponseWriter: w, ctx: r.Context(), rec: rec, rc: rc}
			w = aw
		}
		if no != nil {
			refuse(w, r, way, no.Code, no.Reason)
		} else {
			next.ServeHTTP(w, r)
		}
		if aw != nil {
			aw.send() // a request answered with a status only, or not at all (its client left)
		}
	})
}

// auditWriter holds the response's status line until the first byte of its body, and has the
// request's audit row written, if nobody has yet, before either leaves: the row of a refusal is
// committed before the refusal is sent. (gqlgen sets the status before the executor has
// recorded the request, so the row cannot be written at WriteHeader.)
type auditWriter struct {
	http.ResponseWriter
	ctx    context.Context
	rec    *audit.Record
	rc     *audit.Recorder
	status int // held, 0 when none
	sent   bool
}

// record finishes the row of a request the executor did not record: the refusal noted, or
// else what its status says.
func (w *auditWriter) record(status int) {
	outcome := apperr.Internal
	if status < 400 {
		// Only the executor answers with data, and it records its own row: a request that
		// gets here ended without one (its client went away while it waited).
		outcome = apperr.ServiceUnavailable
	}
	w.rc.Finish(w.ctx, w.rec, outcome.String()) // logged there; the refusal is sent anyway
}

func (w *auditWriter) WriteHeader(status int) {
	if w.status == 0 && !w.sent {
		w.status = status
	}
}

func (w *auditWriter) Write(b []byte) (int, error) {
	w.send()
	return w.ResponseWriter.Write(b)
}

// send records the request and sends the held status line, once.
func (w *auditWriter) send() {
	if w.sent {
		return
	}
	w.sent = true
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	w.record(status)
	w.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController reach the connection (read deadlines).
func (w *auditWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// clientAddr is the address of the request's client: the connection's peer, unless the peer
// is one of proxies (the load balancers of TRUSTED_PROXIES). Then X-Forwarded-For is read from
// the right, each hop appended by the proxy that received it, past the trusted ones: the first
// hop that is not a trusted proxy is the client; whatever a client wrote further left is its
// own claim and never believed. A hop that is not an address ends the walk at the proxy that
// passed it on.
func clientAddr(r *http.Request, proxies []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !trusted(peer, proxies) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		peer = hop.Unmap()
		if !trusted(peer, proxies) {
			break
		}
	}
	return peer.String()
}

func trusted(a netip.Addr, proxies []netip.Prefix) bool {
	a = a.Unmap()
	for _, p := range proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
