package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cadrestat/cadrestat/data"
	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/server"
	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/synth"
	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/cadrestat/cadrestat/warehouse/clickhouse"
)

// adminInfo is written beside the data folder so `cadrestat ingest` can find a running
// server and hand it files; the file is readable by the owner only.
type adminInfo struct {
	Addr  string `json:"addr"`
	Token string `json:"token"`
	PID   int    `json:"pid"`
}

func adminInfoPath(dataDir string) string { return filepath.Join(dataDir, "admin.json") }

// readAdminInfo reads the admin.json a serve wrote in the data folder, if there is one.
func readAdminInfo(ef engineFlags) (adminInfo, bool) {
	var info adminInfo
	raw, err := os.ReadFile(adminInfoPath(ef.dataDir))
	if err != nil || json.Unmarshal(raw, &info) != nil || info.Addr == "" {
		return info, false
	}
	return info, true
}

func serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	var ef engineFlags
	ef.register(fs)
	cfg := server.Defaults()
	addr := fs.String("addr", env("CADRESTAT_ADDR", ":8080"), "listen address ($CADRESTAT_ADDR)")
	adminAddr := fs.String("admin-addr", env("CADRESTAT_ADMIN_ADDR", "127.0.0.1:0"), "admin listener for ingest hand-off; loopback only ($CADRESTAT_ADMIN_ADDR)")
	noBundle := fs.Bool("no-bundled-data", false, "do not load the bundled dataset on start")
	synthSeed := fs.Uint64("synthetic-seed", 1, "also load deterministic SYNTHETIC data for 2010–2030 with this seed (0 = none); it is hidden unless a query asks")
	fs.BoolVar(&cfg.Introspection, "introspection", env("CADRESTAT_INTROSPECTION", "1") == "1", "allow schema introspection ($CADRESTAT_INTROSPECTION=0 to turn off)")
	fs.IntVar(&cfg.MaxComplexity, "max-complexity", cfg.MaxComplexity, "largest allowed query complexity")
	fs.IntVar(&cfg.MaxDepth, "max-depth", cfg.MaxDepth, "deepest allowed query nesting")
	fs.IntVar(&cfg.MaxIntrospectionDepth, "max-introspection-depth", cfg.MaxIntrospectionDepth, "deepest allowed nesting under __schema and __type")
	fs.IntVar(&cfg.MaxSelections, "max-selections", cfg.MaxSelections, "most selections a query may expand to once its fragments are spread")
	fs.IntVar(&cfg.MaxWarehouseQueries, "max-warehouse-queries", cfg.MaxWarehouseQueries, "most warehouse queries one request may cause")
	fs.DurationVar(&cfg.BodyTimeout, "body-timeout", cfg.BodyTimeout, "a request body must arrive within this time (408 otherwise)")
	fs.Int64Var(&cfg.MaxBodyBytes, "max-body", cfg.MaxBodyBytes, "largest request body in bytes")
	fs.DurationVar(&cfg.RequestTimeout, "timeout", envDuration("CADRESTAT_TIMEOUT", cfg.RequestTimeout), "per-request timeout, passed down to ClickHouse ($CADRESTAT_TIMEOUT)")
	origins := fs.String("cors-origins", env("CADRESTAT_CORS_ORIGINS", ""), "comma-separated origins allowed by CORS; empty = same-origin only ($CADRESTAT_CORS_ORIGINS)")
	fs.IntVar(&cfg.MaxTokens, "max-tokens", cfg.MaxTokens, "parser token limit per request")
	fs.IntVar(&cfg.CacheBytes, "cache-bytes", cfg.CacheBytes, "response cache size in bytes (0 = off)")
	sliceBytes := fs.Int("slice-cache-bytes", service.DefaultSliceCacheBytes, "metric-slice cache size in bytes (0 = off: every comparison, series and trend reads the warehouse)")
	fs.BoolVar(&cfg.WarmViews, "warm-views", true, "after each load, pre-render the explorer's comparison for every metric, year and map into the response cache")
	concurrency := fs.Int("warehouse-concurrency", 8, "warehouse queries run at once; more wait (0 = no limit)")
	drain := fs.Duration("drain", envDuration("CADRESTAT_DRAIN", 0), "on SIGTERM, answer /readyz 503 and keep serving this long before closing the listener ($CADRESTAT_DRAIN)")
	pprofOn := fs.Bool("pprof", false, "serve /debug/pprof/ on the loopback admin listener (profiling), behind the admin token in admin.json")
	fs.BoolVar(&cfg.PublicMetrics, "metrics-public", env("CADRESTAT_METRICS_PUBLIC", "0") == "1", "also serve /metrics on the public listener (it is always on the loopback admin listener) ($CADRESTAT_METRICS_PUBLIC=1)")
	trustedPath := fs.String("trusted-documents", env("CADRESTAT_TRUSTED_DOCUMENTS", ""), "run only the operations of this manifest (Apollo persisted query manifest, or a JSON object of sha256 → document); others get FORBIDDEN ($CADRESTAT_TRUSTED_DOCUMENTS)")
	poll := fs.Duration("poll", envDuration("CADRESTAT_POLL", 10*time.Second), "how often to check for loads by other processes")
	fs.Parse(args)
	if *origins != "" {
		cfg.CORSOrigins = strings.Split(*origins, ",")
	}
	log := logger()
	if *trustedPath != "" {
		td, err := server.LoadTrustedDocuments(*trustedPath)
		if err != nil {
			return err
		}
		cfg.TrustedDocuments = td
		log.Info("trusted documents only", "documents", td.Len(), "manifest", *trustedPath)
	}

	start := time.Now()
	var store warehouse.Store
	var err error
	if ef.engine == "clickhouse" {
		// A server engine is written by `cadrestat migrate` and `cadrestat ingest` (a writer
		// user); serve only reads, starts even when the server is down, and catches up.
		store, err = clickhouse.Connect(ctx, ef.chConfig())
		*noBundle = true
	} else {
		store, err = ef.open(ctx)
	}
	if err != nil {
		return err
	}
	defer store.Close()
	limited := warehouse.Limit(store, *concurrency)
	cfg.Metrics = server.NewMetrics()
	limited.Observe(cfg.Metrics)
	tracing, stopTracing, err := server.TracingFromEnv(ctx)
	if err != nil {
		return fmt.Errorf("tracing: %w", err)
	}
	defer stopTracing(context.Background())
	cfg.Tracing = tracing
	limited.Trace(tracing)
	cfg.Engine = engineName(ef)
	svc := service.New(limited, log)
	if *sliceBytes != service.DefaultSliceCacheBytes {
		svc.SetSliceCacheBytes(*sliceBytes)
	}
	if !*noBundle {
		files, digest := data.Files(), data.Digest()
		if *synthSeed != 0 {
			obs, err := synthetic(*synthSeed, 2010, 2030)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			synth.WriteCSV(&buf, obs)
			files = append(files, ingest.File{Name: "synthetic.csv", Data: buf.Bytes()})
			digest += fmt.Sprintf("+synthetic-%d", *synthSeed)
		}
		rep, err := svc.LoadBundled(ctx, files, digest)
		if err != nil {
			return fmt.Errorf("loading bundled data: %w", err)
		}
		if rep != nil && !rep.OK() {
			for _, p := range rep.Problems {
				log.Error("bundled data problem", "problem", p.String())
			}
			return errors.New("the bundled data did not validate (see log)")
		}
		if rep != nil {
			log.Info("bundled data loaded", "rows", rep.Rows, "changed", rep.Changed, "data_version", rep.DataVersion)
		}
	}
	if err := svc.Refresh(ctx); err != nil {
		log.Warn("warehouse not reachable; serving anyway (/readyz says so) and retrying", "err", err)
		go retryRefresh(ctx, svc, 2*time.Second)
	}
	go svc.Poll(ctx, *poll)
	// Warm every metric's slices now and after each load, so dashboards never wait for
	// the warehouse on their first view.
	warm := func() {
		start := time.Now()
		if err := svc.Warm(ctx); err != nil {
			log.Warn("warming the metric cache failed", "err", err)
			return
		}
		log.Info("metric cache warm", "ms", time.Since(start).Milliseconds())
	}
	svc.OnChange(func(uint64) { go warm() })
	go warm()

	public := &http.Server{Addr: *addr, Handler: server.New(svc, cfg, log), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", *addr, err)
	}
	adminSrv, cleanup, err := startAdmin(svc, ef, *adminAddr, *pprofOn, cfg.Metrics, log)
	if err != nil {
		return err
	}
	defer cleanup()
	log.Info("serving", "addr", ln.Addr().String(), "engine", ef.engine, "ready_in_ms", time.Since(start).Milliseconds())
	errc := make(chan error, 1)
	go func() { errc <- public.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	svc.Drain()
	if *drain > 0 {
		log.Info("draining: /readyz answers 503", "for", drain.String())
		time.Sleep(*drain)
	}
	log.Info("shutting down: finishing in-flight requests")
	shutCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if adminSrv != nil {
		adminSrv.Shutdown(shutCtx)
	}
	return public.Shutdown(shutCtx)
}

