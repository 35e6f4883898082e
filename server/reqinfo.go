package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"regexp"
	"strings"

	"github.com/cadrestat/cadrestat/graph"
	"go.opentelemetry.io/otel/trace"
)

// requestInfo collects what a request's log line and metrics report, filled in by the
// layers that know it: the GraphQL request (operation name), the GraphQL handler (gql:
// the operation, its complexity, its first error code; see graph.Outcome) and withLimits
// (warehouse queries and their time).
type requestInfo struct {
	id, traceID      string
	gql              graph.Outcome
	warehouseQueries int
	warehouseMS      float64
}

type infoKey struct{}

func infoFrom(ctx context.Context) *requestInfo {
	i, _ := ctx.Value(infoKey{}).(*requestInfo)
	return i
}

// RequestID returns the id given to the current request (logged with every error).
func RequestID(ctx context.Context) string {
	if i := infoFrom(ctx); i != nil {
		return i.id
	}
	return ""
}

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// withRequestID keeps a well-formed incoming X-Request-Id (a proxy's or client's, so logs
// can be joined across services) or makes one, and notes the trace id (Tracing.handler
// runs first and continues an incoming W3C traceparent).
func withRequestID(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := &requestInfo{id: r.Header.Get("X-Request-Id")}
		if !validRequestID.MatchString(info.id) {
			var b [8]byte
			_, _ = rand.Read(b[:])
			info.id = hex.EncodeToString(b[:])
		}
		if sc := trace.SpanContextFromContext(r.Context()); sc.HasTraceID() {
			info.traceID = sc.TraceID().String() // the incoming traceparent's, or this server's span
		}
		w.Header().Set("X-Request-Id", info.id)
		ctx := graph.WithOutcome(context.WithValue(r.Context(), infoKey{}, info), &info.gql)
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// route names the endpoint for metrics: a fixed set, whatever the path.
func route(path string) string {
	switch {
	case path == "/graphql", path == "/healthz", path == "/readyz", path == "/metrics", path == "/version", path == "/schema.graphql":
		return path
	case strings.HasPrefix(path, "/export/"):
		name, ext, _ := strings.Cut(strings.TrimPrefix(path, "/export/"), ".")
		if exportFormats[ext] != nil && (name == "compare" || name == "series" || name == "table" || name == "observations") {
			return path
		}
	case strings.HasPrefix(path, "/brief/"):
		return "/brief/"
	case strings.HasPrefix(path, "/explore"):
		return "/explore/"
	case strings.HasPrefix(path, "/assets/"):
		return "/assets/"
	case path == "/":
		return "/"
	}
	return "other"
}
