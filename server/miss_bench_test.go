package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cadrestat/cadrestat/internal/testenv"
	"github.com/cadrestat/cadrestat/server"
)

// BenchmarkCompareMiss is the harness's cache-miss scenario in process (no network): the
// 63-row comparison of bench/main.go with the response cache off, every request a new
// rotation of the provinces list. Allocations per request are what the garbage collector
// pays for under load, and so much of the miss tail (bench/README.md).
// benchCompareQ is the harness's comparison (bench/scenarios.go compareQ).
const benchCompareQ = `query($m: ID!, $y: Int!, $map: Map, $s: Boolean, $p: [ID!]) { compare(metric: $m, year: $y, map: $map, includeSynthetic: $s, provinces: $p) {
  rows { rank province { id name } value numerator denominator change gapToTarget targetStatus observation { status source { title } } }
  national { figure { value } } benchmarks { id figure { value } } target { label } } }`

func BenchmarkCompareMiss(b *testing.B) {
	svc := bundledService(b, testenv.Store(b), discard)
	cfg := server.Defaults()
	cfg.CacheBytes = 0
	h := wired(svc, cfg, discard)
	var units []string
	for _, p := range svc.Catalog().Provinces {
		if p.Map == "VN63" {
			units = append(units, p.ID)
		}
	}
	metrics := []string{"female_provincial_committee_share", "youth_provincial_committee_share", "staff_cut", "new_members", "female_na_share"}
	bodies := make([][]byte, 0, 64)
	for i := range 64 {
		r := i % len(units)
		rot := append(append([]string{}, units[r:]...), units[:r]...)
		body, _ := json.Marshal(map[string]any{"query": benchCompareQ, "variables": map[string]any{"m": metrics[i%len(metrics)], "y": 2015 + i%6, "map": "VN63", "s": false, "p": rot}})
		bodies = append(bodies, body)
	}
	b.ReportAllocs()
	b.Run("serial", func(b *testing.B) {
		i := 0
		for b.Loop() {
			missRequest(b, h, bodies[i%len(bodies)])
			i++
		}
	})
	// 16 at once, as the harness drives it: the latency of each request, so the tail
	// (p99) shows what the scheduler and the garbage collector add under load; with the
	// default queue in front of the executor (Config.MaxExecuting, one place per core),
	// without it, and with two places per core (the default until the quiet harness run in
	// server.Config's comment; in process, on the shared machine at load 7.6–8.3, the two
	// were within the noise: p99 184/67/50 ms at 2× against 152/181/48 ms at 1×).
	unqueued := cfg
	unqueued.MaxExecuting = 0
	twoPerCore := cfg
	twoPerCore.MaxExecuting = 2 * runtime.GOMAXPROCS(0)
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"parallel16", h}, {"parallel16-unqueued", wired(svc, unqueued, discard)}, {"parallel16-2percore", wired(svc, twoPerCore, discard)}} {
		b.Run(c.name, func(b *testing.B) {
			var mu sync.Mutex
			var lat []time.Duration
			var n atomic.Int64
			b.SetParallelism(8) // × GOMAXPROCS 2 = 16 goroutines
			b.RunParallel(func(pb *testing.PB) {
				var mine []time.Duration
				for pb.Next() {
					t0 := time.Now()
					missRequest(b, c.h, bodies[int(n.Add(1))%len(bodies)])
					mine = append(mine, time.Since(t0))
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			})
			slices.Sort(lat)
			if len(lat) > 0 {
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			}
		})
	}
}

func missRequest(b *testing.B, h http.Handler, body []byte) {
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 || bytes.Contains(rec.Body.Bytes(), []byte(`"errors"`)) {
		b.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
}
