package service

import (
	"bytes"
	"context"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cadrestat/cadrestat/data"
	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/internal/testenv"
	"github.com/cadrestat/cadrestat/synth"
	"github.com/cadrestat/cadrestat/warehouse"
)

// loadScaleS loads the bundled data and synthetic scale S (every province, 2010–2030) into
// a fresh embedded store, behind Limited as serve has it.
func loadScaleS(t *testing.T) warehouse.Store {
	t.Helper()
	ctx := context.Background()
	st := warehouse.Limit(testenv.Store(t), 8)
	svc := New(st, nil)
	if rep, err := svc.Load(ctx, data.Files()); err != nil || !rep.OK() {
		t.Fatalf("%v %+v", err, rep)
	}
	rows := synth.Generate(svc.Catalog(), synth.Options{Seed: 1, From: 2010, To: 2030})
	if rep, err := svc.Load(ctx, []ingest.File{{Name: "synthetic", Rows: rows}}); err != nil || !rep.OK() {
		t.Fatalf("%v %+v", err, rep)
	}
	return st
}

// sameSlice compares two slices by value (cells hold pointers to copies of the rows).
func sameSlice(t *testing.T, key sliceKey, warm, cold *slice) {
	t.Helper()
	flat := func(sl *slice) map[string]warehouse.Observation {
		out := map[string]warehouse.Observation{}
		for subj, byLabel := range sl.cells {
			for label, o := range byLabel {
				out[subj+"|"+label] = *o
			}
		}
		return out
	}
	yearly := func(sl *slice) map[string]map[int]string {
		out := map[string]map[int]string{}
		for subj, by := range sl.yearly {
			out[subj] = map[int]string{}
			for y, o := range by {
				out[subj][y] = o.ID
			}
		}
		return out
	}
	if !reflect.DeepEqual(flat(warm), flat(cold)) || !reflect.DeepEqual(warm.contested, cold.contested) ||
		!reflect.DeepEqual(yearly(warm), yearly(cold)) || !reflect.DeepEqual(warm.years, cold.years) ||
		!reflect.DeepEqual(warm.periods, cold.periods) || warm.bytes != cold.bytes {
		t.Fatalf("%+v: the warmed slice (%d cells, %d bytes) differs from one loaded alone (%d cells, %d bytes)",
			key, len(flat(warm)), warm.bytes, len(flat(cold)), cold.bytes)
	}
}

// Warming reads every metric's cells in a few queries (warehouse.CellReader); what it caches
// must be what loading each metric alone gives, on the bundled data and synthetic scale S.
func TestWarmInBulkEqualsLoadingEachMetric(t *testing.T) {
	warmEqualsEach(t, loadScaleS(t))
}

// The same after a second load revised a third of the synthetic rows (other values for the
// same IDs): cells holding rows of two revisions are read again exactly
// (chsql.CellsExactSQL), the others picked in one pass, and the slices still match.
func TestWarmInBulkEqualsLoadingEachMetricAfterRevisions(t *testing.T) {
	ctx := context.Background()
	st := loadScaleS(t)
	svc := New(st, nil)
	if err := svc.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	var rows []warehouse.Observation
	for i, o := range synth.Generate(svc.Catalog(), synth.Options{Seed: 2, From: 2010, To: 2030}) {
		if i%3 == 0 {
			rows = append(rows, o)
		}
	}
	if rep, err := svc.Load(ctx, []ingest.File{{Name: "synthetic-revised", Rows: rows}}); err != nil || !rep.OK() || rep.Changed == 0 {
		t.Fatalf("%v %+v", err, rep)
	}
	warmEqualsEach(t, st)
}

func warmEqualsEach(t *testing.T, st warehouse.Store) {
	t.Helper()
	ctx := context.Background()
	if _, ok := st.(warehouse.CellReader); !ok {
		t.Fatal("Limited hides CellReader")
	}
	warm := New(st, nil)
	if err := warm.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if err := warm.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	cold := New(st, nil)
	if err := cold.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	version := warm.Catalog().Version
	synthetic := 0
	for _, m := range warm.Catalog().Metrics {
		for _, syn := range []bool{false, true} {
			key := sliceKey{m.ID, syn}
			got := warm.slices.peek(key, version)
			if got == nil {
				t.Fatalf("%+v not warmed", key)
			}
			want, err := cold.loadSlice(ctx, m.ID, syn)
			if err != nil {
				t.Fatal(err)
			}
			sameSlice(t, key, got, want)
			if syn {
				for _, by := range got.cells {
					for _, o := range by {
						if o.Status == warehouse.StatusSynthetic {
							synthetic++
						}
					}
				}
			}
		}
	}
	if synthetic < 50000 {
		t.Fatalf("%d synthetic cells warmed; scale S has ~79k", synthetic)
	}
	// A second warm-up finds everything cached and reads nothing.
	cs := &testenv.Counting{Store: st}
	again := New(cs, nil)
	if err := again.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	again.slices = warm.slices // after Refresh, which drops the slices of an older catalogue
	before := cs.Calls.Load()
	if err := again.Warm(ctx); err != nil || cs.Calls.Load() != before {
		t.Fatalf("second warm-up: %v, %d queries", err, cs.Calls.Load()-before)
	}
}

