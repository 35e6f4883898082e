package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

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
	// Names and attributes as OTel's semantic conventions say: "{method} {http.route}" with
	// http.route; "{operation type} {operation name}" with both as attributes.
	httpSpan, op := byName["POST /graphql"], byName["query Dash"]
	if len(httpSpan) != 1 || httpSpan[0].Parent.SpanID().String() != "00f067aa0ba902b7" {
		t.Fatalf("request span: %+v (spans: %v)", httpSpan, names(spans))
	}
	if got := attr(httpSpan[0], "http.route"); got != "/graphql" {
		t.Fatalf("http.route %q", got)
	}
	if attr(httpSpan[0], "http.request.method") != "POST" || attr(httpSpan[0], "http.response.status_code") != "200" {
		t.Fatalf("request span attributes: %v", httpSpan[0].Attributes)
	}
	if len(op) != 1 || op[0].Parent.SpanID() != httpSpan[0].SpanContext.SpanID() {
		t.Fatalf("operation span: %v", names(spans))
	}
	if attr(op[0], "graphql.operation.type") != "query" || attr(op[0], "graphql.operation.name") != "Dash" {
		t.Fatalf("operation span attributes: %v", op[0].Attributes)
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

func attr(s tracetest.SpanStub, key string) string {
	for _, a := range s.Attributes {
		if string(a.Key) == key {
			return a.Value.String()
		}
	}
	return ""
}

// Scrapes, health probes and CORS preflights make no spans; an anonymous operation with an
// error is named by its type and carries error.type; a path no route matches is named by
// its method alone.
func TestTracingLeavesOutProbes(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(t.Context())
	svc := bundledService(t, testenv.Store(t), discard)
	cfg := server.Defaults()
	cfg.Tracing, cfg.Metrics, cfg.PublicMetrics = server.NewTracing(tp), server.NewMetrics(), true
	cfg.CORSOrigins = []string{"https://dash.example"}
	ts := httptest.NewServer(wired(svc, cfg, discard))
	defer ts.Close()
	exp.Reset()

	do := func(method, path string, header map[string]string, body string) {
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	do(http.MethodGet, "/metrics", nil, "")
	do(http.MethodGet, "/healthz", nil, "")
	do(http.MethodGet, "/readyz", nil, "")
	do(http.MethodOptions, "/graphql", map[string]string{"Origin": "https://dash.example", "Access-Control-Request-Method": "POST",
		"Access-Control-Request-Headers": "content-type,traceparent"}, "")
	if spans := exp.GetSpans(); len(spans) != 0 {
		t.Fatalf("probes and preflights made spans: %v", names(spans))
	}

	do(http.MethodPost, "/graphql", map[string]string{"Content-Type": "application/json"}, `{"query":"{ compare(metric: \"nope\", year: 2020) { year } }"}`)
	do(http.MethodGet, "/no/such/page", nil, "")
	byName := map[string]tracetest.SpanStub{}
	for _, s := range exp.GetSpans() {
		byName[s.Name] = s
	}
	op, ok := byName["query"]
	if !ok || attr(op, "error.type") != "NOT_FOUND" || attr(op, "graphql.operation.name") != "" {
		t.Fatalf("anonymous failing operation: %v %v", names(exp.GetSpans()), op.Attributes)
	}
	if other, ok := byName["GET"]; !ok || attr(other, "http.route") != "" {
		t.Fatalf("unrouted request: %v", names(exp.GetSpans()))
	}
}

// A warm-up is one span: its thousands of views and their warehouse queries are counted on
// it instead of each making a trace of its own.
func TestWarmUpIsOneSpan(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(t.Context())
	tracing := server.NewTracing(tp)
	store := warehouse.Limit(testenv.Store(t), 8)
	store.Trace(tracing)
	svc := bundledService(t, store, discard)
	exp.Reset()
	cfg := server.Defaults()
	cfg.Tracing, cfg.WarmViews = tracing, true
	warmed := make(chan int, 1)
	cfg.AfterWarm = func(n int) { warmed <- n }
	ts := httptest.NewServer(wired(svc, cfg, discard))
	defer ts.Close()
	var n int
	select {
	case n = <-warmed:
	case <-time.After(3 * time.Minute):
		t.Fatal("the warm-up did not finish")
	}
	var warm []tracetest.SpanStub
	deadline := time.Now().Add(5 * time.Second) // the span ends just after AfterWarm returns
	for len(warm) == 0 && time.Now().Before(deadline) {
		warm = nil
		for _, s := range exp.GetSpans() {
			if s.Name == "cadrestat.warm" {
				warm = append(warm, s)
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	spans := exp.GetSpans()
	if len(warm) != 1 || len(spans) != 1 {
		t.Fatalf("%d warm-up spans among %d: %v", len(warm), len(spans), names(spans[:min(len(spans), 20)]))
	}
	if got := attr(warm[0], "cadrestat.warm.views"); got != strconv.Itoa(n) || n < 2000 {
		t.Fatalf("views %q, want %d", got, n)
	}
	if attr(warm[0], "cadrestat.operations") != strconv.Itoa(n) || attr(warm[0], "cadrestat.operations.failed") != "0" {
		t.Fatalf("warm-up span attributes: %v", warm[0].Attributes)
	}
}
