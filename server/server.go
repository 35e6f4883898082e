// Package server is the HTTP surface: GraphQL at /graphql (request checks, the response
// cache and its warm-up, deadlines and budgets around graph's handler), GraphiQL at /, the
// explorer, briefs and CSV exports, health endpoints, CORS, request logs, metrics and
// tracing. The loopback admin listener is package admin's.
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
	// 0: no limit. See admit.go for why. The default is one per core: on 2 cores it gave the
	// lowest p99 for unique comparisons without losing throughput (bench/README.md,
	// "Executor places").
	MaxExecuting int
	admit        *semaphore.Weighted
	// MaxSubscribers bounds the open dataChanged subscriptions (0: DefaultMaxSubscribers).
	MaxSubscribers int
	// Lifecycle says whether the process takes traffic (/readyz) and whether data fields can
	// be answered yet. Required.
	Lifecycle *lifecycle.Manager
}

// Defaults are safe for a public server.
func Defaults() Config {
	return Config{Limits: graph.DefaultLimits(), MaxBodyBytes: 1 << 20, MaxWarehouseQueries: 40, BodyTimeout: 10 * time.Second,
		RequestTimeout: 10 * time.Second, CacheBytes: 64 << 20, MaxExecuting: runtime.GOMAXPROCS(0)}
}

// Server is the public handler. What it does when the data change is not wired inside it:
// the serving process registers its hooks (ReportVersion, PurgeCache, WarmViews,
// PublishDataChange, EndStreams) in its change cascade (cmd/cadrestat/serve.go).
type Server struct {
	http.Handler
	metrics *Metrics
	cache   *responseCache // nil: no response cache
	warmer  *warmer        // nil: no standard views pre-rendered
	live    *live          // the dataChanged subscriptions
}

// PublishDataChange tells every dataChanged subscriber that version v is served. It belongs
// after the version's metric cells are warm, so dashboards refetch from warm cells.
func (s *Server) PublishDataChange(v uint64) { s.live.publish(v) }

// EndStreams completes every open subscription and refuses new ones: a draining process
// (SIGTERM) would otherwise be held by them until the shutdown's deadline.
func (s *Server) EndStreams() { s.live.drain() }

// ReportVersion has /metrics report data version v.
func (s *Server) ReportVersion(v uint64) { s.metrics.setDataVersion(v) }

// PurgeCache empties the response cache: its answers are keyed to the data version, so
// after a change they would never be asked for again and only take room.
func (s *Server) PurgeCache(uint64) {
	if s.cache != nil {
		s.cache.Purge()
	}
}

// WarmViews renders the explorer's standard views of the current data version into the
// response cache (Config.WarmViews), and returns when done or when the version moves on.
// It reads every metric, so it belongs after the metric cells are warm
// (lifecycle.Manager.AfterWarm).
func (s *Server) WarmViews(uint64) {
	if s.warmer != nil {
		s.warmer.run()
	}
}

// New returns the public handler; cfg.Lifecycle is required.
func New(svc *service.Service, cfg Config, log *slog.Logger) *Server {
	if cfg.Lifecycle == nil {
		panic("server.New: Config.Lifecycle is required")
	}
	if cfg.MaxExecuting > 0 {
		cfg.admit = semaphore.NewWeighted(int64(cfg.MaxExecuting))
	}
	if cfg.TrustedDocuments != nil {
		cfg.TrustedDocuments.Add(explorer.Queries()...) // the page's own queries
	}
	mux := http.NewServeMux()
	// Live refresh: dataChanged streams on /graphql beside the queries; the serving process
	// publishes each new version (PublishDataChange) and ends the streams when it drains
	// (EndStreams), in its change cascade.
	l := newLive(svc, cfg.MaxSubscribers)
	streams := streamHandler(svc, cfg, l, log)
	gql, cache, warm := graphqlAPI(svc, cfg, log)
	api := graphqlHTTP(gql, cfg.MaxBodyBytes, cfg.BodyTimeout, cfg.TrustedDocuments)
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
	mux.Handle("GET /documents/{id}", documents())
	health(mux, svc, cfg)
	pages(mux)
	h := withCORS(mux, cfg.CORSOrigins)
	tracing := cfg.Tracing
	if tracing == nil {
		tracing = NewTracing(nil) // still continues an incoming traceparent, for the logs
	}
	h = tracing.handler(withRequestID(withLogging(recoverHTTP(h, log), log, cfg.Metrics)))
	return &Server{Handler: h, metrics: cfg.Metrics, cache: cache, warmer: warm, live: l}
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
		AllowedHeaders: corsAllowedHeaders,
		ExposedHeaders: corsExposedHeaders,
		MaxAge:         600,
	}).Handler(h)
}

// corsAllowedHeaders are the request headers a browser client may send: the GraphQL ones,
// W3C trace context (a traced dashboard sends traceparent/tracestate on every request),
// the request id the logs carry, and Apollo Client's (its client awareness headers and the
// CSRF-prevention header it sends to force a preflight).
var corsAllowedHeaders = []string{"Content-Type", "Accept", "traceparent", "tracestate", "X-Request-Id",
	"apollographql-client-name", "apollographql-client-version", "apollo-require-preflight"}

// corsExposedHeaders are the response headers a browser lets a cross-origin script read:
// the validator it revalidates with, the id to quote when reporting a problem, and whether
// the answer came from the response cache.
var corsExposedHeaders = []string{"ETag", "X-Request-Id", "X-Cache"}

// health registers what operators and load balancers ask: /healthz, /readyz, /version and,
// if public, /metrics.
func health(mux *http.ServeMux, svc *service.Service, cfg Config) {
	if cfg.Metrics != nil && cfg.PublicMetrics {
		mux.Handle("GET /metrics", cfg.Metrics.Handler())
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
