// Package server is the HTTP surface: GraphQL at /graphql (request checks, the response
// cache and its warm-up, deadlines and budgets around graph's handler), GraphiQL at /, the
// explorer, briefs and CSV exports, health endpoints, CORS, request logs, metrics and
// tracing, and the local admin endpoint that ingest hands files to.
package server

import (
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/cadrestat/cadrestat/graph"
	"github.com/cadrestat/cadrestat/lifecycle"
	"github.com/cadrestat/cadrestat/server/brief"
	"github.com/cadrestat/cadrestat/server/explorer"
	"github.com/cadrestat/cadrestat/server/graphiql"
	"github.com/cadrestat/cadrestat/service"
	"github.com/rs/cors"
)

// Config holds the serving limits; Defaults gives safe values.
type Config struct {
	// Limits bound one GraphQL operation (introspection, complexity, depth, tokens): graph's.
	graph.Limits
	MaxBodyBytes int64 // larger bodies get 413
	// MaxWarehouseQueries bounds the warehouse queries one request may cause.
	MaxWarehouseQueries int
	BodyTimeout         time.Duration // the whole request body must arrive within it
	RequestTimeout      time.Duration
	CacheBytes          int  // response cache size; 0 turns it off
	WarmViews           bool // pre-render the explorer's standard views after each load
	// AfterWarm, when set, is called with the number of views each time a warm-up ends.
	AfterWarm   func(views int)
	CORSOrigins []string
	// Metrics, when set, receives request, cache and warm-up figures, and /metrics is served
	// on the public listener if PublicMetrics.
	Metrics       *Metrics
	PublicMetrics bool
	// TrustedDocuments, when set, is the only set of operations the server runs (the
	// explorer's own queries are added to it).
	TrustedDocuments *TrustedDocuments
	// Engine names the warehouse engine and its version, for /version.
	Engine string
	// Tracing, when set, makes spans per request, operation and warehouse query (the
	// store's spans are wired by whoever builds the store: Limited.Trace).
	Tracing *Tracing
	// MaxExecuting is how many requests that reach the executor (cache misses, exports,
	// briefs) run at once; the rest wait their turn in arrival order, within their deadline.
	// 0: no limit. See admit.go for why. The default is one per core: 16 connections of
	// unique comparisons at scale S on the quiet 2-core machine (go run ./bench -scales S
	// -d 6s -serve-flags "-max-executing N", alternated) gave p99 60.6 and 60.7 ms at 2
	// against 68.3 and 84.5 ms at 4, at the same throughput (816–822 against 697–812 req/s);
	// at 1 place, p99 43.5–44.6 ms but a quarter less throughput (605 req/s).
	MaxExecuting int
	admit        *semaphore.Weighted
	// MaxSubscribers bounds the open dataChanged subscriptions (0: DefaultMaxSubscribers).
	MaxSubscribers int
	// Lifecycle says whether the process takes traffic (/readyz) and whether data fields can
	// be answered yet. nil: one over the service that is never drained, for a caller that
	// refreshes the service itself (tests).
	Lifecycle *lifecycle.Manager
}

// Defaults are safe for a public server.
func Defaults() Config {
	return Config{Limits: graph.DefaultLimits(), MaxBodyBytes: 1 << 20, MaxWarehouseQueries: 40, BodyTimeout: 10 * time.Second,
		RequestTimeout: 10 * time.Second, CacheBytes: 64 << 20, MaxExecuting: runtime.GOMAXPROCS(0)}
}

// New returns the public handler.
func New(svc *service.Service, cfg Config, log *slog.Logger) http.Handler {
	if cfg.Lifecycle == nil {
		cfg.Lifecycle = lifecycle.New(svc, log)
	}
	if cfg.MaxExecuting > 0 {
		cfg.admit = semaphore.NewWeighted(int64(cfg.MaxExecuting))
	}
	if cfg.TrustedDocuments != nil {
		cfg.TrustedDocuments.Add(explorer.Queries()...) // the page's own queries
	}
	mux := http.NewServeMux()
	// Live refresh: dataChanged is published when a new version's cells are warm, and every
	// subscription ends when the process drains (SIGTERM).
	l := newLive(svc, cfg.MaxSubscribers)
	cfg.Lifecycle.OnWarm(l.publish)
	cfg.Lifecycle.OnDrain(l.drain)
	streams := streamHandler(svc, cfg, l, log)
	api := graphqlHTTP(graphqlAPI(svc, cfg, log), cfg.MaxBodyBytes, cfg.BodyTimeout, cfg.TrustedDocuments)
	mux.Handle("/graphql", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isStream(r) {
			streams.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	}))
	serveSheets(mux, cfg, "compare", buildCompare, svc)
	serveSheets(mux, cfg, "series", buildSeries, svc)
	serveSheets(mux, cfg, "table", buildTable, svc)
	serveSheets(mux, cfg, "observations", buildObservations, svc)
	mux.Handle("GET /schema.graphql", schemaSDL(cfg.Introspection))
	mux.Handle("GET /brief/{id}", withLimits(brief.Handler(svc, cfg.Lifecycle.Available), cfg))
	health(mux, svc, cfg)
	pages(mux)
	h := withCORS(mux, cfg.CORSOrigins)
	tracing := cfg.Tracing
	if tracing == nil {
		tracing = NewTracing(nil) // still continues an incoming traceparent, for the logs
	}
	return tracing.handler(withRequestID(withLogging(recoverHTTP(h, log), log, cfg.Metrics)))
}

// pages registers the explorer and GraphiQL (with its assets).
func pages(mux *http.ServeMux) {
	mux.Handle("/explore/", explorer.Handler("/explore/"))
	mux.Handle("GET /explore", http.RedirectHandler("/explore/", http.StatusMovedPermanently))
	gi := graphiql.Handler("/graphql", "/assets/")
	mux.Handle("/assets/", gi)
	mux.HandleFunc("/{$}", gi.ServeHTTP)
}

// withCORS allows the listed origins. rs/cors treats an empty allow-list as "*": with no
// origins configured, no CORS headers are sent at all and browsers keep requests same-origin.
func withCORS(h http.Handler, origins []string) http.Handler {
	if len(origins) == 0 {
		return h
	}
	return cors.New(cors.Options{
		AllowedOrigins: origins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost},
		AllowedHeaders: []string{"Content-Type", "Accept"},
		MaxAge:         600,
	}).Handler(h)
}

// health registers what operators and load balancers ask: /healthz, /readyz, /version and,
// if public, /metrics.
func health(mux *http.ServeMux, svc *service.Service, cfg Config) {
	if cfg.Metrics != nil {
		if cfg.Lifecycle.Ready() {
			cfg.Metrics.setDataVersion(svc.Catalog().Version)
		}
		svc.OnChange(cfg.Metrics.setDataVersion)
		if cfg.PublicMetrics {
			mux.Handle("GET /metrics", cfg.Metrics.Handler())
		}
	}
	mux.Handle("GET /version", versionHandler(cfg.Engine))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		if why := cfg.Lifecycle.NotReady(r.Context()); why != "" {
			http.Error(w, why, http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ready\n"))
	})
}
