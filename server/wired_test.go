package server_test

import (
	"log/slog"

	"github.com/cadrestat/cadrestat/lifecycle"
	"github.com/cadrestat/cadrestat/server"
	"github.com/cadrestat/cadrestat/service"
)

// wired builds the public handler over svc and wires it as serve's change cascade does,
// less the metric cells' warm-up (these tests read cells on demand): a lifecycle that is
// not started (the tests load data themselves), and at each change of data version, and
// once now for the version already loaded, /metrics, the cache purge and the views.
func wired(svc *service.Service, cfg server.Config, log *slog.Logger) *server.Server {
	srv, _ := wiredLife(svc, cfg, log)
	return srv
}

// wiredLife is wired, with the lifecycle (a test drains it).
func wiredLife(svc *service.Service, cfg server.Config, log *slog.Logger) (*server.Server, *lifecycle.Manager) {
	life := lifecycle.New(svc, log)
	cfg.Lifecycle = life
	srv := server.New(svc, cfg, log)
	changed := func(v uint64) {
		srv.ReportVersion(v)
		srv.PurgeCache(v)
		srv.PublishDataChange(v)
		go srv.WarmViews(v)
	}
	life.OnDrain(srv.EndStreams)
	svc.OnChange(changed)
	if life.Ready() {
		changed(svc.Catalog().Version)
	}
	return srv, life
}
