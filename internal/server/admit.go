package server

import (
	"net/http"
	"time"
)

// admit lets at most max lookups run at once; a lookup that cannot start within wait is
// refused at once with refuse, rather than queueing on the connection pool until its deadline.
// With the pool exhausted, the caller learns in a second that the service is busy.
func admit(max int, wait time.Duration, refuse func(http.ResponseWriter, *http.Request), next http.Handler) http.Handler {
	if max <= 0 {
		return next
	}
	slots := make(chan struct{}, max)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		timer := time.NewTimer(wait)
		defer timer.Stop()
		select {
		case slots <- struct{}{}:
		case <-timer.C:
			refuse(w, r)
			return
		case <-r.Context().Done():
			return
		}
		defer func() { <-slots }()
		next.ServeHTTP(w, r)
	})
}
