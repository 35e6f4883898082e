package server

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/cadrestat/cadrestat/graph"
	"github.com/cadrestat/cadrestat/server/explorer"
	"github.com/cadrestat/cadrestat/service"
	"go.opentelemetry.io/otel/attribute"
)

// WarmFrom and WarmTo bound the years whose standard views are pre-rendered.
const WarmFrom, WarmTo = 2010, 2030

// warmAccept is what the explorer sends as Accept; it is part of the keys warmed.
const warmAccept = "application/json"

// warmer puts the explorer's comparison for every metric, year and map into the response
// cache before anyone asks for it. Each view runs through graph's executor directly, under
// a request's limits, and is stored as the bytes a POST of the same request would have been
// answered with (gqlgen marshals the executor's response with json.Marshal), under that
// request's key: the explorer's first request for it is then a hit with identical bytes.
type warmer struct {
	gql   *graph.Handler
	keys  *keyer
	cache *responseCache
	svc   *service.Service
	cfg   Config
	log   *slog.Logger
}

// run renders every view once. It stops when the data version moves on (a newer load will
// warm again).
//
// A warm-up is one span (a root of its own, as nothing asked for it): its views and their
// warehouse queries are counted on it, not traced one by one.
func (w *warmer) run() {
	start := time.Now()
	version := w.svc.Catalog().Version
	ctx, end := w.cfg.Tracing.startSummary(context.Background(), "cadrestat.warm",
		attribute.Int64("cadrestat.data.version", int64(version)))
	n := 0
	defer func() { end(attribute.Int("cadrestat.warm.views", n)) }()
	for _, m := range w.svc.Catalog().Metrics {
		for _, mp := range []string{"VN63", "VN34"} {
			for y := WarmFrom; y <= WarmTo; y++ {
				if w.svc.Catalog().Version != version {
					return
				}
				w.view(ctx, version, map[string]any{"m": m.ID, "y": y, "map": mp, "s": false})
				n++
			}
		}
	}
	took := time.Since(start)
	w.log.Info("standard views warm", "views", n, "ms", took.Milliseconds())
	w.cfg.Metrics.warmed(n, took)
	if w.cfg.AfterWarm != nil {
		w.cfg.AfterWarm(n)
	}
}

// view renders one comparison into the cache, unless it is there already or has errors.
func (w *warmer) view(ctx context.Context, version uint64, variables map[string]any) {
	raw, _ := json.Marshal(variables)
	req := gqlRequest{Query: explorer.CompareQuery, Variables: raw}
	key, ok := w.keys.key(req, warmAccept, version)
	if !ok {
		return
	}
	if w.cache.has(key) {
		return
	}
	// Decoded as gqlgen's POST transport decodes a body: numbers stay json.Number.
	params := &graphql.RawParams{Query: req.Query}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&params.Variables) != nil {
		return
	}
	ctx, cancel := limited(ctx, w.cfg)
	defer cancel()
	resp := w.gql.Exec(ctx, params)
	if resp == nil || len(resp.Errors) > 0 {
		return
	}
	body, err := json.Marshal(resp)
	if err != nil {
		return
	}
	w.cache.put(key, &cached{body: body, contentType: warmAccept})
}
