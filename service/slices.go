package service

import (
	"context"
	"errors"
	"sync"

	"github.com/cadrestat/cadrestat/internal/lru"
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
	sliceData
	version uint64
	ready   chan struct{} // closed when loaded
	err     error
}

// sliceData is what a load builds; a cache entry takes all of it at once.
type sliceData struct {
	// cells is the preferred observation of each cell, by subject and period label, picked
	// once when the slice loads, so a request does lookups instead of re-picking every row.
	// Only these are kept: at scale L a cell has 150 sources, and holding every row of every
	// metric took the server past 1 GiB (the others are read on demand as alternatives).
	cells map[string]map[string]*warehouse.Observation
	// yearly is what a year is compared on: per subject and start year, the preferred of
	// its YEAR and TERM cells (a term is compared on its start year). Ranges and as-of
	// figures are never yearly figures.
	yearly map[string]map[int]*warehouse.Observation
	// within is, per subject and year, the figure in force in it without starting in it:
	// the term in force that year (2023 → the 2020–2025 term), else the latest as-of figure
	// dated in it (see inYearRule). A year compared uses it only without a yearly figure.
	within map[string]map[int]*warehouse.Observation
	// years lists every start year of yearly, newest first (for "previous available period").
	years []int
	// periods holds every period present, by label.
	periods map[string]warehouse.Period
	// contested holds, by the ID of a preferred observation whose cell has a true tie, the
	// figures that dispute it (their values widen its rank range).
	contested map[string][]*warehouse.Observation
	bytes     int
}

type sliceKey struct {
	metric    string
	synthetic bool
}

// sliceCache keeps loaded slices in a byte-bounded LRU (internal/lru, sized by each slice's
// estimate) and makes concurrent callers of one slice wait for a single load: a cold metric
// asked for by a whole dashboard at once is read once, not once per panel.
type sliceCache struct {
	mu      sync.Mutex // guards loading, and the look-up-then-load in get
	loading map[sliceKey]*slice
	loaded  *lru.Cache[sliceKey, *slice]
	max     int // loaded's bound in bytes
}

// rowOverhead estimates one cached observation beyond its strings: the struct, three
// float pointers and its share of the best-index maps (measured with make bench at scale M).
const rowOverhead = 400

func sizeOf(cells map[string]map[string]*warehouse.Observation) int {
	n := 0
	for _, bySubj := range cells {
		for _, o := range bySubj {
			n += 2*rowOverhead + len(o.ID) + len(o.SubjectID) + len(o.MetricID) + len(o.Period.Label) + len(o.Quote) + len(o.Note) + len(o.SourceID) + len(o.LoadID)
		}
	}
	return n
}

// compact copies the preferred observations out of the arrays they were read into, so the
// rest can be freed (a pointer into an array keeps all of it alive).
func compact(cells map[string]map[string]*warehouse.Observation) {
	n := 0
	for _, bySubj := range cells {
		n += len(bySubj)
	}
	kept := make([]warehouse.Observation, 0, n)
	for _, bySubj := range cells {
		for l, o := range bySubj {
			kept = append(kept, *o)
			bySubj[l] = &kept[len(kept)-1]
		}
	}
}

func newSliceCache(maxBytes int) *sliceCache {
	return &sliceCache{loading: map[sliceKey]*slice{}, loaded: lru.New[sliceKey](maxBytes, func(s *slice) int { return s.bytes }), max: maxBytes}
}

// get returns the slice for key at version, loading it once (concurrent callers wait).
func (c *sliceCache) get(ctx context.Context, key sliceKey, version uint64, load func(context.Context) (*slice, error)) (*slice, error) {
	c.mu.Lock()
	if s, ok := c.loaded.Get(key); ok && s.version == version {
		c.mu.Unlock()
		return s, nil
	}
	if s, ok := c.loading[key]; ok && s.version == version {
		c.mu.Unlock()
		select {
		case <-s.ready:
			if s.err == errNotWarmed { // claimed by the warm-up, which did not keep it
				return c.get(ctx, key, version, load)
			}
			return s, s.err
		case <-ctx.Done():
			return nil, warehouse.Wrap(ctx.Err(), warehouse.ErrTimeout, "the request was cancelled")
		}
	}
	s := &slice{key: key, version: version, ready: make(chan struct{})}
	c.loading[key] = s
	c.mu.Unlock()

	loaded, err := load(context.WithoutCancel(ctx)) // shared by waiters: not tied to one request
	c.mu.Lock()
	defer c.mu.Unlock()
	if err == nil {
		s.sliceData = loaded.sliceData
		c.loaded.Add(key, s) // replaces a slice of an older version
	}
	s.err = err
	close(s.ready)
	if c.loading[key] == s {
		delete(c.loading, key)
	}
	return s, err
}

