package service

import (
	"context"
	"fmt"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
)

// The on-track rule (see OnTrack) on hand-made figures; every rate is computed by hand.
func TestOnTrackVerdicts(t *testing.T) {
	share := &warehouse.Metric{ID: "share", Kind: warehouse.MetricShare, Better: "HIGHER"}
	vac := &warehouse.Metric{ID: "vacancies", Kind: warehouse.MetricCount, Better: "LOWER"}
	floor20 := &warehouse.Target{Lower: f(20), LowerInclusive: true, Deadline: 2030}
	floor15by2020 := &warehouse.Target{Lower: f(15), LowerInclusive: true, Deadline: 2020}
	ceil5 := &warehouse.Target{Upper: f(5), UpperInclusive: true, Deadline: 2025}
	pt := func(m *warehouse.Metric, y int, v float64, q warehouse.Qualifier) Point {
		o := withQual(ob("X", m.ID, fmt.Sprint(y), v), q)
		return Point{Year: y, Period: o.Period, Fig: single(&o, "X", "")}
	}
	ex := func(y int, v float64) Point { return pt(share, y, v, warehouse.QualExact) }
	for _, c := range []struct {
		name    string
		m       *warehouse.Metric
		t       *warehouse.Target
		pts     []Point
		verdict Verdict
		need    string // RateNeeded, "-" when none
		obs     string // RateObserved
		since   int
	}{
		// (20−14)/9 = 0.666667 needed; (14−10)/5 = 0.8 observed.
		{"rising fast enough", share, floor20, []Point{ex(2016, 10), ex(2021, 14)}, VerdictOnTrack, "{0.666667 0.666667}", "{0.8 0.8}", 0},
		// (20−11)/9 = 1 needed; 0.2 observed.
		{"rising too slowly", share, floor20, []Point{ex(2016, 10), ex(2021, 11)}, VerdictOffTrack, "{1 1}", "{0.2 0.2}", 0},
		// Met at 2021 and 2026 after a dip in 2016: since 2021, not since the first point.
		{"met since the last dip", share, floor20, []Point{ex(2011, 21), ex(2016, 19), ex(2021, 22), ex(2026, 25)}, VerdictMet, "-", "-", 2021},
		// "<10" is below 20 whatever it is, but one figure has no rate: need (20−10)/9 .. 20/9.
		{"one bound", share, floor20, []Point{pt(share, 2021, 10, warehouse.QualUpperBound)}, VerdictUnknown, "{1.111111 2.222222}", "-", 0},
		// From "<8" ([0, 8]) to 12: (12−8)/5 = 0.8 .. 12/5 = 2.4 observed, (20−12)/9 = 0.888889
		// needed: some observed rates are enough, some not.
		{"bound leaves it open", share, floor20, []Point{pt(share, 2016, 8, warehouse.QualUpperBound), ex(2021, 12)}, VerdictUnknown, "{0.888889 0.888889}", "{0.8 2.4}", 0},
		// From "<5": at least (12−5)/5 = 1.4 a year, more than needed.
		{"bound still decides", share, floor20, []Point{pt(share, 2016, 5, warehouse.QualUpperBound), ex(2021, 12)}, VerdictOnTrack, "{0.888889 0.888889}", "{1.4 2.4}", 0},
		// ">12" ([12, 100]) may or may not meet 20: undecided, whatever the rate.
		{"latest bound across the target", share, floor20, []Point{ex(2016, 10), pt(share, 2021, 12, warehouse.QualLowerBound)}, VerdictUnknown, "-", "-", 0},
		// The 2020 deadline's own figure is below: missed.
		{"deadline passed", share, floor15by2020, []Point{ex(2015, 10), ex(2020, 12)}, VerdictOffTrack, "-", "-", 0},
		// A ceiling: 11 → 9 over two years is −1 a year; (5−9)/4 = −1 needed.
		{"falling to a ceiling", vac, ceil5, []Point{pt(vac, 2019, 11, warehouse.QualExact), pt(vac, 2021, 9, warehouse.QualExact)}, VerdictOnTrack, "{-1 -1}", "{-1 -1}", 0},
		{"falling too slowly", vac, ceil5, []Point{pt(vac, 2019, 10, warehouse.QualExact), pt(vac, 2021, 9, warehouse.QualExact)}, VerdictOffTrack, "{-1 -1}", "{-0.5 -0.5}", 0},
		{"no target", share, nil, []Point{ex(2016, 10), ex(2021, 14)}, VerdictUnknown, "-", "-", 0},
	} {
		ot := onTrack(c.m, c.t, c.pts, true)
		rate := func(r *Rate) string {
			if r == nil {
				return "-"
			}
			return fmt.Sprint(*r)
		}
		since := 0
		if ot.MetSince != nil {
			since = *ot.MetSince
		}
		if ot.Verdict != c.verdict || rate(ot.RateNeeded) != c.need || rate(ot.RateObserved) != c.obs || since != c.since {
			t.Errorf("%s: %s need %s observed %s since %d (%s)\nwant %s need %s observed %s since %d", c.name, ot.Verdict, rate(ot.RateNeeded), rate(ot.RateObserved), since, ot.Reason, c.verdict, c.need, c.obs, c.since)
		}
		if ot.Reason == "" {
			t.Errorf("%s: no reason given", c.name)
		}
	}
	// At the level of a target that judges a later period: on track, not met.
	ot := onTrack(share, floor20, []Point{ex(2016, 21), ex(2021, 22)}, false)
	if ot.Verdict != VerdictOnTrack || ot.MetSince == nil || *ot.MetSince != 2016 {
		t.Errorf("level reached before the period judged: %s since %v (%s)", ot.Verdict, ival(ot.MetSince), ot.Reason)
	}
}

