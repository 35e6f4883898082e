// Package service is what the API and the binary call: it owns the in-memory catalogue
// (dimension data joined in Go, refreshed when asked and the data version changed), loads
// files, and runs the analytics over the warehouse. When to refresh, and whether the
// process is ready for traffic, is the lifecycle package's.
package service

import (
	"context"
	"log/slog"
	"sync"

	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/warehouse"
)

// Service wraps a Store with the catalogue cache.
type Service struct {
	Store warehouse.Store
	Log   *slog.Logger

	mu     sync.RWMutex
	cat    *warehouse.Catalog
	slices *sliceCache
	// onChange hooks run after the data version changes (e.g. clear response caches).
	onChange []func(version uint64)
	// root is the live service a snapshot was taken from (nil for the live one itself).
	root *Service
}

type snapshotKey struct{}

// Snapshot returns the service bound to the catalogue of this moment: every call on it
// reads that catalogue, and the metric slices of its data version (a slice read while a
// load commits is refused rather than mixed with the old catalogue, see loadSlice). A
// request takes one at its start (Pin), so a comparison never joins two catalogues.
func (s *Service) Snapshot() *Service {
	if s.root != nil {
		return s
	}
	return &Service{Store: s.Store, Log: s.Log, cat: s.Catalog(), slices: s.slices, root: s}
}

// Pin returns ctx carrying a snapshot of s: the service calls made with it (a whole GraphQL
// operation, an export, a brief) all read one catalogue and one data version.
func (s *Service) Pin(ctx context.Context) context.Context {
	return context.WithValue(ctx, snapshotKey{}, s.Snapshot())
}

// At is the snapshot pinned in ctx (see Pin), else a snapshot taken now, so one call on
// its own still reads one catalogue throughout.
func (s *Service) At(ctx context.Context) *Service {
	live := s
	if s.root != nil {
		live = s.root
	}
	if p, ok := ctx.Value(snapshotKey{}).(*Service); ok && p.root == live {
		return p
	}
	return s.Snapshot()
}

// PinnedVersion is the data version of the snapshot pinned in ctx, else the live one.
func (s *Service) PinnedVersion(ctx context.Context) uint64 { return s.At(ctx).Catalog().Version }

// New returns a service over store; call Refresh before serving.
func New(store warehouse.Store, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{Store: store, Log: log, slices: newSliceCache(DefaultSliceCacheBytes)}
}

// DefaultSliceCacheBytes bounds the metric-slice cache (see slices.go).
const DefaultSliceCacheBytes = 256 << 20

// SetSliceCacheBytes resizes the metric-slice cache; 0 turns it off (every comparison then
// queries the warehouse).
func (s *Service) SetSliceCacheBytes(n int) {
	if n <= 0 {
		s.slices = nil
		return
	}
	s.slices = newSliceCache(n)
}

// OnChange registers f to run whenever a new data version is seen.
func (s *Service) OnChange(f func(version uint64)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onChange = append(s.onChange, f)
}

// Catalog returns the cached catalogue (never nil after a successful Refresh).
func (s *Service) Catalog() *warehouse.Catalog {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.cat == nil {
		c := &warehouse.Catalog{}
		c.Index()
		return c
	}
	return s.cat
}

// Ping reports whether the warehouse answers.
func (s *Service) Ping(ctx context.Context) error { return s.Store.Ping(ctx) }

// Refresh reloads the catalogue if the warehouse's data version moved. The first one reads
// the catalogue straight away: the version it would compare is read again by Catalog, and
// a statement is 10–90 ms of serve's start on the embedded engine.
func (s *Service) Refresh(ctx context.Context) error {
	if s.root != nil {
		return s.root.Refresh(ctx)
	}
	s.mu.RLock()
	have := s.cat
	s.mu.RUnlock()
	if have != nil {
		v, err := s.Store.DataVersion(ctx)
		if err != nil {
			return err
		}
		if have.Version == v {
			return nil
		}
	}
	cat, err := s.Store.Catalog(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.cat = cat
	hooks := append([]func(uint64){}, s.onChange...)
	s.mu.Unlock()
	if s.slices != nil {
		s.slices.purge()
	}
	for _, h := range hooks {
		h(cat.Version)
	}
	return nil
}

// Load validates and loads files, then refreshes the catalogue.
func (s *Service) Load(ctx context.Context, files []ingest.File) (*ingest.Report, error) {
	return s.LoadWith(ctx, files, ingest.Options{})
}

// LoadWith is Load with ingest's options (a progress hook).
func (s *Service) LoadWith(ctx context.Context, files []ingest.File, opt ingest.Options) (*ingest.Report, error) {
	rep, err := ingest.LoadWith(ctx, s.Store, files, opt)
	if err != nil {
		return nil, err
	}
	if rep.OK() {
		if err := s.Refresh(ctx); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// LoadBundled loads the bundled dataset unless this exact bundle was loaded before; it
// returns a nil report when there was nothing to do.
func (s *Service) LoadBundled(ctx context.Context, files []ingest.File, digest string) (*ingest.Report, error) {
	name := "bundle:" + digest
	if h, ok := s.Store.(warehouse.LoadHistory); ok {
		done, err := h.HasLoad(ctx, name)
		if err != nil || done {
			return nil, err
		}
	}
	rep, err := ingest.LoadNamed(ctx, s.Store, files, name)
	if err != nil {
		return nil, err
	}
	if rep.OK() {
		return rep, s.Refresh(ctx)
	}
	return rep, nil
}
