package server

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"regexp"
	"time"

	"createinfo/database"
)

// requestIDPattern bounds what a caller's X-Request-Id may be, so that it can be logged and
// echoed safely.
var requestIDPattern = regexp.MustCompile(`^[0-9A-Za-z._-]{1,64}$`)

// logRequests writes one line per request: request id, way in, status, duration and SQL
// statement count. It never logs bodies or query conditions: they hold ID and phone numbers.
func logRequests(log *slog.Logger, way string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !requestIDPattern.MatchString(id) {
			id = newRequestID()
		}
		w.Header().Set("X-Request-Id", id)
		ctx, statements := database.WithStatementCounter(r.Context())
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r.WithContext(ctx))
		log.InfoContext(ctx, "request", "request_id", id, "way", way, "status", sw.status,
			"duration_ms", float64(time.Since(start).Microseconds())/1000, "statements", statements.Load())
	})
}

func newRequestID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}
