package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/cadrestat/cadrestat/internal/testenv"
	"github.com/cadrestat/cadrestat/server"
)

// BenchmarkDashboardHit is the harness's "dashboard mix, cache hits" scenario in process:
// a page's 20 comparisons, every one a response-cache hit, through the whole public stack
// as `cadrestat serve` builds it (metrics, no-op tracing, JSON request logs), next to a
// bare handler that reads the body and writes the same bytes (the harness's reference).
// The difference is what a hit costs beyond net/http (issue 19).
func BenchmarkDashboardHit(b *testing.B) {
	svc := bundledService(b, testenv.Store(b), discard)
	cfg := server.Defaults()
	cfg.Metrics = server.NewMetrics()
	cfg.Tracing = server.NewTracing(nil)
	h := wired(svc, cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	metrics := []string{"female_provincial_committee_share", "youth_provincial_committee_share", "staff_cut", "new_members", "female_na_share"}
	var bodies, answers [][]byte
	for i := range 20 {
		body, _ := json.Marshal(map[string]any{"query": benchCompareQ, "variables": map[string]any{"m": metrics[i%len(metrics)], "y": 2015 + i%6, "map": "VN63", "s": true}})
		bodies = append(bodies, body)
		answers = append(answers, hitRequest(b, h, body, "")) // the miss that fills the cache
		if got := hitRequest(b, h, body, "HIT"); !bytes.Equal(got, answers[i]) {
			b.Fatalf("hit differs from the miss that stored it")
		}
	}
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(answers[0])
	})
	for _, c := range []struct {
		name  string
		h     http.Handler
		cache string
	}{{"bare", bare, ""}, {"server", h, "HIT"}} {
		b.Run(c.name, func(b *testing.B) {
			var n atomic.Int64
			b.ReportAllocs()
			b.SetParallelism(8) // × GOMAXPROCS 2 = 16 goroutines, as the harness's -c 16
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					hitRequest(b, c.h, bodies[int(n.Add(1))%len(bodies)], c.cache)
				}
			})
		})
	}
}

// hitRequest posts body and returns the answer, failing unless it is a 200 whose X-Cache
// is cache ("" for any).
func hitRequest(b *testing.B, h http.Handler, body []byte, cache string) []byte {
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 || cache != "" && rec.Header().Get("X-Cache") != cache {
		b.Fatalf("%d %q %s", rec.Code, rec.Header().Get("X-Cache"), rec.Body.String())
	}
	return rec.Body.Bytes()
}
