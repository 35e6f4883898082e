// Package lifecycle runs a serving process's life around the service: getting the
// catalogue when the warehouse first answers (retrying while it does not), following loads
// made by other processes, warming the metric cells after every change, and saying whether
// the process should take traffic (ready, draining).
//
// It is not part of service because none of it is analytics: service answers questions
// about the data it is given and keeps its catalogue in step when asked (Refresh, Load),
// while this package decides when to ask and what a load balancer is told. A one-shot
// command (ingest) and the service's tests need none of it; a serving process starts it once.
package lifecycle

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cadrestat/cadrestat/internal/progress"
	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/warehouse"
)

// Manager follows the warehouse for one service. What it does when the data change is
// not wired here: the serving process registers WarmCells (and AfterWarm's work) in its
// change cascade (cmd/cadrestat/serve.go), so that list is the one place to read it.
type Manager struct {
	svc      *service.Service
	log      *slog.Logger
	draining atomic.Bool
	// RetryEvery is how often Start tries again while the warehouse does not answer.
	RetryEvery time.Duration
	// WarmLogEvery is how often a warm-up still running says so in the log.
	WarmLogEvery time.Duration

	mu        sync.Mutex // guards afterWarm and onDrain
	afterWarm []func(version uint64)
	onDrain   []func()
}

// New returns a manager for svc; nothing runs before Start or WarmCells.
func New(svc *service.Service, log *slog.Logger) *Manager {
	if log == nil {
		log = slog.Default()
	}
	return &Manager{svc: svc, log: log, RetryEvery: 2 * time.Second, WarmLogEvery: 10 * time.Second}
}

// Start loads the catalogue (or keeps retrying in the background while the warehouse is
// unreachable: the process serves anyway and /readyz says so) and checks for loads by
// other processes every poll (e.g. ingest into a shared ClickHouse server). A catalogue
// loaded or changed is a change of data version, which runs the service's change hooks.
// Everything stops with ctx.
func (m *Manager) Start(ctx context.Context, poll time.Duration) {
	if err := m.svc.Refresh(ctx); err != nil {
		m.log.Warn("warehouse not reachable; serving anyway (/readyz says so) and retrying", "err", err)
		go m.retry(ctx)
	}
	go m.poll(ctx, poll)
}

// WarmCells warms every metric's cells of the current data version in the background, so
// dashboards never wait for the warehouse on their first view, then runs AfterWarm's
// functions. It is the change hook a serving process registers (the version is the one
// that changed; the warm-up reads whatever is current when it starts).
func (m *Manager) WarmCells(ctx context.Context, version uint64) {
	go m.warm(ctx)
}

// AfterWarm registers f to run, in its own goroutine, after each warm-up of the metric
// cells ends (warm, full or failed) while its data version is still the current one. Work
// that reads many metrics (the server's pre-rendering of the explorer's standard views)
// then waits for the cells instead of competing with the warm-up for the cores and reading
// the same rows metric by metric (bench/README.md, "Warm-up").
func (m *Manager) AfterWarm(f func(version uint64)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.afterWarm = append(m.afterWarm, f)
}

// ended tells AfterWarm's functions that the warm-up of version ended, unless a newer
// version has been seen since (its own warm-up follows).
func (m *Manager) ended(version uint64) {
	if m.svc.Catalog().Version != version {
		return
	}
	m.mu.Lock()
	fs := append([]func(uint64){}, m.afterWarm...)
	m.mu.Unlock()
	for _, f := range fs {
		go f(version)
	}
}

// retry tries to load the catalogue until it succeeds (the warehouse came up).
func (m *Manager) retry(ctx context.Context) {
	for !m.Ready() {
		select {
		case <-ctx.Done():
			return
		case <-time.After(m.RetryEvery):
			if err := m.svc.Refresh(ctx); err == nil {
				m.log.Info("warehouse reachable again; catalogue loaded")
			}
		}
	}
}

// poll refreshes every interval until ctx ends.
func (m *Manager) poll(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := m.svc.Refresh(ctx); err != nil {
				m.log.Warn("catalogue refresh failed", "err", err)
			}
		}
	}
}

// warm warms every metric's cells, logging every m.WarmLogEvery while it runs (how many
// metrics, for how long) and once when it is over. service.Warm is one call, so the log
// says how long it has run, not how many metrics are done.
func (m *Manager) warm(ctx context.Context) {
	start := time.Now()
	cat := m.svc.Catalog()
	metrics := len(cat.Metrics)
	defer m.ended(cat.Version)
	// Not "metric cache warm…": bench/main.go waits for that line.
	defer progress.Every(m.WarmLogEvery, func(elapsed time.Duration) {
		m.log.Info("warming the metric cache", "metrics", metrics, "elapsed_s", int(elapsed.Seconds()))
	})()
	if err := m.svc.Warm(ctx); err != nil {
		m.log.Warn("warming the metric cache failed", "metrics", metrics, "ms", time.Since(start).Milliseconds(), "err", err)
		return
	}
	m.log.Info("metric cache warm", "metrics", metrics, "ms", time.Since(start).Milliseconds())
}

// Ready reports whether a catalogue with provinces has been loaded.
func (m *Manager) Ready() bool { return len(m.svc.Catalog().Provinces) > 0 }

// Available returns nil once the catalogue is loaded, else an UNAVAILABLE error that says
// the warehouse has not answered yet (e.g. a ClickHouse server that is down at start).
func (m *Manager) Available() error {
	if m.Ready() {
		return nil
	}
	return warehouse.Errorf(warehouse.ErrUnavailable, "the warehouse is not reachable yet; try again shortly")
}

// Drain marks the process as shutting down: /readyz answers 503 so load balancers stop
// sending new requests, while requests still arriving are served. The first call runs
// OnDrain's functions (the server ends its open subscriptions, which would otherwise hold
// the process until the shutdown's deadline).
func (m *Manager) Drain() {
	if !m.draining.CompareAndSwap(false, true) {
		return
	}
	m.mu.Lock()
	fs := m.onDrain
	m.mu.Unlock()
	for _, f := range fs {
		f()
	}
}

// OnDrain registers f to run when Drain is first called.
func (m *Manager) OnDrain(f func()) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.onDrain = append(m.onDrain, f)
}

// Draining reports whether Drain was called.
func (m *Manager) Draining() bool { return m.draining.Load() }

// NotReady says why the process should not take traffic now, or "" when it should: it is
// draining, the warehouse does not answer within two seconds, or no catalogue is loaded.
func (m *Manager) NotReady(ctx context.Context) string {
	if m.Draining() {
		return "shutting down"
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := m.svc.Ping(ctx); err != nil {
		return "warehouse unreachable"
	}
	if !m.Ready() {
		return "data not loaded"
	}
	return ""
}
