package server

import (
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"createinfo/internal/audit"
	"createinfo/internal/auth"
)

// guard authenticates a lookup request and starts its audit record. A refused request is
// recorded and answered 401 UNAUTHORIZED by reject, in its way in's envelope. A request that
// ends without reaching the executor (a malformed legacy body, say) is recorded on the way
// out with its HTTP status as the outcome; the executor records all the others itself, before
// their response leaves.
func guard(checker *auth.Checker, writer *audit.Writer, way string, log *slog.Logger,
	reject func(w http.ResponseWriter, message string), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := infoFrom(r.Context())
		rec := &audit.Record{At: time.Now(), RequestID: info.id, ClientAddr: clientAddr(r), Way: way}
		id, why := checker.Check(r)
		rec.KeyID, rec.AgentID = id.KeyID, id.AgentID
		info.keyID, info.agent = id.KeyID, id.AgentID
		if why != "" {
			info.outcome = "UNAUTHORIZED"
			if writer != nil {
				if err := writer.Write(r.Context(), rec, "UNAUTHORIZED"); err != nil {
					log.ErrorContext(r.Context(), "audit row of a refused request not written", "request_id", info.id, "err", err)
				}
			}
			reject(w, why)
			return
		}
		if writer == nil {
			next.ServeHTTP(w, r)
			return
		}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r.WithContext(audit.NewContext(r.Context(), rec)))
		info.outcome = rec.Outcome
		if !rec.Written() {
			outcome := "HTTP_" + strconv.Itoa(sw.status)
			info.outcome = outcome
			if err := writer.Write(r.Context(), rec, outcome); err != nil {
				log.ErrorContext(r.Context(), "audit row not written", "request_id", info.id, "err", err)
			}
		}
	})
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
