package service

import (
	"context"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
)

// A metric's figures are read from the warehouse once per data version (with and without
// synthetic rows apart), whatever asks for them; a load (a new data version) runs the
// change hooks and the next request reads the new figures; warming reads everything up
// front so no request waits.
func TestFiguresAreReadOncePerDataVersion(t *testing.T) {
	svc, fs := newFake(t, ob("VN63-01", "share", "2020", 30))
	ctx := context.Background()
	var seen []uint64
	svc.OnChange(func(v uint64) { seen = append(seen, v) })
	cmp := func(syn bool) *Comparison {
		t.Helper()
		c, err := svc.Compare(ctx, CompareArgs{Metric: "share", Year: 2020, Map: warehouse.VN63, IncludeSynthetic: syn})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	queries := func() int64 { return fs.queries.Swap(0) }
	cmp(false)
	cmp(false)
	if _, err := svc.Series(ctx, SeriesArgs{Metric: "share", Provinces: []string{"VN63-01"}, From: 2015, To: 2020, Map: warehouse.VN63}); err != nil {
		t.Fatal(err)
	}
	if q := queries(); q != 1 {
		t.Errorf("two comparisons and a series: %d queries, want 1", q)
	}
	cmp(true) // published rows, then one synthetic row per cell
	cmp(true)
	if q := queries(); q != 2 {
		t.Errorf("with synthetic rows: %d queries, want 2", q)
	}
	// The same version again: nothing is reloaded, no hook runs.
	if err := svc.Refresh(ctx); err != nil || len(seen) != 0 {
		t.Fatalf("refresh at the same version: %v, hooks %v", err, seen)
	}
	cmp(false)
	if q := queries(); q != 0 {
		t.Errorf("after a refresh at the same version: %d queries, want 0", q)
	}
	// A load: version 2 with a new figure.
	fs.obs = append(fs.obs, ob("VN63-02", "share", "2020", 40))
	fs.version = 2
	if err := svc.Refresh(ctx); err != nil || len(seen) != 1 || seen[0] != 2 || svc.Catalog().Version != 2 {
		t.Fatalf("refresh after a load: %v, hooks %v", err, seen)
	}
	if c := cmp(false); !near(rowOf(t, c, "VN63-02").Value(), 40) || queries() != 1 {
		t.Errorf("the new figure is not served after the load")
	}
	// Warming reads every metric's two slices; then nothing waits for the warehouse.
	fs.version = 3
	if err := svc.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	queries()
	if err := svc.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	// This store is no CellReader: the published pass reads each metric's real rows, the
	// synthetic pass its real rows and synthetic ones again (warehouse.ReadCells).
	if q := queries(); q != 4*3 {
		t.Errorf("warming 4 metrics: %d queries, want 12", q)
	}
	cmp(true)
	if _, err := svc.Trend(ctx, TrendArgs{Metric: "count", Unit: "VN", From: 2015, To: 2020}); err != nil {
		t.Fatal(err)
	}
	if q := queries(); q != 0 {
		t.Errorf("after warming: %d queries, want 0", q)
	}
}

// Before the first refresh the service has an empty catalogue: requests are answered with
// NOT_FOUND, not a crash.
func TestBeforeTheFirstRefresh(t *testing.T) {
	svc := New(&fakeStore{cat: testCatalog()}, nil)
	if c := svc.Catalog(); c == nil || len(c.Provinces) != 0 {
		t.Fatalf("catalogue before refresh: %+v", c)
	}
	_, err := svc.Compare(context.Background(), CompareArgs{Metric: "share", Year: 2020, Map: warehouse.VN63})
	if warehouse.KindOf(err) != warehouse.ErrNotFound {
		t.Fatalf("compare before refresh: %v", err)
	}
}
