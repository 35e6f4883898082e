package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/internal/testenv"
	"github.com/cadrestat/cadrestat/server"
	"github.com/cadrestat/cadrestat/warehouse"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// One span per request (continuing the caller's traceparent), one per GraphQL operation
// under it, and one per warehouse query under the operation, named by call, not SQL.
func TestTracingSpans(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(t.Context())
	tracing := server.NewTracing(tp)
	store := warehouse.Limit(testenv.Store(t), 8)
	store.Trace(tracing)
	svc := bundledService(t, store, discard)
	cfg := server.Defaults()
	cfg.Tracing, cfg.CacheBytes = tracing, 0
	ts := httptest.NewServer(wired(svc, cfg, discard))
	defer ts.Close()
	exp.Reset()

	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/graphql", strings.NewReader(`{"query":"query Dash { observations(first: 2, filter: {metrics: [\"female_na_share\"]}) { totalCount edges { node { id } } } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("traceparent", "00-"+traceID+"-00f067aa0ba902b7-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()

	spans := exp.GetSpans()
	byName := map[string][]tracetest.SpanStub{}
	for _, s := range spans {
		if s.SpanContext.TraceID().String() != traceID {
			t.Fatalf("span %s is not in the caller's trace: %s", s.Name, s.SpanContext.TraceID())
		}
		byName[s.Name] = append(byName[s.Name], s)
	}
	httpSpan, op := byName["POST /graphql"], byName["graphql.operation"]
	if len(httpSpan) != 1 || httpSpan[0].Parent.SpanID().String() != "00f067aa0ba902b7" {
		t.Fatalf("request span: %+v (spans: %v)", httpSpan, names(spans))
	}
	if len(op) != 1 || op[0].Parent.SpanID() != httpSpan[0].SpanContext.SpanID() {
		t.Fatalf("operation span: %v", names(spans))
	}
	queries := append(byName["warehouse.observations"], byName["warehouse.count_observations"]...)
	if len(queries) != 2 {
		t.Fatalf("want a page and a count query: %v", names(spans))
	}
	for _, q := range queries {
		if q.Parent.SpanID() != op[0].SpanContext.SpanID() {
			t.Fatalf("%s is not a child of the operation", q.Name)
		}
		for _, a := range q.Attributes {
			if strings.Contains(a.Value.String(), "SELECT") {
				t.Fatalf("a span carries SQL: %v", a)
			}
		}
	}
}

func names(spans tracetest.SpanStubs) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}
