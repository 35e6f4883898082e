// Package explorer serves the explorer page (/explore/), built by Vite from web/explorer
// into dist/ by `make assets` and embedded here, so it works with no internet access.
package explorer

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

// The * pattern embeds dist/ when it has been built and still compiles when it has not.
//
//go:embed *
var files embed.FS

// Available reports whether the build embedded the explorer.
func Available() bool {
	_, err := fs.Stat(files, "dist/index.html")
	return err == nil
}

// Handler serves the page under prefix ("/explore/").
func Handler(prefix string) http.Handler {
	dist, _ := fs.Sub(files, "dist")
	fileServer := http.StripPrefix(strings.TrimSuffix(prefix, "/"), http.FileServer(http.FS(dist)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !Available() {
			http.Error(w, "the explorer was not built into this binary; run `make assets` and rebuild", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'")
		if strings.HasPrefix(r.URL.Path, prefix+"assets/") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable") // hashed names
		}
		fileServer.ServeHTTP(w, r)
	})
}
