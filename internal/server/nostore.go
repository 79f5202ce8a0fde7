package server

import "net/http"

// noStore marks a lookup's response, which holds personal data, as not to be kept by the
// browser or any cache between it and the service (the bank's proxies included), nor
// content-sniffed.
func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}
