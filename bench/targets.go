package main

// Issue 19's targets, checked per scale and binary from the figures of the same run.

import (
	"fmt"

	"github.com/cadrestat/cadrestat/bench/internal/load"
)

// target is one target's figure in this run and whether it was met (nil: not measured).
type target struct {
	Name   string `json:"target"`
	Figure string `json:"figure"`
	Met    *bool  `json:"met"`
}

// Scenario names: the tables print them, the targets look results up by them.
const (
	scBare     = "bare net/http, same bytes"
	scHits     = "dashboard mix, cache hits"
	scMisses   = "unique 63-row comparisons, cache misses"
	scPeer     = "peer (PostGraphile 5, PG 15): same misses"
	scNational = "national figure of one year (compare)"
	scSeries   = "national series 2010-2030 (series VN)"
)

func find(rs []load.Result, name string) *load.Result {
	for i := range rs {
		if rs[i].Scenario == name {
			return &rs[i]
		}
	}
	return nil
}

func met(ok bool) *bool { return &ok }

const gib = 1024.0 // MiB

// checkTargets fills r.Targets from r's figures and the scale's shared ones.
func checkTargets(sc *scaleReport, r *runReport) {
	var ts []target
	add := func(name string, ok *bool, format string, a ...any) {
		ts = append(ts, target{Name: name, Figure: fmt.Sprintf(format, a...), Met: ok})
	}
	bare, hits, miss, peer := find(r.Results, scBare), find(r.Results, scHits), find(r.Results, scMisses), find(r.Results, scPeer)
	if bare != nil && hits != nil && bare.RPS > 0 {
		add("cache hits ≥ 90 % of bare", met(hits.RPS >= 0.9*bare.RPS), "%.0f %% (%.0f / %.0f req/s)", 100*hits.RPS/bare.RPS, hits.RPS, bare.RPS)
	}
	if miss != nil {
		add("cache misses p99 ≤ 50 ms", met(miss.P99ms <= 50), "%.1f ms (p50 %.1f ms, %.0f req/s)", miss.P99ms, miss.P50ms, miss.RPS)
		if peer != nil && peer.RPS > 0 {
			add("cache misses ≥ 2× the peer's req/s", met(miss.RPS >= 2*peer.RPS), "%.2f× (%.0f / %.0f req/s; peer p99 %.1f ms)", miss.RPS/peer.RPS, miss.RPS, peer.RPS, peer.P99ms)
		} else {
			add("cache misses ≥ 2× the peer's req/s", nil, "not measured (run with -peer)")
		}
	}
	if sc.RawInsertRPS > 0 {
		add("ingest ≥ 80 % of the engine alone", met(r.IngestRowsPS >= 0.8*sc.RawInsertRPS), "%.0f %% (%.0f / %.0f rows/s)", 100*r.IngestRowsPS/sc.RawInsertRPS, r.IngestRowsPS, sc.RawInsertRPS)
	} else {
		add("ingest ≥ 80 % of the engine alone", nil, "engine alone not measured")
	}
	if r.IngestPeakRSSMiB >= 0 {
		add("ingest peak RSS ≤ 1 GiB", met(r.IngestPeakRSSMiB <= gib), "%.0f MiB", r.IngestPeakRSSMiB)
	} else {
		add("ingest peak RSS ≤ 1 GiB", nil, "not measured (needs Linux)")
	}
	warm, how := r.WarmupMs, "as logged"
	if warm < 0 {
		warm, how = r.WarmMs, "from serve's start: the log line has no ms"
	}
	add("metric-cache warm-up ≤ 10 s (target at L)", met(warm <= 10000), "%.1f s (%s)", warm/1000, how)
	add("serve ready < 1 s", met(r.ReadyMs < 1000), "%.0f ms", r.ReadyMs)
	add("serve peak RSS ≤ 1 GiB (target at L)", met(r.PeakRSSMiB >= 0 && r.PeakRSSMiB <= gib), "%.0f MiB", r.PeakRSSMiB)
	for _, h := range r.Handoff {
		add(fmt.Sprintf("hand-off memory (client ≤ %d MiB, server ≤ +%d MiB)", handoffClientMaxMiB, handoffServerMaxMiB), met(h.met()), "%s", h.figure())
	}
	r.Targets = ts
}
