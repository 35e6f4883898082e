package service

import (
	"container/list"
	"context"
	"sync"

	"github.com/cadrestat/cadrestat/warehouse"
)

// A slice is every current observation of one metric (with or without synthetic rows),
// fetched in one warehouse query and kept until the data version changes. Comparisons,
// series and trends on that metric are then computed in Go: ClickHouse costs ~20 ms for
// even a tiny read (engine overhead plus a granule per column, measured with make bench),
// while the data only changes when a load commits. The cache is bounded by an estimate of
// its size in bytes and evicts the least recently used slices.
type slice struct {
	key     sliceKey
	obs     []warehouse.Observation
	bytes   int
	version uint64
	ready   chan struct{} // closed when loaded
	err     error
}

type sliceKey struct {
	metric    string
	synthetic bool
}

type sliceCache struct {
	mu       sync.Mutex
	maxBytes int
	size     int
	order    *list.List // *slice, front = most recent
	items    map[sliceKey]*list.Element
}

// approxRowBytes estimates one cached observation (struct, strings, pointers).
const approxRowBytes = 320

func newSliceCache(maxBytes int) *sliceCache {
	return &sliceCache{maxBytes: maxBytes, order: list.New(), items: map[sliceKey]*list.Element{}}
}

// get returns the slice for key at version, loading it once (concurrent callers wait).
func (c *sliceCache) get(ctx context.Context, key sliceKey, version uint64, load func(context.Context) ([]warehouse.Observation, error)) ([]warehouse.Observation, error) {
	c.mu.Lock()
	if e, ok := c.items[key]; ok {
		s := e.Value.(*slice)
		if s.version == version {
			c.order.MoveToFront(e)
			c.mu.Unlock()
			select {
			case <-s.ready:
				return s.obs, s.err
			case <-ctx.Done():
				return nil, warehouse.Wrap(ctx.Err(), warehouse.KindTimeout, "the request was cancelled")
			}
		}
		c.remove(e)
	}
	s := &slice{key: key, version: version, ready: make(chan struct{})}
	c.items[key] = c.order.PushFront(s)
	c.mu.Unlock()

	obs, err := load(context.WithoutCancel(ctx)) // shared by waiters: not tied to one request
	c.mu.Lock()
	s.obs, s.err = obs, err
	close(s.ready)
	if err != nil {
		if e, ok := c.items[key]; ok && e.Value == s {
			c.remove(e)
		}
	} else {
		s.bytes = len(obs) * approxRowBytes
		c.size += s.bytes
		for c.size > c.maxBytes && c.order.Len() > 1 {
			c.remove(c.order.Back())
		}
	}
	c.mu.Unlock()
	return obs, err
}

func (c *sliceCache) remove(e *list.Element) {
	s := e.Value.(*slice)
	c.order.Remove(e)
	delete(c.items, s.key)
	c.size -= s.bytes
}

// purge drops every slice (after a load).
func (c *sliceCache) purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.order.Init()
	c.items = map[sliceKey]*list.Element{}
	c.size = 0
}

// metricSlice returns the current observations of a metric, from the cache when possible.
func (s *Service) metricSlice(ctx context.Context, metric string, synthetic bool) ([]warehouse.Observation, error) {
	load := func(ctx context.Context) ([]warehouse.Observation, error) {
		return s.Store.Observations(ctx, warehouse.ObservationFilter{MetricIDs: []string{metric}, IncludeSynthetic: synthetic})
	}
	if s.slices == nil {
		return load(ctx)
	}
	return s.slices.get(ctx, sliceKey{metric, synthetic}, s.Catalog().Version, load)
}

// Warm loads every metric's slices (published only, and with synthetic rows) so the first
// dashboard views after a load do not wait for the warehouse. It stops at the first error.
func (s *Service) Warm(ctx context.Context) error {
	for _, m := range s.Catalog().Metrics {
		for _, syn := range []bool{false, true} {
			if _, err := s.metricSlice(ctx, m.ID, syn); err != nil {
				return err
			}
		}
	}
	return nil
}

// filterSlice keeps the observations of the given subjects up to a year (0 = no bound).
func filterSlice(obs []warehouse.Observation, subjects map[string]bool, from, to int) []warehouse.Observation {
	out := make([]warehouse.Observation, 0, len(subjects)*4)
	for i := range obs {
		o := &obs[i]
		if !subjects[o.SubjectID] || (to > 0 && o.Period.Start > to) || (from > 0 && o.Period.Start < from) {
			continue
		}
		out = append(out, *o)
	}
	return out
}
