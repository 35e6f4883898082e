package server

import (
	"net/http"

	"github.com/cadrestat/cadrestat/data"
)

// documents serves the bundled seed documents at /documents/<source-id> as plain UTF-8
// text: the link their figures cite. The text is data, never markup: it is sent as
// text/plain with nosniff and a sandboxing policy, so a browser neither guesses another
// type nor runs anything in it.
func documents() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/plain; charset=utf-8")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
		h.Set("Referrer-Policy", "no-referrer")
		body, ok := data.Document(r.PathValue("id"))
		if !ok {
			h.Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte("NOT_FOUND: no bundled document has this source ID\n"))
			return
		}
		h.Set("Cache-Control", "public, max-age=3600")
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(body)
	})
}
