package service

import (
	"context"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
)

// Conflicting figures as compare shows them: the preferred one by the declared rule
// (status, then issuer kind, then date, then exactness, then priority), the cell flagged
// contested only on a true tie, and what a year is compared on when a year and a term both
// start in it.
func TestComparePrefersByTheRuleAndFlagsTrueTies(t *testing.T) {
	svc, _ := newFake(t,
		// An official document over a press article.
		fromSource(ob("VN63-01", "share", "2020", 10), "press-new"), fromSource(ob("VN63-01", "share", "2020", 12), "off-1"),
		// Two undated press articles: a true tie; the source ID only makes the pick repeatable.
		fromSource(ob("VN63-02", "share", "2020", 21), "press-undated-b"), fromSource(ob("VN63-02", "share", "2020", 20), "press-undated-a"),
		// Published from the press over provisional from an official source.
		withStatus(fromSource(ob("VN63-04", "share", "2020", 30), "off-1"), warehouse.StatusProvisional), fromSource(ob("VN63-04", "share", "2020", 25), "press-old"),
		// A year and a term starting in it, both exact: the year.
		ob("VN63-31", "share", "2020", 14), ob("VN63-31", "share", "term:2020-2025", 16),
		// A bound for the year, an exact term: the exact term.
		withQual(ob("VN63-33", "share", "2020", 20), warehouse.QualUpperBound), ob("VN63-33", "share", "term:2020-2025", 18),
		// 2021: a provisional year and a published term starting in it: the published term.
		withStatus(ob("VN63-01", "share", "2021", 5), warehouse.StatusProvisional), ob("VN63-01", "share", "term:2021-2026", 7),
		// Two terms starting in 2021 from the press and an official source: the official one.
		fromSource(ob("VN63-02", "share", "term:2021-2025", 8), "press-new"), fromSource(ob("VN63-02", "share", "term:2021-2026", 9), "off-1"),
	)
	c, err := svc.Compare(context.Background(), CompareArgs{Metric: "share", Year: 2020, Map: warehouse.VN63})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct {
		id, period, source string
		value              float64
		contested          bool
	}{
		{"VN63-01", "2020", "off-1", 12, false},
		{"VN63-02", "2020", "press-undated-a", 20, true},
		{"VN63-04", "2020", "press-old", 25, false},
		{"VN63-31", "2020", "seed-1", 14, false},
		{"VN63-33", "term:2020-2025", "seed-1", 18, false},
	} {
		r := rowOf(t, c, w.id)
		o := r.Observation()
		if o == nil || !near(r.Value(), w.value) || o.Period.Label != w.period || o.SourceID != w.source || r.Contested() != w.contested || o.Source() == nil {
			t.Errorf("%s: %v from %v contested %v, want %v (%s) from %s contested %v", w.id, deref(r.Value()), o, r.Contested(), w.value, w.period, w.source, w.contested)
		}
	}
	c, err = svc.Compare(context.Background(), CompareArgs{Metric: "share", Year: 2021, Map: warehouse.VN63})
	if err != nil {
		t.Fatal(err)
	}
	if r := rowOf(t, c, "VN63-01"); !near(r.Value(), 7) || r.Observation().Period.Label != "term:2021-2026" {
		t.Errorf("2021, VN63-01: %v, want the published term's 7", deref(r.Value()))
	}
	if r := rowOf(t, c, "VN63-02"); !near(r.Value(), 9) || r.Observation().SourceID != "off-1" {
		t.Errorf("2021, VN63-02: %v, want the official term's 9", deref(r.Value()))
	}
	// Alternatives are listed best first by the same rule.
	a, b, p := fromSource(ob("X", "share", "2020", 1), "press-new"), fromSource(ob("X", "share", "2020", 2), "user-1"), fromSource(ob("X", "share", "2020", 3), "seed-1")
	alts := []*warehouse.Observation{&a, &b, &p}
	svc.Order(alts)
	if alts[0].SourceID != "seed-1" || alts[1].SourceID != "user-1" || alts[2].SourceID != "press-new" {
		t.Errorf("order %s, %s, %s; want seed, user-loaded, press", alts[0].SourceID, alts[1].SourceID, alts[2].SourceID)
	}
}

// A group's own published figure that is contested says so, as a province's does.
func TestContestedGroupFigure(t *testing.T) {
	svc, _ := newFake(t,
		fromSource(ob("VN", "count", "2020", 100), "press-undated-a"), fromSource(ob("VN", "count", "2020", 101), "press-undated-b"),
	)
	c, err := svc.Compare(context.Background(), CompareArgs{Metric: "count", Year: 2020, Map: warehouse.VN63})
	if err != nil {
		t.Fatal(err)
	}
	if !c.National.Fig.Contested || !near(c.National.Fig.Value, 100) {
		t.Errorf("national %v contested %v", deref(c.National.Fig.Value), c.National.Fig.Contested)
	}
}

// Lists the API declares non-null are empty, not null, for a figure with no units.
func TestEmptyFigureListsAreNotNull(t *testing.T) {
	var v Value
	if v.Combined() == nil || len(v.Combined()) != 0 || v.MissingUnits() == nil || len(v.MissingUnits()) != 0 || v.Period() != nil || v.Status() != nil {
		t.Fatal("an empty figure's lists must be empty and its period and status null")
	}
}
