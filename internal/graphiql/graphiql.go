// Package graphiql serves GraphiQL, the in-browser GraphQL IDE, from the binary: the page at
// / and its scripts and styles under /graphiql/. GraphiQL and React are npm packages copied
// at pinned versions into static/vendor/ by scripts/graphiql-vendor.sh (the output is
// committed), so the page works on a network that reaches only this server, under the same
// Content-Security-Policy as the console. The server mounts it in development only.
package graphiql

import (
	"bytes"
	"embed"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"createinfo/internal/console"
)

// Page is where the page is served; Assets is the prefix of its files.
const (
	Page   = "/"
	Assets = "/graphiql/"
)

//go:embed static
var static embed.FS

// Handler serves the page (mount it at "GET /{$}") and its assets (mount it at Assets).
func Handler() http.Handler {
	files := map[string][]byte{}
	fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := static.ReadFile(p)
		files[strings.TrimPrefix(p, "static/")] = b
		return err
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		console.SecurityHeaders(h)
		name := "index.html"
		if r.URL.Path != Page {
			name = strings.TrimPrefix(r.URL.Path, Assets)
		}
		b, ok := files[name]
		if !ok || name == "index.html" && r.URL.Path != Page {
			http.NotFound(w, r)
			return
		}
		ctype := mime.TypeByExtension(path.Ext(name))
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		h.Set("Content-Type", ctype)
		h.Set("Cache-Control", "no-cache")
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b))
	})
}
