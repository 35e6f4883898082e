package service

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
)

// projectedYearMet tells a reader the first year the fitted line meets the target. Lines
// are given by their value in 2020 (the last year fitted) and their slope.
func TestProjectYear(t *testing.T) {
	atLeast15 := &warehouse.Target{Lower: f(15), LowerInclusive: true}
	over35 := &warehouse.Target{Lower: f(35)}
	atMost5 := &warehouse.Target{Upper: f(5), UpperInclusive: true}
	under5 := &warehouse.Target{Upper: f(5)}
	band := &warehouse.Target{Lower: f(20), Upper: f(25), LowerInclusive: true, UpperInclusive: true}
	openBand := &warehouse.Target{Lower: f(20), Upper: f(25), UpperInclusive: true} // more than 20, at most 25
	for _, c := range []struct {
		name        string
		t           *warehouse.Target
		at2020      float64 // the line's value in 2020
		slope, last float64
		want        any
		why         string
	}{
		{"no target", nil, 10, 1, 10, nil, "no target for this metric and province"},
		{"already met", atLeast15, 16, 1, 16, 2020, "already met in 2020"},
		{"rising to a floor", atLeast15, 10, 1, 10, 2025, "the least-squares line reaches 15 in 2025"},
		{"between years: the year after", atLeast15, 10, 2, 10, 2023, "the least-squares line reaches 15 in 2023"}, // 15 in 2022.5
		{"falling away from a floor", atLeast15, 10, -1, 10, nil, "the trend does not rise towards the target"},
		{"flat below a floor", atLeast15, 10, 0, 10, nil, "the trend does not rise towards the target"},
		{"falling to a ceiling", atMost5, 8, -1, 8, 2023, "the least-squares line reaches 5 in 2023"},
		{"rising away from a ceiling", atMost5, 8, 0.5, 8, nil, "the trend does not fall towards the target"},
		{"above a band", band, 27, -1, 27, 2022, "the least-squares line reaches 25 in 2022"},
		{"below a band", band, 18, 1, 18, 2022, "the least-squares line reaches 20 in 2022"},
		// The last figure (14) is short, but the line is already past 15 in 2020 (16): the
		// first year after the last figure.
		{"line already past", atLeast15, 16, 0.5, 14, 2021, "the least-squares line reaches 15 in 2021"},
		{"too slow", atLeast15, 10, 0.01, 10, nil, "not before 2100 at this slope"},
		// An exclusive bound is met only beyond it: 35 in 2025 is not over 35; 36 in 2026 is.
		{"over 35", over35, 30, 1, 30, 2026, "the least-squares line passes 35 in 2026"},
		{"last exactly 35 is not over 35", over35, 35, 1, 35, 2021, "the least-squares line passes 35 in 2021"},
		// Exactly 20 is short of "more than 20": the line must rise past 20, not fall to 25.
		{"at the open floor of a band", openBand, 20, 1, 20, 2021, "the least-squares line passes 20 in 2021"},
		{"under 5", under5, 8, -1, 8, 2024, "the least-squares line passes 5 in 2024"},
		{"under 5, between years", under5, 8, -2, 8, 2022, "the least-squares line reaches 5 in 2022"}, // 5 in 2021.5
	} {
		t.Run(c.name, func(t *testing.T) {
			y, why := projectYear(c.t, c.slope, c.at2020-c.slope*2020, c.last, 2020)
			if fmt.Sprint(ival(y)) != fmt.Sprint(c.want) || why != c.why {
				t.Errorf("%v (%s), want %v (%s)", ival(y), why, c.want, c.why)
			}
		})
	}
}

func pointLine(pts []Point) string {
	s := ""
	for _, p := range pts {
		s += fmt.Sprintf("%d:%s=%v ", p.Year, p.Period.Label, deref(p.Value()))
	}
	return s
}

