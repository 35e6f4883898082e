package main

import (
	"log/slog"

	"github.com/cadrestat/cadrestat/admin"
	"github.com/cadrestat/cadrestat/server"
	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/warehouse"
)

// adminOptions are serve's flags for the admin listener.
type adminOptions struct {
	addr     string
	pprof    bool
	maxConns int            // connections held at once (admin.LimitListener)
	timeouts admin.Timeouts // zero fields: the admin package's defaults
	readDirs []string       // -admin-read-dirs: the only folders files are handed off from
}

// startAdmin opens the loopback admin listener (package admin) for serve: the ingest
// hand-off and backups only for the embedded engine, whose folder this process holds (with
// a server engine, ingest writes to ClickHouse directly); store is the engine itself, for
// its backups.
func startAdmin(svc *service.Service, store warehouse.Store, ef engineFlags, opt adminOptions, metrics *server.Metrics, log *slog.Logger) (*admin.Listener, error) {
	cfg := admin.ListenConfig{Addr: opt.addr, DataDir: ef.dataDir, Ingest: ef.engine == "embedded", Pprof: opt.pprof,
		MaxConns: opt.maxConns, Timeouts: opt.timeouts, ReadDirs: opt.readDirs, Log: log}
	if b, ok := store.(warehouse.Backups); ok {
		cfg.Backups = b
	}
	if metrics != nil {
		cfg.Metrics = metrics.Handler()
	}
	return admin.Listen(svc, cfg)
}
