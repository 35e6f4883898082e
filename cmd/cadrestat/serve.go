package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/cadrestat/cadrestat/admin"

	"github.com/cadrestat/cadrestat/lifecycle"
	"github.com/cadrestat/cadrestat/server"
	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/cadrestat/cadrestat/warehouse/chsql"
)

// ServeMain is `cadrestat serve`: Run opens the warehouse, loads the bundled data on first
// start and serves the public and admin listeners until its context ends; Close drains,
// shuts the listeners down and releases the warehouse.
type ServeMain struct {
	ef          engineFlags
	cfg         server.Config
	addr        string
	admOpt      adminOptions
	readDirs    string
	noBundle    bool
	synthSeed   uint64
	origins     string
	trusted     string
	concurrency int
	sliceBytes  int
	drain       time.Duration
	poll        time.Duration

	log         *slog.Logger
	store       warehouse.Store
	stopTracing func(context.Context) error
	life        *lifecycle.Manager
	public      *http.Server
	admin       *admin.Listener
	served      chan error
	stopping    bool // Run returned because its context ended: drain before shutting down
}

// NewServeMain returns a serve command with the server's defaults.
func NewServeMain() *ServeMain { return &ServeMain{cfg: server.Defaults()} }

func (m *ServeMain) ParseFlags(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	m.ef.register(fs)
	cfg := &m.cfg
	fs.StringVar(&m.addr, "addr", env("CADRESTAT_ADDR", ":8080"), "listen address ($CADRESTAT_ADDR)")
	fs.StringVar(&m.admOpt.addr, "admin-addr", env("CADRESTAT_ADMIN_ADDR", "127.0.0.1:0"), "admin listener for ingest hand-off; loopback only ($CADRESTAT_ADMIN_ADDR)")
	fs.IntVar(&m.admOpt.maxConns, "admin-max-conns", admin.DefaultMaxConns, "most connections the admin listener holds at once; more wait to be accepted (0 = no limit)")
	fs.DurationVar(&m.admOpt.timeouts.Idle, "admin-idle-timeout", admin.DefaultIdleTimeout, "close an admin connection idle this long between requests")
	fs.DurationVar(&m.admOpt.timeouts.ReadHeader, "admin-header-timeout", admin.DefaultReadHeaderTimeout, "an admin request's headers must arrive within this time")
	fs.DurationVar(&m.admOpt.timeouts.Read, "admin-read-timeout", admin.DefaultReadTimeout, "a JSON admin request's body must arrive within this time (uploads: -upload idle limit per read instead)")
	fs.StringVar(&m.readDirs, "admin-read-dirs", env("CADRESTAT_ADMIN_READ_DIRS", ""), "comma-separated folders the server reads handed-off files from; a path elsewhere is refused and the client uploads the file instead; empty = any path the server can open ($CADRESTAT_ADMIN_READ_DIRS)")
	fs.BoolVar(&m.noBundle, "no-bundled-data", false, "do not load the bundled dataset on start")
	fs.Uint64Var(&m.synthSeed, "synthetic-seed", 1, "also load deterministic SYNTHETIC data for 2010–2030 with this seed (0 = none); it is hidden unless a query asks")
	fs.BoolVar(&cfg.Introspection, "introspection", env("CADRESTAT_INTROSPECTION", "1") == "1", "allow schema introspection ($CADRESTAT_INTROSPECTION=0 to turn off)")
	fs.IntVar(&cfg.MaxComplexity, "max-complexity", cfg.MaxComplexity, "largest cost of an operation, in points: objects answered, warehouse rows read, warehouse queries (README, Limits)")
	fs.IntVar(&cfg.MaxDepth, "max-depth", cfg.MaxDepth, "deepest allowed query nesting")
	fs.IntVar(&cfg.MaxIntrospectionDepth, "max-introspection-depth", cfg.MaxIntrospectionDepth, "deepest allowed nesting under __schema and __type")
	fs.IntVar(&cfg.MaxSelections, "max-selections", cfg.MaxSelections, "most selections a query may expand to once its fragments are spread")
	fs.IntVar(&cfg.MaxWarehouseQueries, "max-warehouse-queries", cfg.MaxWarehouseQueries, "most warehouse queries one request may cause")
	fs.DurationVar(&cfg.BodyTimeout, "body-timeout", cfg.BodyTimeout, "a request body must arrive within this time (408 otherwise)")
	fs.Int64Var(&cfg.MaxBodyBytes, "max-body", cfg.MaxBodyBytes, "largest request body in bytes")
	fs.DurationVar(&cfg.RequestTimeout, "timeout", envDuration("CADRESTAT_TIMEOUT", cfg.RequestTimeout), "per-request timeout, passed down to ClickHouse ($CADRESTAT_TIMEOUT)")
	fs.StringVar(&m.origins, "cors-origins", env("CADRESTAT_CORS_ORIGINS", ""), "comma-separated origins allowed by CORS; empty = same-origin only ($CADRESTAT_CORS_ORIGINS)")
	fs.IntVar(&cfg.MaxTokens, "max-tokens", cfg.MaxTokens, "parser token limit per request")
	fs.IntVar(&cfg.CacheBytes, "cache-bytes", cfg.CacheBytes, "response cache size in bytes (0 = off)")
	fs.IntVar(&m.sliceBytes, "slice-cache-bytes", service.DefaultSliceCacheBytes, "metric-slice cache size in bytes (0 = off: every comparison, series and trend reads the warehouse)")
	fs.BoolVar(&cfg.WarmViews, "warm-views", true, "after each load, pre-render the explorer's comparison for every metric, year and map into the response cache")
	fs.IntVar(&cfg.MaxSubscribers, "max-subscribers", server.DefaultMaxSubscribers, "most open dataChanged subscriptions (SSE and WebSocket); more are refused with UNAVAILABLE")
	fs.IntVar(&cfg.MaxExecuting, "max-executing", cfg.MaxExecuting, "requests run at once past the response cache (cache misses, exports, briefs); the rest queue in arrival order within their deadline (0 = no limit)")
	fs.Int64Var(&chsql.MaxQueryMemory, "query-memory", chsql.MaxQueryMemory, "engine memory one warehouse read may use, in bytes (ClickHouse's max_memory_usage; sorts spill to disk past half of it; 0 = the engine's default)")
	fs.IntVar(&m.concurrency, "warehouse-concurrency", 8, "warehouse queries run at once; more wait (0 = no limit)")
	fs.DurationVar(&m.drain, "drain", envDuration("CADRESTAT_DRAIN", 0), "on SIGTERM, answer /readyz 503 and keep serving this long before closing the listener ($CADRESTAT_DRAIN)")
	fs.BoolVar(&m.admOpt.pprof, "pprof", false, "serve /debug/pprof/ on the loopback admin listener (profiling), behind the admin token in admin.json")
	fs.BoolVar(&cfg.PublicMetrics, "metrics-public", env("CADRESTAT_METRICS_PUBLIC", "0") == "1", "also serve /metrics on the public listener (it is always on the loopback admin listener) ($CADRESTAT_METRICS_PUBLIC=1)")
	fs.StringVar(&m.trusted, "trusted-documents", env("CADRESTAT_TRUSTED_DOCUMENTS", ""), "run only the operations of this manifest (Apollo persisted query manifest, or a JSON object of sha256 → document); others get FORBIDDEN ($CADRESTAT_TRUSTED_DOCUMENTS)")
	fs.DurationVar(&m.poll, "poll", envDuration("CADRESTAT_POLL", 10*time.Second), "how often to check for loads by other processes")
	fs.Parse(args)
	if m.origins != "" {
		cfg.CORSOrigins = strings.Split(m.origins, ",")
	}
	if m.readDirs != "" {
		m.admOpt.readDirs = strings.Split(m.readDirs, ",")
	}
	return nil
}

