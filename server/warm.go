package server

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/cadrestat/cadrestat/server/explorer"
	"github.com/cadrestat/cadrestat/service"
)

// WarmFrom and WarmTo bound the years whose standard views are pre-rendered.
const WarmFrom, WarmTo = 2010, 2030

// warmViews renders the explorer's comparison for every metric, year and map through the
// whole handler chain, so the response cache holds each standard view before anyone asks
// for it. It stops when the data version moves on (a newer load will warm again).
func warmViews(h http.Handler, svc *service.Service, log *slog.Logger, cfg Config) {
	start := time.Now()
	version := svc.Catalog().Version
	n := 0
	for _, m := range svc.Catalog().Metrics {
		for _, mp := range []string{"VN63", "VN34"} {
			for y := WarmFrom; y <= WarmTo; y++ {
				if svc.Catalog().Version != version {
					return
				}
				body, _ := json.Marshal(map[string]any{"query": explorer.CompareQuery,
					"variables": map[string]any{"m": m.ID, "y": y, "map": mp, "s": false}})
				req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Accept", "application/json") // what the explorer sends
				h.ServeHTTP(httptest.NewRecorder(), req)
				n++
			}
		}
	}
	log.Info("standard views warm", "views", n, "ms", time.Since(start).Milliseconds())
	cfg.Metrics.warmed(n, time.Since(start))
	if cfg.AfterWarm != nil {
		cfg.AfterWarm(n)
	}
}