// peek returns a loaded slice for key at version without waiting or loading.
func (c *sliceCache) peek(key sliceKey, version uint64) *slice {
	if s, ok := c.loaded.Get(key); ok && s.version == version {
		return s
	}
	return nil
}

// errNotWarmed ends a claim the warm-up did not fill: its waiters load the slice themselves.
var errNotWarmed = errors.New("not warmed")

// claim marks the keys that are neither loaded nor loading at version as loading by the
// warm-up, and returns them: a request for one then waits for the warm-up's query (which
// reads many metrics at once) instead of sending one of its own for the same rows, as
// concurrent requests for one slice wait for a single load. Every claim must end with fill.
func (c *sliceCache) claim(keys []sliceKey, version uint64) map[sliceKey]*slice {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[sliceKey]*slice{}
	for _, key := range keys {
		if s, ok := c.loaded.Get(key); ok && s.version == version {
			continue
		}
		if s, ok := c.loading[key]; ok && s.version == version {
			continue
		}
		s := &slice{key: key, version: version, ready: make(chan struct{})}
		c.loading[key] = s
		out[key] = s
	}
	return out
}

// fill ends a claim with the slice built (nil: none was) and wakes its waiters. It never
// evicts: a slice that does not fit in what is left of the bound is not kept (its waiters
// load it themselves), and fill reports false, so warming more than fits cannot push out
// what is there, or what it just added.
func (c *sliceCache) fill(claimed, built *slice) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	kept := built != nil && c.loaded.Bytes()+built.bytes <= c.max
	if kept {
		claimed.sliceData = built.sliceData
		c.loaded.Add(claimed.key, claimed)
	} else {
		claimed.err = errNotWarmed
	}
	close(claimed.ready)
	if c.loading[claimed.key] == claimed {
		delete(c.loading, claimed.key)
	}
	return kept
}

// purge drops every slice (after a load); loads in flight finish for their waiters only.
func (c *sliceCache) purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.loading)
	c.loaded.Purge()
}

// metricSlice returns the current observations of a metric, one per cell, from the cache
// when possible.
func (s *Service) metricSlice(ctx context.Context, metric string, synthetic bool) (*slice, error) {
	if sl := preloadedSlice(ctx, sliceKey{metric, synthetic}); sl != nil { // read ahead by a brief or table
		return sl, nil
	}
	load := func(ctx context.Context) (*slice, error) { return s.loadSlice(ctx, metric, synthetic) }
	if s.slices == nil {
		return load(ctx)
	}
	return s.slices.get(ctx, sliceKey{metric, synthetic}, s.Catalog().Version, load)
}

