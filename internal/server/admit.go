package server

import (
	"net/http"
	"time"
)

// slots is the process's one budget of lookups running at once (MAX_IN_FLIGHT), shared by
// both ways in: a process never runs more than its size, whichever way the lookups came.
type slots chan struct{}

// newSlots returns a budget of max slots; nil (no bound) when max <= 0.
func newSlots(max int) slots {
	if max <= 0 {
		return nil
	}
	return make(slots, max)
}

// admit lets a lookup run once it holds one of s; a lookup that cannot start within wait is
// refused at once with refuse, rather than queueing on the connection pool until its deadline.
// With the pool exhausted, the caller learns in a second that the service is busy.
func (s slots) admit(wait time.Duration, refuse func(http.ResponseWriter, *http.Request), next http.Handler) http.Handler {
	if s == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		timer := time.NewTimer(wait)
		defer timer.Stop()
		select {
		case s <- struct{}{}:
		case <-timer.C:
			refuse(w, r)
			return
		case <-r.Context().Done():
			return
		}
		defer func() { <-s }()
		next.ServeHTTP(w, r)
	})
}