// Run wires the packages together and serves until ctx ends or a listener fails.
func (m *ServeMain) Run(ctx context.Context) error {
	start := time.Now()
	m.log = logger()
	if err := m.loadTrusted(); err != nil {
		return err
	}
	svc, err := m.openService(ctx)
	if err != nil {
		return err
	}
	m.life = lifecycle.New(svc, m.log)
	m.cfg.Lifecycle = m.life
	api := server.New(svc, m.cfg, m.log)
	m.onChange(ctx, svc, api)
	if err := m.loadBundled(ctx, svc); err != nil {
		return err
	}
	m.life.Start(ctx, m.poll)
	ln, err := m.listen(svc, api)
	if err != nil {
		return err
	}
	m.log.Info("serving", "addr", ln.Addr().String(), "engine", m.ef.engine, "ready_in_ms", time.Since(start).Milliseconds())
	select {
	case err := <-m.served:
		return err
	case <-ctx.Done():
		m.stopping = true
		return nil
	}
}

// onChange registers the change cascade: what happens, in this order, each time the
// service sees a new data version (the first catalogue read, a load through this process,
// a load by another process found by polling). It is registered before anything is loaded,
// so the first version goes through it too. One line a step; a new step goes here.
func (m *ServeMain) onChange(ctx context.Context, svc *service.Service, api *server.Server) {
	svc.OnChange(api.ReportVersion)                           // 1. /metrics reports the version
	svc.OnChange(api.PurgeCache)                              // 2. the response cache drops the old version's answers
	svc.OnChange(func(v uint64) { m.life.WarmCells(ctx, v) }) // 3. the metric cells warm again, in the background
	m.life.AfterWarm(api.PublishDataChange)                   // 4. once they are: dataChanged subscribers hear of the version
	m.life.AfterWarm(api.WarmViews)                           // 5. and the explorer's standard views are rendered into the cache
	m.life.OnDrain(api.EndStreams)                            // on SIGTERM: open subscriptions complete, new ones are refused
}

