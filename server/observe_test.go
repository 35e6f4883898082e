package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cadrestat/cadrestat/internal/testenv"
	"github.com/cadrestat/cadrestat/server"
	"github.com/cadrestat/cadrestat/warehouse"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// metricValue reads one sample of the Prometheus text format.
func metricValue(t *testing.T, text, series string) float64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` ([0-9.e+-]+)$`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no sample %s in /metrics:\n%s", series, grepLines(text, "cadrestat_"))
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

func TestMetricsLogsAndVersion(t *testing.T) {
	metrics := server.NewMetrics()
	store := warehouse.Limit(testenv.Store(t), 8)
	store.Observe(metrics)
	var logs syncBuffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	svc := bundledService(t, store, log)
	cfg := server.Defaults()
	cfg.Metrics, cfg.PublicMetrics, cfg.Engine = metrics, true, "test engine"
	ts := httptest.NewServer(wired(svc, cfg, log))
	defer ts.Close()

	q := `query Dash { compare(metric: "female_provincial_committee_share", year: 2020) { rows { value } } }`
	for i := 0; i < 2; i++ {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/graphql", strings.NewReader(string(mustJSON(map[string]any{"query": q, "operationName": "Dash"}))))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Request-Id", "client-req-42")
		req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.Header.Get("X-Request-Id") != "client-req-42" {
			t.Fatalf("incoming X-Request-Id not kept: %q", resp.Header.Get("X-Request-Id"))
		}
	}
	post(t, ts, `{ compare(metric: "nope", year: 2020) { year } }`, nil)
	resp, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	text := string(body)
	if v := metricValue(t, text, `cadrestat_http_requests_total{operation="Dash",outcome="ok",route="/graphql"}`); v != 2 {
		t.Fatalf("Dash requests = %v, want 2", v)
	}
	if v := metricValue(t, text, `cadrestat_http_requests_total{operation="anonymous",outcome="NOT_FOUND",route="/graphql"}`); v != 1 {
		t.Fatalf("failed requests = %v, want 1", v)
	}
	if metricValue(t, text, `cadrestat_response_cache_events_total{event="hit"}`) < 1 || metricValue(t, text, `cadrestat_response_cache_events_total{event="miss"}`) < 1 {
		t.Fatal("cache hits and misses not counted")
	}
	if !regexp.MustCompile(`(?m)^cadrestat_warehouse_query_duration_seconds_count\{call="(cells|observations)"\} [1-9]`).MatchString(text) {
		t.Fatal("warehouse queries not observed")
	}
	if metricValue(t, text, `cadrestat_loads_total{outcome="ok"}`) < 1 || metricValue(t, text, `cadrestat_load_rows_total{kind="read"}`) < 100 {
		t.Fatal("loads not observed")
	}
	if metricValue(t, text, `cadrestat_data_version`) < 1 || !strings.Contains(text, "go_goroutines ") || !strings.Contains(text, "go_build_info{") {
		t.Fatal("data version, runtime or build info missing")
	}
	// The executor's queue: nothing waits or runs once the requests above have answered
	// (admit_test.go watches the gauges move).
	if metricValue(t, text, `cadrestat_executor_queue_length`) != 0 || metricValue(t, text, `cadrestat_executor_running`) != 0 {
		t.Fatal("executor gauges not at rest")
	}

	// The request's log line says what an operator needs.
	var line map[string]any
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, `"operation":"Dash"`) && strings.Contains(l, `"cache":"MISS"`) {
			json.Unmarshal([]byte(l), &line)
		}
	}
	if line == nil || line["request_id"] != "client-req-42" || line["trace_id"] != "4bf92f3577b34da6a3ce929d0e0e4736" ||
		line["complexity"].(float64) < 200 || line["warehouse_queries"].(float64) < 1 {
		t.Fatalf("log line of the first Dash request: %v\n%s", line, logs.String())
	}

	var b server.Build
	r, _ := http.Get(ts.URL + "/version")
	json.NewDecoder(r.Body).Decode(&b)
	r.Body.Close()
	if b.Go == "" || b.Engine != "test engine" || b.Module == "" {
		t.Fatalf("/version = %+v", b)
	}
	// A malformed incoming request id is replaced.
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/healthz", nil)
	req.Header.Set("X-Request-Id", "bad id\twith spaces")
	rr, _ := http.DefaultClient.Do(req)
	rr.Body.Close()
	if id := rr.Header.Get("X-Request-Id"); id == "" || strings.ContainsAny(id, " \t") {
		t.Fatalf("request id %q", id)
	}
}

func grepLines(text, prefix string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
