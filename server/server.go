// Package server wires the HTTP surface: GraphQL at /graphql, GraphiQL at /, health
// endpoints, CORS, request logging, and the local admin endpoint that ingest hands files to.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/cadrestat/cadrestat/graph"
	"github.com/cadrestat/cadrestat/loaders"
	"github.com/cadrestat/cadrestat/server/brief"
	"github.com/cadrestat/cadrestat/server/explorer"
	"github.com/cadrestat/cadrestat/server/graphiql"
	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/rs/cors"
	"github.com/vektah/gqlparser/v2/ast"
)

// Config holds the serving limits; Defaults gives safe values.
type Config struct {
	Introspection bool
	MaxComplexity int   // list fields weigh their possible length (see complexity.go)
	MaxDepth      int   // deepest selection nesting
	MaxTokens     int   // parser token limit: bounds the cost of parsing any request
	MaxBodyBytes  int64 // larger bodies get 413
	// MaxIntrospectionDepth bounds nesting under __schema and __type (GraphiQL's own
	// introspection query is 13–15 levels deep).
	MaxIntrospectionDepth int
	// MaxSelections bounds the selections a query expands to once fragments are spread.
	MaxSelections int
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
}

// Defaults are safe for a public server.
func Defaults() Config {
	return Config{Introspection: true, MaxComplexity: 10000, MaxDepth: 12, MaxIntrospectionDepth: 20, MaxSelections: 5000,
		MaxTokens: 10000, MaxBodyBytes: 1 << 20, MaxWarehouseQueries: 40, BodyTimeout: 10 * time.Second,
		RequestTimeout: 10 * time.Second, CacheBytes: 64 << 20}
}

