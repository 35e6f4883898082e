package server_test

import (
	"sync/atomic"
	"testing"

	"github.com/cadrestat/cadrestat/data"
)

// Loading data the warehouse already holds changes no row, so it leaves the data version
// alone: no change hook runs and the response cache keeps serving.
func TestReloadThatChangesNothingKeepsTheCache(t *testing.T) {
	ts, svc := newServer(t)
	var changes atomic.Int64
	svc.OnChange(func(uint64) { changes.Add(1) })
	q := `{ provinces(map: VN34) { id name } }`
	get(t, ts, q, nil)
	if r, _ := get(t, ts, q, nil); r.Header.Get("X-Cache") != "HIT" {
		t.Fatalf("second GET: X-Cache %q", r.Header.Get("X-Cache"))
	}
	before := svc.Catalog().Version
	rep, err := svc.Load(t.Context(), data.Files())
	if err != nil || !rep.OK() {
		t.Fatalf("reload: %v %+v", err, rep)
	}
	if rep.Changed != 0 || rep.DataVersion != before || svc.Catalog().Version != before {
		t.Fatalf("reload of the bundle: changed %d, version %d -> %d (catalogue %d)", rep.Changed, before, rep.DataVersion, svc.Catalog().Version)
	}
	if n := changes.Load(); n != 0 {
		t.Fatalf("%d change hooks ran after a load that changed nothing", n)
	}
	if r, _ := get(t, ts, q, nil); r.Header.Get("X-Cache") != "HIT" {
		t.Fatalf("after a reload that changed nothing: X-Cache %q, want HIT", r.Header.Get("X-Cache"))
	}
}
