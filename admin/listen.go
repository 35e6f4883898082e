package admin

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"

	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/warehouse"
)

// ListenConfig is a serving process's admin listener.
type ListenConfig struct {
	Addr    string // loopback only, e.g. 127.0.0.1:0
	DataDir string // where admin.json goes (and uploads are spooled)
	// Ingest serves the ingest hand-off: the process holds the data folder (the embedded
	// engine). With a server engine, ingest writes to ClickHouse directly.
	Ingest   bool
	Backups  warehouse.Backups // the engine's, or nil
	Pprof    bool              // profiles behind the token
	MaxConns int               // connections held at once (LimitListener)
	Timeouts Timeouts          // zero fields: the defaults
	ReadDirs []string          // the only folders files are handed off from (Config.ReadDirs)
	Metrics  http.Handler      // /metrics, or nil
	Log      *slog.Logger
}

// Listener is a running admin listener.
type Listener struct {
	*http.Server
	Addr     string
	infoPath string
}

// RemoveInfo removes admin.json, so local tools no longer find this process.
func (l *Listener) RemoveInfo() { os.Remove(l.infoPath) }

// Listen opens the loopback admin listener and writes admin.json (its address and a fresh
// token, owner-only). It serves /metrics (unauthenticated: loopback only, and nothing in
// it is secret), the ingest hand-off and backups when the process holds the data folder,
// and, with Pprof, profiles behind the token.
func Listen(svc *service.Service, cfg ListenConfig) (*Listener, error) {
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil || host != "127.0.0.1" && host != "localhost" && host != "::1" {
		return nil, fmt.Errorf("admin address %q must be on loopback (127.0.0.1:PORT)", cfg.Addr)
	}
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on admin address %s: %w", cfg.Addr, err)
	}
	token := newToken()
	info, _ := json.Marshal(Info{Addr: ln.Addr().String(), Token: token, PID: os.Getpid()})
	path := InfoPath(cfg.DataDir)
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		ln.Close()
		return nil, fmt.Errorf("cannot create %s: %w", cfg.DataDir, err)
	}
	if err := writePrivate(path, info); err != nil {
		ln.Close()
		return nil, fmt.Errorf("cannot write %s: %w", path, err)
	}
	mux := http.NewServeMux()
	if cfg.Ingest {
		// Uploads are spooled in the data folder (on the warehouse's disk, never a tmpfs);
		// any left by a server that was killed mid-upload go now: this one holds the folder.
		stale, _ := filepath.Glob(filepath.Join(cfg.DataDir, SpoolPattern))
		for _, p := range stale {
			os.Remove(p)
		}
		mux.Handle("/admin/", HandlerWith(svc, Config{Token: token, Log: log, SpoolDir: cfg.DataDir, ReadDirs: cfg.ReadDirs, Backups: cfg.Backups}))
	}
	if cfg.Metrics != nil {
		mux.Handle("GET /metrics", cfg.Metrics)
	}
	if cfg.Pprof {
		// Profiles show the process's memory and command line: the same token as ingest.
		mux.Handle("/debug/pprof/", RequireToken(token, http.HandlerFunc(pprof.Index)))
		mux.Handle("/debug/pprof/profile", RequireToken(token, http.HandlerFunc(pprof.Profile)))
		mux.Handle("/debug/pprof/symbol", RequireToken(token, http.HandlerFunc(pprof.Symbol)))
	}
	srv := NewHTTPServer(mux, cfg.Timeouts)
	go func() { _ = srv.Serve(LimitListener(ln, cfg.MaxConns)) }() // ErrServerClosed once shut down
	log.Info("admin endpoint (metrics, ingest hand-off, pprof)", "addr", ln.Addr().String(), "max_conns", cfg.MaxConns)
	return &Listener{Server: srv, Addr: ln.Addr().String(), infoPath: path}, nil
}