// A series shows only periods with a figure (a gap stays a gap, never a zero), keeps each
// period's kind (a term at its start year, ranges and dates as points of their own within
// the span), combines VN34 predecessors before 2025, and keeps a combination refused
// because of a bound as a point with no value and the reason.
func TestSeriesGapsAndPeriodKinds(t *testing.T) {
	svc, fs := newFake(t,
		ob("VN63-01", "share", "range:2015-2019", 13), ob("VN63-01", "share", "2018", 10), ob("VN63-01", "share", "2020", 12),
		ob("VN63-01", "share", "term:2021-2026", 14), ob("VN63-01", "share", "asof:2022-06-30", 15), ob("VN63-01", "share", "range:2014-2016", 9),
		ratio("VN63-02", "2023", 19, 77), withQual(ob("VN63-04", "share", "2023", 10), warehouse.QualUpperBound),
		ratio("VN63-02", "2022", 10, 100), ratio("VN63-04", "2022", 30, 100),
		withQual(ob("VN63-02", "share", "2024", 10), warehouse.QualUpperBound), withQual(ob("VN63-04", "share", "2024", 10), warehouse.QualUpperBound),
		ob("VN34-08", "share", "2025", 25),
	)
	ctx := context.Background()
	ser, err := svc.Series(ctx, SeriesArgs{Metric: "share", Provinces: []string{"VN63-01", "Hà Giang"}, From: 2015, To: 2022, Map: warehouse.VN63})
	if err != nil {
		t.Fatal(err)
	}
	// 2016, 2017 and 2019 are gaps; range:2014-2016 starts before the span.
	want := "2015:range:2015-2019=13 2018:2018=10 2020:2020=12 2021:term:2021-2026=14 2022:asof:2022-06-30=15 "
	if len(ser) != 2 || pointLine(ser[0].Points) != want || ser[1].Province.ID != "VN63-02" || pointLine(ser[1].Points) != "2022:2022=10 " {
		t.Fatalf("series %s\nwant   %s", pointLine(ser[0].Points), want)
	}
	if k := ser[0].Points[3].Period.Kind; k != "TERM" {
		t.Errorf("a term is a %s point", k)
	}
	if queries := fs.queries.Load(); queries != 1 {
		t.Errorf("%d warehouse queries for two units; want 1", queries)
	}
	// Tuyên Quang on VN34: 2021 is a gap; 2022 combines its predecessors, (10+30)/(100+100)
	// = 20 %; 2023 is a point without a value because Cao Bằng's figure is a bound, and so is
	// 2024 where both are bounds; from 2025 it is its own figure.
	ser, err = svc.Series(ctx, SeriesArgs{Metric: "share", Provinces: []string{"VN34-08"}, From: 2021, To: 2025, Map: warehouse.VN34})
	if err != nil {
		t.Fatal(err)
	}
	pts := ser[0].Points
	if got := pointLine(pts); got != "2022:2022=20 2023:2023=<nil> 2024:2024=<nil> 2025:2025=25 " {
		t.Fatalf("VN34-08: %s", got)
	}
	if pts[2].Fig.Reason != "2 of 2 units lack an exact value with numerator and denominator" || pts[2].Period.Label != "2024" {
		t.Errorf("2024: %q %+v", pts[2].Fig.Reason, pts[2].Period)
	}
	if pts[1].Fig.Reason != "1 of 2 units lack an exact value with numerator and denominator" || strings.Join(pts[1].Fig.Missing, ",") != "VN63-04" {
		t.Errorf("2023: %q missing %v", pts[1].Fig.Reason, pts[1].Fig.Missing)
	}
	if pts[0].Figure().Status() == nil || pts[0].Observation() != nil || pts[3].Observation() == nil {
		t.Errorf("a combined point has parts and no single observation; a unit's own point has its observation")
	}
}

// The nation's series crosses the map change: before 2025 it combines the VN63 units,
// from 2025 the VN34 ones (the total is the same on both maps).
func TestNationalSeriesCrossesTheMapChange(t *testing.T) {
	var obs []warehouse.Observation
	for i, id := range []string{"VN63-01", "VN63-02", "VN63-04", "VN63-31", "VN63-33"} {
		obs = append(obs, ob(id, "count", "2024", float64(i+1))) // 1+2+3+4+5 = 15
	}
	obs = append(obs, ob("VN34-01", "count", "2025", 10), ob("VN34-08", "count", "2025", 20), ob("VN34-31", "count", "2025", 30))
	svc, _ := newFake(t, obs...)
	for _, m := range []warehouse.Map{warehouse.VN63, warehouse.VN34} {
		ser, err := svc.Series(context.Background(), SeriesArgs{Metric: "count", Provinces: []string{"VN"}, From: 2023, To: 2025, Map: m})
		if err != nil {
			t.Fatal(err)
		}
		if got := pointLine(ser[0].Points); got != "2024:2024=15 2025:2025=60 " {
			t.Errorf("on %s: %s", m, got)
		}
	}
}

