package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cadrestat/cadrestat/internal/testenv"
	"github.com/cadrestat/cadrestat/server"
)

// BenchmarkCompareMiss is the harness's cache-miss scenario in process (no network): the
// 63-row comparison of bench/main.go with the response cache off, every request a new
// rotation of the provinces list. Allocations per request are what the garbage collector
// pays for under load, and so much of the miss tail (bench/README.md).
func BenchmarkCompareMiss(b *testing.B) {
	svc := bundledService(b, testenv.Store(b), discard)
	cfg := server.Defaults()
	cfg.CacheBytes = 0
	h := server.New(svc, cfg, discard)
	const q = `query($m: ID!, $y: Int!, $map: Map, $s: Boolean, $p: [ID!]) { compare(metric: $m, year: $y, map: $map, includeSynthetic: $s, provinces: $p) {
  rows { rank province { id name } value numerator denominator change gapToTarget targetStatus observation { status source { title } } }
  national { figure { value } } benchmarks { id figure { value } } target { label } } }`
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
		body, _ := json.Marshal(map[string]any{"query": q, "variables": map[string]any{"m": metrics[i%len(metrics)], "y": 2015 + i%6, "map": "VN63", "s": false, "p": rot}})
		bodies = append(bodies, body)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(bodies[i%len(bodies)]))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 || bytes.Contains(rec.Body.Bytes(), []byte(`"errors"`)) {
			b.Fatalf("%d %s", rec.Code, rec.Body.String())
		}
		i++
	}
}