func (m *ServeMain) loadTrusted() error {
	if m.trusted == "" {
		return nil
	}
	td, err := server.LoadTrustedDocuments(m.trusted)
	if err != nil {
		return err
	}
	m.cfg.TrustedDocuments = td
	m.log.Info("trusted documents only", "documents", td.Len(), "manifest", m.trusted)
	return nil
}

// openService opens the warehouse behind its concurrency limit, metrics and tracing, and
// returns the service over it.
func (m *ServeMain) openService(ctx context.Context) (*service.Service, error) {
	access := m.ef.serveAccess()
	store, err := m.ef.open(ctx, access)
	if err != nil {
		return nil, err
	}
	m.store = store
	if access == readOnly && !m.noBundle {
		m.log.Info("no bundled data loaded: serve only reads a ClickHouse server (load it with cadrestat ingest)")
		m.noBundle = true
	}
	limited := warehouse.Limit(store, m.concurrency)
	m.cfg.Metrics = server.NewMetrics()
	limited.Observe(m.cfg.Metrics)
	tracing, stop, err := server.TracingFromEnv(ctx)
	if err != nil {
		return nil, fmt.Errorf("tracing: %w", err)
	}
	m.stopTracing = stop
	m.cfg.Tracing = tracing
	limited.Trace(tracing)
	m.cfg.Engine = engineName(m.ef)
	svc := service.New(limited, m.log)
	svc.SetSliceCacheBytes(m.sliceBytes)
	return svc, nil
}

// listen opens the public listener and the loopback admin one and starts serving.
func (m *ServeMain) listen(svc *service.Service, api http.Handler) (net.Listener, error) {
	m.public = &http.Server{Addr: m.addr, Handler: api, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	ln, err := net.Listen("tcp", m.addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s: %w", m.addr, err)
	}
	m.admin, err = startAdmin(svc, m.store, m.ef, m.admOpt, m.cfg.Metrics, m.log)
	if err != nil {
		ln.Close()
		return nil, err
	}
	m.served = make(chan error, 1)
	go func() { m.served <- m.public.Serve(ln) }()
	return ln, nil
}

// Close drains (when stopping on a signal), finishes in-flight requests for up to 20 s and
// releases everything Run opened, in the reverse order.
func (m *ServeMain) Close() error {
	var err error
	if m.stopping {
		m.life.Drain()
		if m.drain > 0 {
			m.log.Info("draining: /readyz answers 503", "for", m.drain.String())
			time.Sleep(m.drain)
		}
		m.log.Info("shutting down: finishing in-flight requests")
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if aerr := m.admin.Shutdown(ctx); aerr != nil {
			m.log.Warn("admin listener did not shut down cleanly", "err", aerr)
		}
		err = m.public.Shutdown(ctx)
	}
	if m.admin != nil {
		m.admin.RemoveInfo()
	}
	if m.stopTracing != nil {
		if terr := m.stopTracing(context.Background()); terr != nil {
			m.log.Warn("tracing did not flush", "err", terr)
		}
	}
	_ = closeStore(m.store)
	return err
}