// trend fits exact figures of one period kind and says what it left out and why its
// projection is what it is.
func TestTrendFitsExactFiguresOfOneKind(t *testing.T) {
	svc, _ := newFake(t,
		ob("VN63-02", "share", "2018", 10), withQual(ob("VN63-02", "share", "2019", 12), warehouse.QualUpperBound),
		ob("VN63-02", "share", "2020", 12), ob("VN63-02", "share", "2022", 14),
		ob("VN63-02", "share", "term:2021-2026", 30), ob("VN63-02", "share", "range:2015-2019", 11),
		ob("cluster5", "share", "term:2015-2020", 20), ob("cluster5", "share", "term:2020-2025", 22),
	)
	ctx := context.Background()
	tr, err := svc.Trend(ctx, TrendArgs{Metric: "share", Unit: "Hà Giang", From: 2015, To: 2022})
	if err != nil {
		t.Fatal(err)
	}
	// YEAR has three exact figures (10, 12, 14 in 2018, 2020, 2022), TERM one: YEAR is
	// fitted. Slope 1 a year; the line reaches 15 (the national ≥ 15 by 2025) in 2023.
	// Left out: the bound of 2019, the term and the range.
	if tr.Kind != "YEAR" || pointLine(tr.Points) != "2018:2018=10 2020:2020=12 2022:2022=14 " ||
		pointLine(tr.LeftOut) != "2015:range:2015-2019=11 2019:2019=12 2021:term:2021-2026=30 " {
		t.Fatalf("kind %s fitted %s left out %s", tr.Kind, pointLine(tr.Points), pointLine(tr.LeftOut))
	}
	if !near(tr.Slope, 1) || !near(tr.AbsoluteChange, 4) || !near(tr.RelativeChange, 40) || tr.FirstYear != 2018 || tr.LastYear != 2022 ||
		ival(tr.ProjectedYearMet) != 2023 || tr.Target.ID != "t-nat-2025" {
		t.Fatalf("slope %v change %v (%v %%) %d–%d met %v target %v", deref(tr.Slope), deref(tr.AbsoluteChange), deref(tr.RelativeChange),
			tr.FirstYear, tr.LastYear, ival(tr.ProjectedYearMet), tr.Target)
	}
	wantWhy := "the least-squares line reaches 15 in 2023 (fitted 3 exact YEAR figure(s); left out 1 bound(s) or approximation(s) and 2 figure(s) of other period kinds)"
	if tr.Why != wantWhy {
		t.Errorf("why %q\nwant %q", tr.Why, wantWhy)
	}
	// Terms only: one exact term, no trend, and why (the four years, the bound of 2019
	// among them, and the range are of other kinds).
	tr, err = svc.Trend(ctx, TrendArgs{Metric: "share", Unit: "VN63-02", From: 2015, To: 2022, Kind: warehouse.PeriodTerm})
	if err != nil || tr.Slope != nil || tr.ProjectedYearMet != nil ||
		tr.Why != "1 exact TERM point(s) between 2015 and 2022; a trend needs two (fitted 1 exact TERM figure(s); left out 0 bound(s) or approximation(s) and 5 figure(s) of other period kinds)" {
		t.Fatalf("terms: %v %+v", err, tr)
	}
	// A group with two terms and no yearly figure: TERM is chosen; 20 → 22 over five years
	// is 0.4 a year, and the cluster's own ≥ 25 is reached in 2020 + 3/0.4 = 2027.5, so 2028.
	tr, err = svc.Trend(ctx, TrendArgs{Metric: "share", Unit: "cluster5", From: 2010, To: 2025})
	if err != nil || tr.Kind != "TERM" || !near(tr.Slope, 0.4) || ival(tr.ProjectedYearMet) != 2028 || tr.Province.ID != "cluster5" {
		t.Fatalf("cluster: %v %+v", err, tr)
	}
	// The nation has no figure: no points, no trend.
	tr, err = svc.Trend(ctx, TrendArgs{Metric: "share", Unit: "VN", From: 2015, To: 2022})
	if err != nil || len(tr.Points) != 0 || tr.Province.ID != "VN" || tr.Target == nil {
		t.Fatalf("nation: %v %+v", err, tr)
	}
	for _, bad := range []struct{ metric, ref, kind string }{{"share", "VN63-02", "RANGE"}, {"nope", "VN63-02", ""}, {"share", "Atlantis", ""}} {
		if _, err := svc.Trend(ctx, TrendArgs{Metric: bad.metric, Unit: bad.ref, From: 2015, To: 2022, Kind: warehouse.PeriodKind(bad.kind)}); err == nil {
			t.Errorf("trend(%v) is not an error", bad)
		}
	}
	if _, err := svc.Trend(ctx, TrendArgs{Metric: "share", Unit: "VN63-02", From: 2022, To: 2015}); warehouse.KindOf(err) != warehouse.ErrInvalid {
		t.Errorf("from after to: %v", err)
	}
}

