package service

import (
	"context"
	"fmt"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
)

// A metric where lower is better has a ceiling as its target ("≤ 5 vacancies"): a reader
// relies on MET, ABOVE or UNKNOWN being decided from the whole interval of a bound, and on
// the gap being positive on the right side of the target.
func TestAttainmentOfACeiling(t *testing.T) {
	vac := &warehouse.Metric{ID: "vacancies", Kind: warehouse.MetricCount, Better: "LOWER", Aggregation: "SUM"}
	atMost5 := &warehouse.Target{Upper: f(5), UpperInclusive: true}
	under5 := &warehouse.Target{Upper: f(5)}
	for _, c := range []struct {
		t      *warehouse.Target
		v      *Value
		status TargetStatus
		gap    *float64
	}{
		{atMost5, fig(3, "EXACT"), TargetMet, f(2)},
		{atMost5, fig(5, "EXACT"), TargetMet, f(0)},
		{atMost5, fig(7, "EXACT"), TargetAbove, f(-2)},
		{atMost5, fig(4, "UPPER_BOUND"), TargetMet, nil},     // "<4" is 0–4: all of it at most 5
		{atMost5, fig(4, "LOWER_BOUND"), TargetUnknown, nil}, // ">4" is 4–∞ for a count
		{atMost5, fig(6, "LOWER_BOUND"), TargetAbove, nil},   // ">6" is 6–∞
		{atMost5, fig(5, "APPROXIMATE"), TargetUnknown, nil}, // "≈5" is 4.5–5.5
		{under5, fig(5, "EXACT"), TargetAbove, f(0)},         // 5 is not under 5
		{under5, fig(4.5, "EXACT"), TargetMet, f(0.5)},
	} {
		gap, st := attainment(vac, c.t, c.v)
		if st != c.status || fmt.Sprint(deref(gap)) != fmt.Sprint(deref(c.gap)) {
			t.Errorf("%q against %s: %s gap %v, want %s gap %v", c.v.Display(), c.t.Label(), st, deref(gap), c.status, deref(c.gap))
		}
	}
}

// The target that applies to a row: the unit's own (or its group's) before the national
// one; the nearest deadline not before the year; past every deadline, the latest.
func TestTargetThatApplies(t *testing.T) {
	svc, _ := newFake(t)
	for _, c := range []struct {
		scope string
		year  int
		want  string
	}{
		{"VN63-02", 2024, "t-nat-2025"},
		{"VN63-02", 2025, "t-nat-2025"},
		{"VN63-02", 2026, "t-nat-2030"},
		{"VN63-02", 2031, "t-nat-2030"},
		{"VN63-01", 2024, "t-hn-2025"},
		{"VN63-01", 2028, "t-hn-2025"}, // its own target, though past its deadline
		{"cluster5", 2020, "t-cluster5"},
		{"VN", 2020, "t-nat-2025"},
	} {
		got := svc.targetFor("share", c.scope, yearPeriod(c.year)).Target
		if got == nil || got.ID != c.want {
			t.Errorf("%s in %d: %v, want %s", c.scope, c.year, got, c.want)
		}
	}
	if got := svc.targetFor("count", "VN63-01", yearPeriod(2020)); got.Target != nil || got.Considered != nil {
		t.Errorf("a metric without targets: %+v", got)
	}
	// Labels carry the metric's unit.
	cat := svc.Catalog()
	for id, want := range map[string]string{"t-nat-2025": "≥ 15 %", "t-vac": "≤ 5 positions"} {
		for _, tg := range cat.Targets {
			if tg.ID == id {
				if got := svc.TargetLabel(&tg); got != want {
					t.Errorf("%s: label %q, want %q", id, got, want)
				}
			}
		}
	}
	if got := svc.TargetLabel(&warehouse.Target{MetricID: "rate", Lower: f(1), LowerInclusive: true}); got != "≥ 1" {
		t.Errorf("a metric without a unit: %q", got)
	}
}

// targetAttainment as a reader of the dashboard relies on: every shown unit counted once by
// its status against the target that applies to it, the nation against the national target,
// and each group with a target of its own decided against it.
func TestTargetAttainmentCountsAndScopes(t *testing.T) {
	svc, _ := newFake(t,
		ob("VN63-01", "share", "2024", 28),                                     // own target ≥ 30: BELOW by 2
		ob("VN63-02", "share", "2024", 16),                                     // national ≥ 15: MET by 1
		withQual(ob("VN63-04", "share", "2024", 10), warehouse.QualUpperBound), // "<10": BELOW
		withQual(ob("VN63-31", "share", "2024", 20), warehouse.QualUpperBound), // "<20" (0–20): UNKNOWN
		ob("VN", "share", "2024", 17.5), ob("cluster5", "share", "2024", 24),   // VN63-33: no figure
	)
	a, err := svc.TargetAttainment(context.Background(), CompareArgs{Metric: "share", Year: 2024, Map: warehouse.VN63})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(a.Met, a.Below, a.Above, a.Unknown, a.NoData); got != "1 2 0 1 1" {
		t.Errorf("met below above unknown noData = %s, want 1 2 0 1 1", got)
	}
	rows := ""
	for _, r := range a.Rows {
		rows += fmt.Sprintf("%s:%s:%v:%s ", r.Province.ID, r.TargetStatus(), deref(r.GapToTarget()), r.Target.ID)
	}
	// In rank order: 28 (1), 16 (2–3), "<20" (2–4), "<10" (3–4), then the unit without a figure.
	want := "VN63-01:BELOW:-2:t-hn-2025 VN63-02:MET:1:t-nat-2025 VN63-31:UNKNOWN:<nil>:t-nat-2025 VN63-04:BELOW:<nil>:t-nat-2025 VN63-33:NO_DATA:<nil>:t-nat-2025 "
	if rows != want {
		t.Errorf("rows %s\nwant %s", rows, want)
	}
	if a.Target.ID != "t-nat-2025" {
		t.Errorf("target %s", a.Target.ID)
	}
	// The nation's own 17.5 against ≥ 15: MET by 2.5.
	if n := a.National; n.Unit.ID != "VN" || n.TargetStatus() != TargetMet || !near(n.GapToTarget(), 2.5) || !near(n.Figure().Value, 17.5) || n.Target.ID != "t-nat-2025" {
		t.Errorf("national %+v", n)
	}
	// Cluster 5's own 24 against its ≥ 25: BELOW by 1. The regions have no target: not listed.
	if len(a.Groups) != 1 || a.Groups[0].Unit.ID != "cluster5" || a.Groups[0].Status != TargetBelow || !near(a.Groups[0].Gap, -1) || a.Groups[0].Target.ID != "t-cluster5" {
		t.Errorf("groups %+v", a.Groups)
	}
	// A metric without targets: every row NO_TARGET, none counted, no national target.
	a, err = svc.TargetAttainment(context.Background(), CompareArgs{Metric: "count", Year: 2024, Map: warehouse.VN63})
	if err != nil || a.Met+a.Below+a.Above+a.Unknown+a.NoData != 0 || a.National.Status != NoTarget || a.Rows[0].Status != NoTarget {
		t.Errorf("without targets: %v %+v", err, a)
	}
}
