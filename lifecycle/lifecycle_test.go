package lifecycle_test

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cadrestat/cadrestat/lifecycle"
	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/warehouse"
)

// down is a warehouse that answers only once up is set; its catalogue has one province and
// no metrics (so warming the cells reads nothing). Only what the lifecycle calls is there.
type down struct {
	warehouse.Store
	up      atomic.Bool
	version atomic.Uint64
}

func (d *down) err() error {
	if d.up.Load() {
		return nil
	}
	return warehouse.Errorf(warehouse.ErrUnavailable, "down")
}

func (d *down) Ping(context.Context) error { return d.err() }

func (d *down) DataVersion(context.Context) (uint64, error) { return d.version.Load(), d.err() }

func (d *down) Catalog(context.Context) (*warehouse.Catalog, error) {
	c := &warehouse.Catalog{Version: d.version.Load(), Provinces: []warehouse.Province{{ID: "VN63-01", Map: warehouse.VN63}}}
	c.Index()
	return c, d.err()
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !ok(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not happen", what)
		}
	}
}

// A warehouse that is down at start: the process is not ready and data fields are
// UNAVAILABLE; once it answers, the retry loads the catalogue without anyone asking.
func TestStartRetriesUntilTheWarehouseAnswers(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store := &down{}
	store.version.Store(1)
	m := lifecycle.New(service.New(store, quiet), quiet)
	m.RetryEvery = 10 * time.Millisecond
	m.Start(ctx, time.Hour)
	if m.Ready() || warehouse.KindOf(m.Available()) != warehouse.ErrUnavailable || m.NotReady(ctx) != "warehouse unreachable" {
		t.Fatalf("down: ready %v, available %v, not ready %q", m.Ready(), m.Available(), m.NotReady(ctx))
	}
	store.up.Store(true)
	eventually(t, "loading the catalogue once the warehouse is up", m.Ready)
	if m.Available() != nil || m.NotReady(ctx) != "" {
		t.Fatalf("up: available %v, not ready %q", m.Available(), m.NotReady(ctx))
	}
	m.Drain()
	if !m.Draining() || m.NotReady(ctx) != "shutting down" || m.Available() != nil {
		t.Fatalf("draining: %v %q %v (requests still arriving are served)", m.Draining(), m.NotReady(ctx), m.Available())
	}
}

// Loads by another process are picked up by polling, and every change is announced.
func TestPollFollowsTheDataVersion(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store := &down{}
	store.up.Store(true)
	store.version.Store(1)
	svc := service.New(store, quiet)
	var seen atomic.Uint64
	svc.OnChange(func(v uint64) { seen.Store(v) })
	m := lifecycle.New(svc, quiet)
	m.Start(ctx, 10*time.Millisecond)
	if !m.Ready() || seen.Load() != 1 {
		t.Fatalf("after Start: ready %v, version seen %d", m.Ready(), seen.Load())
	}
	store.version.Store(2)
	eventually(t, "seeing version 2", func() bool { return seen.Load() == 2 && svc.Catalog().Version == 2 })
}