// loadSlice reads a metric's cells. Every non-synthetic row is read and picked in Go by the
// full preference rule (which also tells a true tie, see contested): published figures are
// few, whatever the scale. Synthetic rows can be 150 per cell at scale L, so the engine
// keeps one per subject and year for them (warehouse.CellOrder); a synthetic row only fills
// a cell no real figure fills, since every real status is preferred to SYNTHETIC.
func (s *Service) loadSlice(ctx context.Context, metric string, synthetic bool) (*slice, error) {
	var real, syn []warehouse.Observation
	err := s.readAtVersion(ctx, func() (err error) {
		real, err = s.Store.Observations(ctx, warehouse.ObservationFilter{MetricIDs: []string{metric}})
		if err != nil || !synthetic {
			return err
		}
		syn, err = s.Store.Observations(ctx, warehouse.ObservationFilter{MetricIDs: []string{metric}, IncludeSynthetic: true,
			Statuses: []warehouse.Status{warehouse.StatusSynthetic}, OnePerCell: s.cellOrder()})
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.buildSlice(real, syn), nil
}

// ErrDataChanged is what a request meets when a load commits while it reads rows for a
// catalogue it has already used: its answer would join two data versions, so it is refused
// (UNAVAILABLE, retryable) rather than given.
var ErrDataChanged = warehouse.Errorf(warehouse.ErrUnavailable, "the data changed while this request was answered; ask again")

// readAtVersion runs read and checks that the warehouse's data version was this service's
// catalogue's before and after it: a load commits by changing the version, so equal
// versions around the read mean its rows are that version's (a seqlock's check).
func (s *Service) readAtVersion(ctx context.Context, read func() error) error {
	want := s.Catalog().Version
	v0, err := s.Store.DataVersion(ctx)
	if err != nil {
		return err
	}
	if v0 != want {
		return ErrDataChanged
	}
	if err := read(); err != nil {
		return err
	}
	v1, err := s.Store.DataVersion(ctx)
	if err != nil {
		return err
	}
	if v1 != want {
		return ErrDataChanged
	}
	return nil
}

// buildSlice picks the cells of a metric's real rows, then fills the cells none of them
// fills with its synthetic rows (one per cell already; nil for a published-only slice).
func (s *Service) buildSlice(real, syn []warehouse.Observation) *slice {
	s.AttachSources(real)
	cells, contested := s.pickCells(real)
	s.AttachSources(syn)
	for i := range syn {
		o := &syn[i]
		if cells[o.SubjectID] == nil {
			cells[o.SubjectID] = map[string]*warehouse.Observation{}
		}
		if cells[o.SubjectID][o.Period.Label] == nil {
			cells[o.SubjectID][o.Period.Label] = o
		}
	}
	compact(cells)
	sl := &slice{sliceData: sliceData{cells: cells, contested: contested, bytes: sizeOf(cells)}}
	sl.index(s)
	return sl
}

// index builds the yearly view, the list of years and the periods present.
func (sl *slice) index(s *Service) {
	cat := s.Catalog()
	sl.yearly = map[string]map[int]*warehouse.Observation{}
	sl.periods = map[string]warehouse.Period{}
	years := map[int]bool{}
	for subj, byLabel := range sl.cells {
		for _, o := range byLabel {
			sl.periods[o.Period.Label] = o.Period
			if o.Period.Kind != warehouse.PeriodYear && o.Period.Kind != warehouse.PeriodTerm {
				continue
			}
			by := sl.yearly[subj]
			if by == nil {
				by = map[int]*warehouse.Observation{}
				sl.yearly[subj] = by
			}
			if cur := by[o.Period.Start]; cur == nil || yearlyBetter(cat, o, cur) {
				by[o.Period.Start] = o
			}
			years[o.Period.Start] = true
		}
	}
	sl.years = sortedDesc(years)
	sl.within = map[string]map[int]*warehouse.Observation{}
	for subj, byLabel := range sl.cells {
		for _, o := range byLabel {
			for y := o.Period.Start; y <= o.Period.End; y++ {
				if !inYearRule(o.Period, y) {
					continue
				}
				by := sl.within[subj]
				if by == nil {
					by = map[int]*warehouse.Observation{}
					sl.within[subj] = by
				}
				if cur := by[y]; cur == nil || withinBetter(o.Period, cur.Period) {
					by[y] = o
				}
			}
		}
	}
}

// inYearRule says whether a figure of period p answers a question about year y when the
// subject has no figure of its own starting in y: a term answers for the years it is in
// force after its first (2021–2024 for 2020–2025; its last year belongs to the next term,
// whose congress elects in it), an as-of count for the year it was taken in. A range never
// does: a total over 2015–2021 is not a figure of 2018.
func inYearRule(p warehouse.Period, y int) bool {
	switch p.Kind {
	case warehouse.PeriodTerm:
		return y > p.Start && y < p.End
	case warehouse.PeriodAsOf:
		return y == p.Start
	}
	return false
}

// withinBetter orders candidates of one year: a term before an as-of count, a later term
// before an earlier one, and a later date before an earlier one (the latest count taken).
func withinBetter(p, than warehouse.Period) bool {
	if p.Kind != than.Kind {
		return p.Kind == warehouse.PeriodTerm
	}
	if p.Start != than.Start {
		return p.Start > than.Start
	}
	return p.Label > than.Label // ISO dates and terms of one start year sort as text
}

// warmChunk is how many metrics one warm-up query reads. With the cells picked by aggregate
// functions (chsql.CellsSQL), reading every metric's cells alone took, at scale L (69
// metrics, one process, load 5.8–6.1): 4 per query 4.1 s (HWM 371 MB), 8 per query 4.5 s
// (387 MB), 16 per query 3.9 s (428 MB), one query for all 4.7 s (619 MB); at M one query
// for all took 3.1–3.4 s and 656–702 MB against 1.5 s and 348 MB for 4 per query (the engine
// seems to group a single part's rows by hashing then). 4 is as fast as any and the
// smallest, and a request for a slice waits for at most a small chunk.
const warmChunk = 4

// Warm loads every metric's slices (published only, and with synthetic rows) so the first
// dashboard views after a load do not wait for the warehouse. It stops at the first error,
// when the data version moves on (the next change warms again), or when the cache is full.
//
// Strategy: with a store that is a warehouse.CellReader (both engines), a few queries each
// read the cells of warmChunk metrics at once, grouped per cell by the engine as it reads
// the table in order, and each metric's two slices are built from them. On two shared cores
// serve's warm-up at scale L went 121 s (per-metric queries) → 30–35 s (cells grouped into
// arrays) → 6.7–7.9 s (cells picked by aggregate functions, with the standard views rendered
// after the cells: lifecycle.Manager.AfterWarm), bench/README.md "Warm-up". Per-metric queries
// two at a time took 44 s at L, and chunks two at a time were slower than one after
// another: the engine already uses both cores.
// Other stores fall back to two queries per metric (warehouse.ReadCells).
//
// Order and budget: metrics in catalogue order (the explorer's standard views go through
// them in that order), published slices before synthetic ones (the explorer asks for
// published figures unless told otherwise): a first pass reads every metric's published
// cells, a second its synthetic ones (real rows are few, so reading them twice costs little),
// so synthetic slices never take the room of a published one. Warming never evicts
// (sliceCache.fill): once a published slice does not fit, warming stops; once a synthetic
// one does not fit, the rest are not read; either is logged once.
func (s *Service) Warm(ctx context.Context) error {
	c := s.slices
	if c == nil {
		return nil // nothing to keep warm: every request reads the warehouse
	}
	cat := s.Catalog()
	version := cat.Version
	withSynthetic, stop := true, false
	full := func(what string, key sliceKey, sl *slice) {
		s.Log.Warn("metric cache full: warm-up "+what, "metric", key.metric, "synthetic", key.synthetic,
			"slice_bytes", sl.bytes, "cache_bytes", c.loaded.Bytes(), "max_bytes", c.max, "slices", c.loaded.Len())
	}
	for _, synPass := range []bool{false, true} {
		var todo []string
		for _, m := range cat.Metrics {
			if c.peek(sliceKey{m.ID, synPass}, version) == nil {
				todo = append(todo, m.ID)
			}
		}
		for len(todo) > 0 && !stop && (!synPass || withSynthetic) {
			if err := s.warmChunk(ctx, &todo, synPass, version, &stop, &withSynthetic, full); err != nil {
				return err
			}
		}
	}
	return nil
}

// warmChunk reads the published (or synthetic) cells of the next warmChunk metrics of todo
// and fills their claimed slices (see Warm).
func (s *Service) warmChunk(ctx context.Context, todo *[]string, synPass bool, version uint64, stop, withSynthetic *bool, full func(string, sliceKey, *slice)) error {
	c := s.slices
	chunk := (*todo)[:min(warmChunk, len(*todo))]
	*todo = (*todo)[len(chunk):]
	q := warehouse.CellQuery{MetricIDs: chunk}
	var keys []sliceKey
	for _, m := range chunk {
		keys = append(keys, sliceKey{m, synPass})
	}
	if synPass {
		q.Synthetic = s.cellOrder()
	}
	claimed := c.claim(keys, version)
	add := func(metric string, obs []warehouse.Observation) error {
		if s.Catalog().Version != version {
			*stop = true // a newer load: its own warm-up follows
		}
		pub, syn := claimed[sliceKey{metric, false}], claimed[sliceKey{metric, true}]
		delete(claimed, sliceKey{metric, false})
		delete(claimed, sliceKey{metric, true})
		n := 0 // ReadCells puts the rows that are not SYNTHETIC first
		for n < len(obs) && obs[n].Status != warehouse.StatusSynthetic {
			n++
		}
		real, synRows := obs[:n:n], obs[n:]
		if pub != nil {
			var sl *slice
			if !*stop {
				sl = s.buildSlice(real, nil)
			}
			if !c.fill(pub, sl) && !*stop {
				full("stopped", pub.key, sl)
				*stop = true
			}
		}
		if syn != nil {
			var sl *slice
			if !*stop && *withSynthetic {
				sl = s.buildSlice(real, synRows)
			}
			if !c.fill(syn, sl) && sl != nil {
				full("stops reading synthetic rows", syn.key, sl)
				*withSynthetic = false
			}
		}
		return nil
	}
	err := warehouse.ReadCells(ctx, s.Store, q, add)
	for key := range claimed { // metrics without rows (empty slices, as a request would cache), or after an error
		if err == nil {
			_ = add(key.metric, nil) // an empty slice: add only fails on rows
		}
	}
	for _, p := range claimed {
		if p.ready != nil {
			select {
			case <-p.ready:
			default:
				c.fill(p, nil)
			}
		}
	}
	return err
}

// AttachSources points each observation at its source in the current catalogue.
func (s *Service) AttachSources(obs []warehouse.Observation) {
	cat := s.Catalog()
	for i := range obs {
		obs[i].Src = cat.Source(obs[i].SourceID)
	}
}
