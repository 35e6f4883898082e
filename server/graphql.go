package server

import (
	"log/slog"
	"net/http"

	"github.com/cadrestat/cadrestat/graph"
	"github.com/cadrestat/cadrestat/service"
)

// graphqlAPI is /graphql once graphqlHTTP has checked the request: the response cache (with
// its warm-up) in front of the request's limits and graph's handler. The cache and the
// warmer (nil when off) are returned for the change cascade (Server.PurgeCache, WarmViews).
func graphqlAPI(svc *service.Service, cfg Config, log *slog.Logger) (http.Handler, *responseCache, *warmer) {
	opts := graph.Options{Limits: cfg.Limits, Log: log, Available: cfg.Lifecycle.Available, RequestID: RequestID}
	if cfg.Tracing != nil {
		opts.AroundOperations = cfg.Tracing.aroundOperations
	}
	if cfg.CacheBytes <= 0 {
		return pinned(svc, withLimits(graph.NewHandler(svc, opts), cfg)), nil, nil
	}
	// gqlgen reads its parsed documents from the cache keyer's LRU: a document is parsed and
	// validated once, not once for the key and again to run it (measured: a new document
	// per request halved the national-figure scenario).
	keys := newKeyer(graph.Schema(), cfg.MaxTokens)
	opts.QueryCache = sharedDocs{keys}
	gql := graph.NewHandler(svc, opts)
	cache := newResponseCache(cfg.CacheBytes)
	cache.metrics = cfg.Metrics
	var w *warmer
	if cfg.WarmViews {
		w = &warmer{gql: gql, keys: keys, cache: cache, svc: svc, cfg: cfg, log: log}
	}
	return pinned(svc, cache.middleware(keys, svc.PinnedVersion, withLimits(gql, cfg))), cache, w
}

// pinned gives each request one snapshot of the service (service.Pin): the response cache
// keys the answer on the data version the operation's resolvers read, every resolver reads
// one catalogue, and a load that commits meanwhile cannot mix into the answer.
func pinned(svc *service.Service, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(svc.Pin(r.Context())))
	})
}