// Warming more than the cache holds never evicts: published slices come first, then
// synthetic ones while they fit, and the stop is logged.
func TestWarmStopsWhenTheCacheIsFull(t *testing.T) {
	ctx := context.Background()
	st := loadScaleS(t)
	var logs bytes.Buffer
	full := New(st, nil)
	if err := full.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if err := full.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	total, published := full.slices.loaded.Bytes(), 0
	for _, m := range full.Catalog().Metrics {
		published += full.slices.peek(sliceKey{m.ID, false}, full.Catalog().Version).bytes
	}
	for _, budget := range []int{published + (total-published)/3, published / 2} {
		svc := New(st, slog.New(slog.NewTextHandler(&logs, nil)))
		svc.SetSliceCacheBytes(budget)
		if err := svc.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		logs.Reset()
		if err := svc.Warm(ctx); err != nil {
			t.Fatal(err)
		}
		c := svc.slices
		if c.loaded.Bytes() > budget || !strings.Contains(logs.String(), "metric cache full") {
			t.Fatalf("budget %d: %d bytes held; log %q", budget, c.loaded.Bytes(), logs.String())
		}
		version := svc.Catalog().Version
		var pub, syn int
		for _, m := range svc.Catalog().Metrics {
			if sl := c.peek(sliceKey{m.ID, false}, version); sl != nil {
				pub++
				sameSlice(t, sl.key, sl, full.slices.peek(sl.key, version))
			}
			if sl := c.peek(sliceKey{m.ID, true}, version); sl != nil {
				syn++
				sameSlice(t, sl.key, sl, full.slices.peek(sl.key, version))
			}
		}
		n := len(svc.Catalog().Metrics)
		if budget > published && (pub != n || syn == 0 || syn == n) || budget < published && (pub == 0 || pub == n || syn != 0) {
			t.Fatalf("budget %d (published %d, all %d): %d published and %d synthetic slices of %d metrics", budget, published, total, pub, syn, n)
		}
		if c.loaded.Len() != pub+syn {
			t.Fatalf("%d slices held, %d counted", c.loaded.Len(), pub+syn)
		}
	}
}

// gated holds Cells until released and counts Observations calls.
type gated struct {
	warehouse.Store
	started, release chan struct{}
	once             sync.Once
	queries          atomic.Int64
}

func (g *gated) Cells(ctx context.Context, q warehouse.CellQuery, each func(string, []warehouse.Observation) error) error {
	g.once.Do(func() { close(g.started) })
	<-g.release
	return g.Store.(warehouse.CellReader).Cells(ctx, q, each)
}

func (g *gated) Observations(ctx context.Context, f warehouse.ObservationFilter) ([]warehouse.Observation, error) {
	g.queries.Add(1)
	return g.Store.Observations(ctx, f)
}

// A request for a slice the warm-up is reading waits for it instead of querying again.
func TestRequestDuringWarmUpWaitsForIt(t *testing.T) {
	ctx := context.Background()
	g := &gated{Store: loadScaleS(t), started: make(chan struct{}), release: make(chan struct{})}
	svc := New(g, nil)
	if err := svc.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- svc.Warm(ctx) }()
	<-g.started
	m := svc.Catalog().Metrics[0].ID
	got := make(chan *slice)
	go func() {
		sl, err := svc.metricSlice(ctx, m, false)
		if err != nil {
			t.Error(err)
		}
		got <- sl
	}()
	time.Sleep(50 * time.Millisecond)
	close(g.release)
	sl := <-got
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := g.queries.Load(); n != 0 || sl == nil || sl != svc.slices.peek(sliceKey{m, false}, svc.Catalog().Version) {
		t.Fatalf("%d queries besides the warm-up's; slice %p", n, sl)
	}
}
