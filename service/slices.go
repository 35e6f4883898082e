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
	key sliceKey
	// best is the preferred observation per subject and start year, computed once when the
	// slice loads, so a request does lookups instead of re-picking every row. Only these
	// are kept: at scale L a cell has 150 sources, and holding every row of every metric
	// took the server past 1 GiB (the others are read on demand as alternatives).
	best map[string]map[int]*warehouse.Observation
	// years lists every start year present, newest first (for "previous available period").
	years   []int
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

// rowOverhead estimates one cached observation beyond its strings: the struct, three
// float pointers and its share of the best-index maps (measured with make bench at scale M).
const rowOverhead = 400

func sizeOf(best map[string]map[int]*warehouse.Observation) int {
	n := 0
	for _, bySubj := range best {
		for _, o := range bySubj {
			n += rowOverhead + len(o.ID) + len(o.SubjectID) + len(o.MetricID) + len(o.Period.Label) + len(o.Quote) + len(o.Note) + len(o.SourceID) + len(o.LoadID)
		}
	}
	return n
}

// compact copies the preferred observations out of the array they were read into, so the
// rest of it can be freed (a pointer into an array keeps all of it alive).
func compact(best map[string]map[int]*warehouse.Observation) {
	n := 0
	for _, bySubj := range best {
		n += len(bySubj)
	}
	kept := make([]warehouse.Observation, 0, n)
	for _, bySubj := range best {
		for y, o := range bySubj {
			kept = append(kept, *o)
			bySubj[y] = &kept[len(kept)-1]
		}
	}
}

func newSliceCache(maxBytes int) *sliceCache {
	return &sliceCache{maxBytes: maxBytes, order: list.New(), items: map[sliceKey]*list.Element{}}
}

// get returns the slice for key at version, loading it once (concurrent callers wait).
func (c *sliceCache) get(ctx context.Context, key sliceKey, version uint64, load func(context.Context) (*slice, error)) (*slice, error) {
	c.mu.Lock()
	if e, ok := c.items[key]; ok {
		s := e.Value.(*slice)
		if s.version == version {
			c.order.MoveToFront(e)
			c.mu.Unlock()
			select {
			case <-s.ready:
				return s, s.err
			case <-ctx.Done():
				return nil, warehouse.Wrap(ctx.Err(), warehouse.KindTimeout, "the request was cancelled")
			}
		}
		c.remove(e)
	}
	s := &slice{key: key, version: version, ready: make(chan struct{})}
	c.items[key] = c.order.PushFront(s)
	c.mu.Unlock()

	loaded, err := load(context.WithoutCancel(ctx)) // shared by waiters: not tied to one request
	c.mu.Lock()
	if err == nil {
		s.best, s.years, s.bytes = loaded.best, loaded.years, loaded.bytes
	}
	s.err = err
	close(s.ready)
	if err != nil {
		if e, ok := c.items[key]; ok && e.Value == s {
			c.remove(e)
		}
	} else {
		c.size += s.bytes
		for c.size > c.maxBytes && c.order.Len() > 1 {
			c.remove(c.order.Back())
		}
	}
	c.mu.Unlock()
	return s, err
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

// metricSlice returns the current observations of a metric and their best-per-cell index,
// from the cache when possible.
func (s *Service) metricSlice(ctx context.Context, metric string, synthetic bool) (*slice, error) {
	load := func(ctx context.Context) (*slice, error) {
		// The engine keeps one row per cell by the preference rule: at scale L a cell has
		// 150 sources, and shipping them all to Go cost memory and time for nothing.
		obs, err := s.Store.Observations(ctx, warehouse.ObservationFilter{MetricIDs: []string{metric}, IncludeSynthetic: synthetic, OnePerCell: s.cellOrder()})
		if err != nil {
			return nil, err
		}
		s.AttachSources(obs)
		best := s.pick(obs)
		compact(best)
		years := map[int]bool{}
		for _, bySubj := range best {
			for y := range bySubj {
				years[y] = true
			}
		}
		return &slice{best: best, years: sortedDesc(years), bytes: sizeOf(best)}, nil
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

// AttachSources points each observation at its source in the current catalogue.
func (s *Service) AttachSources(obs []warehouse.Observation) {
	cat := s.Catalog()
	for i := range obs {
		obs[i].Src = cat.Source(obs[i].SourceID)
	}
}