// startAdmin opens the loopback admin listener and writes admin.json (its address and a
// token, owner-only). It serves /metrics (unauthenticated: loopback only, and nothing in
// it is secret) and, with -pprof, profiles behind the token, for both engines; the ingest
// hand-off only for the embedded engine (with a server engine, ingest writes to ClickHouse
// directly).
func startAdmin(svc *service.Service, ef engineFlags, addr string, pprofOn bool, metrics *server.Metrics, log interface {
	Info(string, ...any)
}) (*http.Server, func(), error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || !(host == "127.0.0.1" || host == "localhost" || host == "::1") {
		return nil, nil, fmt.Errorf("admin address %q must be on loopback (127.0.0.1:PORT)", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot listen on admin address %s: %w", addr, err)
	}
	var b [24]byte
	_, _ = rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	info, _ := json.Marshal(adminInfo{Addr: ln.Addr().String(), Token: token, PID: os.Getpid()})
	path := adminInfoPath(ef.dataDir)
	if err := os.MkdirAll(ef.dataDir, 0o700); err != nil {
		ln.Close()
		return nil, nil, fmt.Errorf("cannot create %s: %w", ef.dataDir, err)
	}
	if err := writePrivate(path, info); err != nil {
		ln.Close()
		return nil, nil, fmt.Errorf("cannot write %s: %w", path, err)
	}
	mux := http.NewServeMux()
	if ef.engine == "embedded" {
		mux.Handle("/admin/", server.Admin(svc, token, logger()))
	}
	if metrics != nil {
		mux.Handle("GET /metrics", metrics.Handler())
	}
	if pprofOn {
		// Profiles show the process's memory and command line: the same token as ingest.
		mux.Handle("/debug/pprof/", requireToken(token, http.HandlerFunc(pprof.Index)))
		mux.Handle("/debug/pprof/profile", requireToken(token, http.HandlerFunc(pprof.Profile)))
		mux.Handle("/debug/pprof/symbol", requireToken(token, http.HandlerFunc(pprof.Symbol)))
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	log.Info("admin endpoint (metrics, ingest hand-off, pprof)", "addr", ln.Addr().String())
	return srv, func() { os.Remove(path) }, nil
}

// requireToken answers 401 unless the request carries "Authorization: Bearer <token>".
func requireToken(token string, h http.Handler) http.Handler {
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			http.Error(w, "missing or wrong admin token", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// writePrivate replaces path with data, readable by the owner only, whatever file was
// there: os.WriteFile keeps an existing file's mode, so a stale world-readable admin.json
// (left by a kill -9) would expose the new token. The data go to a new 0600 file in the
// same directory, are synced, and the file is renamed over path.
func writePrivate(path string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	// CreateTemp makes 0600 already; say so explicitly rather than rely on it.
	if err = f.Chmod(0o600); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	// Make the rename itself durable; a directory that cannot be synced is not an error.
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// retryRefresh keeps trying to load the catalogue until it succeeds (the server came up).
func retryRefresh(ctx context.Context, svc *service.Service, every time.Duration) {
	for !svc.Ready() {
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
			if err := svc.Refresh(ctx); err == nil {
				svc.Log.Info("warehouse reachable again; catalogue loaded")
			}
		}
	}
}