// Trend answers on-track over the service: bounds join the judgement (they are left out of
// the fitted line only), the 2030 target judges a line whose latest figure no target judges,
// and a series met since its first point says so instead of "already met in <last year>".
func TestTrendOnTrackAndMetSince(t *testing.T) {
	svc := scopedFake(t, []string{"t-hn-2025", "t-cluster5"},
		ob("VN63-02", "share", "term:2015-2020", 9), withQual(ob("VN63-02", "share", "term:2020-2025", 12), warehouse.QualLowerBound),
		ob("VN63-04", "share", "2010", 21), ob("VN63-04", "share", "2015", 22), ob("VN63-04", "share", "2020", 25),
	)
	ctx := context.Background()
	tr, err := svc.Trend(ctx, TrendArgs{Metric: "share", Unit: "VN63-02", From: 2010, To: 2024, Kind: warehouse.PeriodTerm})
	if err != nil {
		t.Fatal(err)
	}
	// ">12" for the 2020–2025 term is judged by that term's 15 % (deadline 2020 here): it may
	// or may not be met, so the verdict is UNKNOWN, with one fitted point.
	if ot := tr.OnTrack; ot == nil || ot.Verdict != VerdictUnknown || ot.Target == nil || ot.Target.ID != "t-nat-2025" || ot.Status != TargetUnknown {
		t.Errorf("VN63-02: %+v", tr.OnTrack)
	}
	tr, err = svc.Trend(ctx, TrendArgs{Metric: "share", Unit: "VN63-04", From: 2010, To: 2024})
	if err != nil {
		t.Fatal(err)
	}
	if tr.ProjectedYearMet == nil || *tr.ProjectedYearMet != 2010 || tr.Why[:len("already met: every fitted point since 2010")] != "already met: every fitted point since 2010" {
		t.Errorf("projected %v why %q, want met since 2010", ival(tr.ProjectedYearMet), tr.Why)
	}
	if ot := tr.OnTrack; ot.Verdict != VerdictMet || ot.MetSince == nil || *ot.MetSince != 2010 {
		t.Errorf("VN63-04 on track %+v", ot)
	}
}

// A contested figure is judged over every value disputing it: 16 disputed by a level 14
// against "≥ 15" (2020) is UNKNOWN with no gap; 18 disputed by 17 is MET, still without a
// single gap.
func TestContestedFigureAgainstATarget(t *testing.T) {
	a := fromSource(ob("VN63-33", "share", "2020", 16), "press-undated-a")
	b := fromSource(ob("VN63-33", "share", "2020", 14), "press-undated-b")
	c := fromSource(ob("VN63-02", "share", "2020", 18), "press-undated-a")
	d := fromSource(ob("VN63-02", "share", "2020", 17), "press-undated-b")
	svc, _ := newFake(t, a, b, c, d, ob("VN63-04", "share", "2020", 12))
	cmp, err := svc.Compare(context.Background(), CompareArgs{Metric: "share", Year: 2020, Map: warehouse.VN63})
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]TargetStatus{"VN63-33": TargetUnknown, "VN63-02": TargetMet} {
		r := rowOf(t, cmp, id)
		if !r.Fig.Contested || r.Status != want || r.Gap != nil || r.Target == nil || r.Target.ID != "t-nat-2025" {
			t.Errorf("%s: contested %v status %s gap %v target %v, want %s without a gap", id, r.Fig.Contested, r.Status, r.Gap, r.Target, want)
		}
	}
	if r := rowOf(t, cmp, "VN63-04"); r.Status != TargetBelow || !near(r.Gap, -3) {
		t.Errorf("VN63-04: %s gap %v", r.Status, r.Gap)
	}
}