// change in compare is measured from the previous period with a figure, between exact
// figures only, rounded to six decimals; from or to a bound it is null and says why.
func TestCompareChangeFromThePreviousFigure(t *testing.T) {
	svc, _ := newFake(t,
		ob("VN63-01", "share", "2015", 20.69), ob("VN63-01", "share", "2020", 29.2),
		withQual(ob("VN63-02", "share", "2015", 10), warehouse.QualUpperBound), ob("VN63-02", "share", "2020", 12),
		ob("VN63-04", "share", "2018", 15), withQual(ob("VN63-04", "share", "2020", 30), warehouse.QualApproximate),
		ob("VN63-31", "share", "2020", 5),
		ob("VN63-01", "share", "range:2010-2014", 18), ob("VN63-01", "share", "range:2015-2019", 21), ob("VN63-01", "share", "2012", 5),
		ob("VN63-01", "share", "range:2005-2009", 16), ob("VN63-01", "share", "range:2000-2004", 15),
	)
	c, err := svc.Compare(context.Background(), CompareArgs{Metric: "share", Year: 2020, Map: warehouse.VN63})
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{
		"VN63-01": "8.51 2015 since 2015", // 29.2 − 20.69, not 8.510000000000002
		"VN63-02": "<nil> 2015 no change from a bound or approximation: the 2015 figure is <10",
		"VN63-04": "<nil> 2018 no change from a bound or approximation: this figure is ≈30",
		"VN63-31": "<nil> <nil> no earlier figure",
		"VN63-33": "<nil> <nil> no earlier figure",
	} {
		r := rowOf(t, c, id)
		if got := fmt.Sprint(deref(r.Change), " ", ival(r.PreviousYear()), " ", r.ChangeNote); got != want {
			t.Errorf("%s: %s, want %s", id, got, want)
		}
	}
	if r := rowOf(t, c, "VN63-01"); !near(r.PreviousFigure().Value, 20.69) {
		t.Errorf("previous figure %v", r.PreviousFigure())
	}
	// A year asked for as a period label is that year.
	byLabel, err := svc.Compare(context.Background(), CompareArgs{Metric: "share", Period: "2020", Map: warehouse.VN63})
	if err != nil || byLabel.Period != nil || byLabel.Year != 2020 || rankLine(byLabel.Rows, false) != rankLine(c.Rows, false) {
		t.Fatalf("period \"2020\": %v %+v", err, byLabel)
	}
	// A range is compared with the latest earlier range (not with the year 2012, which is
	// later than that range's start 2010 but of another kind).
	c, err = svc.Compare(context.Background(), CompareArgs{Metric: "share", Period: "range:2015-2019", Map: warehouse.VN63, Provinces: []string{"VN63-01"}})
	if err != nil {
		t.Fatal(err)
	}
	if r := c.Rows[0]; !near(r.Value(), 21) || !near(r.Change, 3) || r.ChangeNote != "since range:2010-2014" || c.Period.Kind != "RANGE" || c.Year != 2015 {
		t.Errorf("range: %v change %v %q period %+v", deref(r.Value()), deref(r.Change), r.ChangeNote, c.Period)
	}
}
