package server

import (
	"context"
	"log/slog"
	"net/http"
	"regexp"
	"time"

	"createinfo/internal/apperr"
	"createinfo/internal/audit"
	"createinfo/internal/database"
	"createinfo/internal/metrics"
	"createinfo/internal/tracing"
)

// requestIDPattern bounds what a caller's X-Request-Id may be, so that it can be logged and
// echoed safely.
var requestIDPattern = regexp.MustCompile(`^[0-9A-Za-z._-]{1,64}$`)

// callerRequestID is the caller's X-Request-Id when it may be kept: well formed and holding
// nothing shaped like a phone or ID number, separators removed (a caller that correlates by customer would
// otherwise put one in the log and, in clear, in the audit row). Else the server's id.
func callerRequestID(id, serverID string) string {
	if !requestIDPattern.MatchString(id) || apperr.Personal(id) {
		return serverID
	}
	return id
}

// requestInfo is what the request's log line tells, filled by the handlers inside.
type requestInfo struct {
	id                    string // the caller's X-Request-Id when well-formed, else serverID
	serverID              string // the server's own unique id of the request, whatever the caller sent
	keyID, agent, outcome string
	refusal               string // why authentication refused the request (never the credentials)
}

type infoKey struct{}

func infoFrom(ctx context.Context) *requestInfo {
	i, _ := ctx.Value(infoKey{}).(*requestInfo)
	if i == nil {
		return &requestInfo{}
	}
	return i
}

// logRequests writes one line per request: request ids, trace id, key and agent, way in,
// status, outcome, duration and SQL statement count, and hands the same figures to m. It never
// logs bodies or query conditions: they hold ID and phone numbers.
func logRequests(log *slog.Logger, way string, m *metrics.Metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		done := m.Start(way) // metrics hook
		info := &requestInfo{serverID: audit.NewID()}
		info.id = callerRequestID(r.Header.Get("X-Request-Id"), info.serverID)
		w.Header().Set("X-Request-Id", info.id)
		ctx, statements := database.WithStatementCounter(context.WithValue(r.Context(), infoKey{}, info))
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r.WithContext(ctx))
		done(info.outcome, sw.status, statements.Load())
		log.InfoContext(ctx, "request", "request_id", info.id, "server_request_id", info.serverID, "trace_id", tracing.TraceID(ctx),
			"key_id", info.keyID, "agent", info.agent, "refusal", info.refusal,
			"way", way, "status", sw.status, "outcome", info.outcome,
			"duration_ms", float64(time.Since(start).Microseconds())/1000, "statements", statements.Load())
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (read deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
