package server_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/internal/testenv"
	"github.com/cadrestat/cadrestat/server"
)

// TestMetricsLabelsOnlyForValidatedOperations: 250 requests with distinct operation names
// that fail to parse or validate (more than the 200 label slots) leave every slot free, so a
// real operation sent afterwards still gets its own label; the refused ones count as "other".
func TestMetricsLabelsOnlyForValidatedOperations(t *testing.T) {
	metrics := server.NewMetrics()
	svc := bundledService(t, testenv.Store(t), slog.New(slog.NewTextHandler(io.Discard, nil)))
	cfg := server.Defaults()
	cfg.Metrics, cfg.PublicMetrics = metrics, true
	ts := httptest.NewServer(wired(svc, cfg, slog.New(slog.NewTextHandler(io.Discard, nil))))
	defer ts.Close()
	send := func(query, op string) {
		t.Helper()
		resp, err := http.Post(ts.URL+"/graphql", "application/json", strings.NewReader(string(mustJSON(map[string]any{"query": query, "operationName": op}))))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	for i := range 250 {
		op := fmt.Sprintf("Junk%d", i)
		switch i % 3 {
		case 0:
			send(`query `+op+` { nope }`, op) // does not validate
		case 1:
			send(`query `+op+` {`, op) // does not parse
		default:
			send(`query Other { metrics { id } }`, op) // names an operation the document lacks
		}
	}
	send(`query Dash { metrics { id } }`, "Dash")
	resp, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	text := string(body)
	if strings.Contains(text, `operation="Junk`) {
		t.Fatalf("an operation that failed validation took a label:\n%s", grepLines(text, "Junk"))
	}
	if v := metricValue(t, text, `cadrestat_http_requests_total{operation="Dash",outcome="ok",route="/graphql"}`); v != 1 {
		t.Fatalf("Dash requests = %v, want 1 under its own label", v)
	}
	if v := metricValue(t, text, `cadrestat_http_requests_total{operation="other",outcome="GRAPHQL_VALIDATION_FAILED",route="/graphql"}`); v < 80 {
		t.Fatalf("refused operations counted as other = %v, want at least 80", v)
	}
}