// New returns the public handler.
func New(svc *service.Service, cfg Config, log *slog.Logger) http.Handler {
	if cfg.TrustedDocuments != nil {
		cfg.TrustedDocuments.Add(explorer.Queries()...) // the page's own queries
	}
	gcfg := graph.Config{Resolvers: &graph.Resolver{Svc: svc}}
	complexity(&gcfg.Complexity)
	schema := graph.NewExecutableSchema(gcfg)
	gql := handler.New(schema)
	gql.SetParserTokenLimit(cfg.MaxTokens)
	gql.AddTransport(transport.Options{})
	gql.AddTransport(transport.GET{})
	gql.AddTransport(transport.POST{})
	// With the response cache on, gqlgen reads its parsed documents from the cache keyer's
	// LRU: a document is parsed and validated once, not once for the key and again to run
	// it (measured: a new document per request halved the national-figure scenario).
	var keys *keyer
	if cfg.CacheBytes > 0 {
		keys = newKeyer(schema.Schema(), cfg.MaxTokens)
		gql.SetQueryCache(sharedDocs{keys})
	} else {
		gql.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	}
	if cfg.Introspection {
		gql.Use(extension.Introspection{})
	}
	gql.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	gql.Use(enumVariables{schema: schema.Schema()})
	// Before gqlgen's complexity: its walk expands every fragment spread, so the expanded
	// size is bounded first (depth.go).
	gql.Use(shapeLimit{maxDepth: cfg.MaxDepth, introspectionDepth: cfg.MaxIntrospectionDepth, maxSelections: cfg.MaxSelections})
	gql.Use(extension.FixedComplexityLimit(cfg.MaxComplexity))
	gql.AroundRootFields(func(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
		// Until the catalogue is loaded every data field answers UNAVAILABLE, not "not found".
		if f := graphql.GetRootFieldContext(ctx); f != nil && !strings.HasPrefix(f.Field.Name, "__") && f.Field.Name != "preferenceRule" {
			if err := svc.Available(); err != nil {
				graphql.AddError(ctx, err)
				return graphql.Null
			}
		}
		return next(ctx)
	})
	if cfg.Tracing != nil {
		gql.AroundOperations(cfg.Tracing.aroundOperations)
	}
	gql.AroundResponses(func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		resp := next(ctx)
		if info := infoFrom(ctx); info != nil {
			if stats := extension.GetComplexityStats(ctx); stats != nil {
				info.complexity = stats.Complexity
			}
			if oc := graphql.GetOperationContext(ctx); info.operation == "" && oc.Operation != nil {
				info.operation = oc.Operation.Name
			}
		}
		return resp
	})
	gql.SetErrorPresenter(presentError(log))
	gql.SetRecoverFunc(recoverPanic(log))

	mux := http.NewServeMux()
	var api http.Handler = withLimits(loaders.Middleware(svc, gql), cfg)
	if cfg.CacheBytes > 0 {
		cache := newResponseCache(cfg.CacheBytes)
		cache.metrics = cfg.Metrics
		svc.OnChange(func(uint64) { cache.Purge() })
		api = cache.middleware(keys, func() uint64 { return svc.Catalog().Version }, api)
		if cfg.WarmViews {
			warmed := graphqlHTTP(api, cfg.MaxBodyBytes, cfg.BodyTimeout, cfg.TrustedDocuments)
			svc.OnChange(func(uint64) { go warmViews(warmed, svc, log, cfg) })
			if svc.Ready() {
				go warmViews(warmed, svc, log, cfg)
			}
		}
	}
	mux.Handle("/graphql", graphqlHTTP(api, cfg.MaxBodyBytes, cfg.BodyTimeout, cfg.TrustedDocuments))
	mux.Handle("GET /export/compare.csv", withLimits(exportCompare(svc), cfg))
	mux.Handle("GET /export/series.csv", withLimits(exportSeries(svc), cfg))
	mux.Handle("GET /export/table.csv", withLimits(exportTable(svc), cfg))
	mux.Handle("GET /brief/{id}", withLimits(brief.Handler(svc), cfg))
	if cfg.Metrics != nil {
		if svc.Ready() {
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
		if svc.Draining() {
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := svc.Store.Ping(ctx); err != nil {
			http.Error(w, "warehouse unreachable", http.StatusServiceUnavailable)
			return
		}
		if !svc.Ready() {
			http.Error(w, "data not loaded", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ready\n"))
	})
	mux.Handle("/explore/", explorer.Handler("/explore/"))
	mux.Handle("GET /explore", http.RedirectHandler("/explore/", http.StatusMovedPermanently))
	gi := graphiql.Handler("/graphql", "/assets/")
	mux.Handle("/assets/", gi)
	mux.HandleFunc("/{$}", gi.ServeHTTP)

	var h http.Handler = mux
	// rs/cors treats an empty allow-list as "*": with no origins configured, no CORS
	// headers are sent at all and browsers keep requests same-origin.
	if len(cfg.CORSOrigins) > 0 {
		h = cors.New(cors.Options{
			AllowedOrigins: cfg.CORSOrigins,
			AllowedMethods: []string{http.MethodGet, http.MethodPost},
			AllowedHeaders: []string{"Content-Type", "Accept"},
			MaxAge:         600,
		}).Handler(mux)
	}
	h = withRequestID(withLogging(recoverHTTP(h, log), log, cfg.Metrics))
	if cfg.Tracing == nil {
		cfg.Tracing = NewTracing(nil) // still continues an incoming traceparent, for the logs
	}
	return cfg.Tracing.handler(h)
}

// recoverHTTP turns a panic outside the GraphQL executor into a logged 500.
func recoverHTTP(h http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.ErrorContext(r.Context(), "panic in handler", "request_id", RequestID(r.Context()), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		h.ServeHTTP(w, r)
	})
}

// withLimits gives a request its deadline (passed on to ClickHouse as
// max_execution_time) and its budget of warehouse queries.
func withLimits(h http.Handler, cfg Config) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), cfg.RequestTimeout)
		defer cancel()
		ctx = warehouse.WithQueryBudget(ctx, cfg.MaxWarehouseQueries)
		h.ServeHTTP(w, r.WithContext(ctx))
		if info := infoFrom(ctx); info != nil {
			n, took := warehouse.RequestStats(ctx)
			info.warehouseQueries, info.warehouseMS = n, float64(took.Microseconds())/1000
		}
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusWriter) WriteHeader(code int)        { s.status = code; s.ResponseWriter.WriteHeader(code) }
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = 200
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

func withLogging(h http.Handler, log *slog.Logger, m *Metrics) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		took := time.Since(start)
		info := infoFrom(r.Context())
		cache := sw.Header().Get("X-Cache")
		m.observeRequest(route(r.URL.Path), info, sw.status, cache, took)
		attrs := []any{"request_id", info.id, "method", r.Method, "path", r.URL.Path,
			"status", sw.status, "bytes", sw.bytes, "duration_ms", float64(took.Microseconds()) / 1000}
		if info.traceID != "" {
			attrs = append(attrs, "trace_id", info.traceID)
		}
		if r.URL.Path == "/graphql" {
			attrs = append(attrs, "operation", info.operation, "cache", cache, "complexity", info.complexity,
				"warehouse_queries", info.warehouseQueries, "warehouse_ms", info.warehouseMS)
		}
		if info.errorCode != "" {
			attrs = append(attrs, "error_code", info.errorCode)
		}
		log.InfoContext(r.Context(), "request", attrs...)
	})
}
