package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/formatter"

	"github.com/cadrestat/cadrestat/graph"
)

// schemaSDL serves the schema in GraphQL SDL at /schema.graphql, for code generators and
// schema checkers that read a file rather than run introspection. It is the schema this
// binary answers with (printed from the parsed schema, descriptions kept), so it changes
// only with a new build: cacheable for an hour, revalidated by its ETag. With
// introspection off the schema is not published here either (404).
func schemaSDL(introspection bool) http.Handler {
	if !introspection {
		return http.NotFoundHandler()
	}
	var buf bytes.Buffer
	formatter.NewFormatter(&buf, formatter.WithIndent("  ")).FormatSchema(graph.Schema())
	sdl := buf.Bytes()
	sum := sha256.Sum256(sdl)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/plain; charset=utf-8")
		h.Set("Cache-Control", "public, max-age=3600")
		h.Set("ETag", etag)
		h.Set("X-Content-Type-Options", "nosniff")
		// ServeContent answers If-None-Match (lists, weak tags, *) with 304 and HEAD.
		http.ServeContent(w, r, "schema.graphql", time.Time{}, strings.NewReader(string(sdl)))
	})
}
