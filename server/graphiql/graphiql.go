// Package graphiql serves the GraphiQL IDE from assets embedded in the binary, so the page
// works on machines with no internet access (no CDN).
package graphiql

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed assets
var assets embed.FS

// Available reports whether the build embedded the GraphiQL assets (`make assets`).
func Available() bool {
	_, err := fs.Stat(assets, "assets/graphiql.min.js")
	return err == nil
}

// Handler serves the page at / and its assets under prefix (e.g. "/assets/").
func Handler(endpoint, prefix string) http.Handler {
	sub, _ := fs.Sub(assets, "assets")
	files := http.StripPrefix(strings.TrimSuffix(prefix, "/"), http.FileServer(http.FS(sub)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, prefix) {
			w.Header().Set("Cache-Control", "public, max-age=86400")
			files.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// GraphiQL's stylesheet carries its fonts inline as data: URLs, which default-src 'self'
		// blocks; a font can run no script, so font-src allows data: and nothing else.
		w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:")
		if !Available() {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`<!doctype html><title>cadrestat</title><p>GraphiQL assets were not built into this binary; run <code>make assets</code> and rebuild. The API itself answers at <a href="` + endpoint + `">` + endpoint + `</a>.</p>`))
			return
		}
		w.Write([]byte(strings.NewReplacer("{{endpoint}}", endpoint, "{{prefix}}", prefix).Replace(page)))
	})
}

const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cadrestat — GraphiQL</title>
<link rel="stylesheet" href="{{prefix}}graphiql.min.css">
<style>html,body{height:100%;margin:0}body{display:flex;flex-direction:column}
#links{font:14px system-ui,sans-serif;padding:4px 12px;background:#8b0000;color:#fff}#links a{color:#fff;margin-left:1em}
#graphiql{flex:1;min-height:0}</style>
</head>
<body>
<nav id="links" aria-label="cadrestat">cadrestat GraphQL API
<a href="/explore/">Explorer</a>
<a href="{{prefix}}schema.graphqls">Schema (SDL, with descriptions)</a>
<a href="{{prefix}}project-readme.txt">README</a>
</nav>
<div id="graphiql">Loading…</div>
<script src="{{prefix}}react.production.min.js"></script>
<script src="{{prefix}}react-dom.production.min.js"></script>
<script src="{{prefix}}graphiql.min.js"></script>
<script>
const fetcher = GraphiQL.createFetcher({ url: "{{endpoint}}" });
const defaultQuery = "{\n  provinces(map: VN34) {\n    id\n    name\n    predecessors { id name }\n  }\n}\n";
ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, { fetcher, defaultQuery, defaultEditorToolsVisibility: false }));
</script>
</body>
</html>`
