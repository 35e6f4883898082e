package service

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/cadrestat/cadrestat/warehouse"
)

// Point is one period of a series: a year, a term (at its start year), a range or a date.
// Year is the period's start; only YEAR and TERM points are yearly points.
type Point struct {
	Year   int
	Period warehouse.Period
	Fig    Value
}

// Series is one unit's points: only periods with a figure (gaps stay gaps).
type Series struct {
	Province *warehouse.Province
	Points   []Point
}

// SeriesArgs select series.
type SeriesArgs struct {
	Metric           string
	Provinces        []string // provinces, group IDs or "VN"
	From, To         int
	Map              warehouse.Map
	IncludeSynthetic bool
}

// MaxSeriesProvinces bounds one series request: every unit of VN63 and "VN" (MaxUnits).
const MaxSeriesProvinces = MaxUnits

func checkSpan(from, to int) error {
	if err := checkYear("from", from); err != nil {
		return err
	}
	if err := checkYear("to", to); err != nil {
		return err
	}
	if from > to {
		return warehouse.Errorf(warehouse.ErrInvalid, "from %d is after to %d", from, to)
	}
	return nil
}

// Series returns the points of each unit: its yearly points (combining VN63 predecessors
// for VN34 units before 2025, members for groups and the nation), then its ranges and
// as-of figures as points of their own kind. One warehouse query whatever the number of
// units.
func (s *Service) Series(ctx context.Context, a SeriesArgs) ([]Series, error) {
	s = s.At(ctx)
	m, err := s.metric(a.Metric)
	if err != nil {
		return nil, err
	}
	if err := checkSpan(a.From, a.To); err != nil {
		return nil, err
	}
	if len(a.Provinces) > MaxSeriesProvinces {
		return nil, warehouse.Errorf(warehouse.ErrInvalid, "at most %d provinces per series request", MaxSeriesProvinces)
	}
	units, err := s.units(a.Map, a.Provinces, "")
	if err != nil {
		return nil, err
	}
	sl, err := s.metricSlice(ctx, m.ID, a.IncludeSynthetic)
	if err != nil {
		return nil, err
	}
	out := make([]Series, 0, len(units))
	for _, u := range units {
		out = append(out, Series{Province: u, Points: s.points(m, sl, u, a.From, a.To)})
	}
	return out, nil
}

// points lists a unit's figures between from and to, ordered by start year and kind.
func (s *Service) points(m *warehouse.Metric, sl *slice, u *warehouse.Province, from, to int) []Point {
	mapFor := func(y int) warehouse.Map {
		if u.Kind == kindNation {
			return warehouse.MapInForce(y) // the total is the same on both maps
		}
		return u.Map
	}
	var pts []Point
	for y := from; y <= to; y++ {
		fig := s.figure(m, sl, u, y, mapFor(y), sl.atYear(y))
		if fig.Observation == nil && len(fig.Parts) == 0 && len(fig.Missing) == len(fig.Units) && !s.anyFound(sl, fig.Units, y) {
			continue // nothing at all: a gap, not a zero
		}
		pts = append(pts, Point{Year: y, Period: periodOf(&fig, sl, y), Fig: fig})
	}
	// Without a figure starting in from, the term in force at from that started before it
	// (from 2023 finds the 2020–2025 term): a point at the term's start year, which the
	// reader sees is before from.
	if len(pts) > 0 && pts[0].Year == from {
		// from has a figure of its own
	} else if fig := s.figure(m, sl, u, from, mapFor(from), sl.termInForce(from)); fig.Value != nil || len(fig.Parts) > 0 {
		if p := periodOf(&fig, sl, from); p.Kind == warehouse.PeriodTerm && p.Start < from {
			pts = append(pts, Point{Year: p.Start, Period: p, Fig: fig})
		}
	}
	// Ranges and dates: the unit's own, and (for a VN34 unit) its predecessors'.
	labels := map[string]warehouse.Period{}
	for _, subj := range append([]string{u.ID}, u.Predecessors...) {
		for l, o := range sl.cells[subj] {
			if k := o.Period.Kind; (k == warehouse.PeriodRange || k == warehouse.PeriodAsOf) && o.Period.Start >= from && o.Period.End <= to {
				labels[l] = o.Period
			}
		}
	}
	for l, p := range labels {
		fig := s.figure(m, sl, u, p.Start, mapFor(p.Start), sl.atLabel(l))
		pts = append(pts, Point{Year: p.Start, Period: p, Fig: fig})
	}
	sort.SliceStable(pts, func(i, j int) bool {
		a, b := pts[i], pts[j]
		if a.Year != b.Year {
			return a.Year < b.Year
		}
		if periodRank[a.Period.Kind] != periodRank[b.Period.Kind] {
			return periodRank[a.Period.Kind] < periodRank[b.Period.Kind]
		}
		return a.Period.Label < b.Period.Label
	})
	return pts
}

// anyFound reports whether any subject has a yearly figure in y (a combination refused
// because one part is a bound is still a point: it says why it has no value).
func (s *Service) anyFound(sl *slice, subjects []string, y int) bool {
	for _, id := range subjects {
		if sl.yearly[id][y] != nil {
			return true
		}
	}
	return false
}

// periodOf is the period of a yearly figure: its observation's, else its parts', else the
// year.
func periodOf(v *Value, sl *slice, y int) warehouse.Period {
	if v.Observation != nil {
		return v.Observation.Period
	}
	if len(v.Parts) > 0 {
		return v.Parts[0].Period
	}
	for _, id := range v.Units {
		if o := sl.yearly[id][y]; o != nil {
			return o.Period
		}
	}
	return warehouse.Period{Kind: warehouse.PeriodYear, Start: y, End: y, Label: strconv.Itoa(y)}
}

// Trend summarises a unit's series: change, least-squares slope per year, and the year the
// target would be met at that slope. It fits one period kind (YEAR or TERM) and exact
// figures only: bounds, the other kind, ranges and dates are left out, and Why says so.
type Trend struct {
	Province         *warehouse.Province
	Metric           *warehouse.Metric
	Kind             warehouse.PeriodKind // the period kind fitted
	Points           []Point              // the points fitted
	LeftOut          []Point              // points with a figure that were not fitted
	FirstYear        int
	LastYear         int
	AbsoluteChange   *float64
	RelativeChange   *float64 // percent
	Slope            *float64 // units per year
	Target           *warehouse.Target
	TargetNote       string // the periods Target judges, or why the target considered does not apply
	ProjectedYearMet *int
	Why              string // why ProjectedYearMet is what it is
	// OnTrack judges every figure of Kind (bounds as intervals) against the target that
	// judges the latest, or the next target after it.
	OnTrack *OnTrack
}

// trendUnit resolves the subject of a trend, which has no map argument: a province on its
// own map, a group on its map, the nation.
func (s *Service) trendUnit(ref string) (*warehouse.Province, error) {
	if ref == warehouse.NationalID {
		return nationUnit(warehouse.VN34), nil
	}
	if g := s.group(ref); g != nil {
		return groupUnit(g), nil
	}
	return s.findProvince("", "province", ref)
}

// TrendArgs are the arguments of Trend.
type TrendArgs struct {
	Metric string
	Unit   string // a province (ID, code or name), a group ID, or "VN"
	From   int
	To     int
	// Kind is the period kind to fit: YEAR, TERM, or "" for the kind with more exact
	// figures (YEAR on a tie).
	Kind             warehouse.PeriodKind
	IncludeSynthetic bool
}

// Trend computes the trend of one province, group or the nation.
func (s *Service) Trend(ctx context.Context, a TrendArgs) (*Trend, error) {
	s = s.At(ctx)
	metric, ref, from, to, kind := a.Metric, a.Unit, a.From, a.To, a.Kind
	m, err := s.metric(metric)
	if err != nil {
		return nil, err
	}
	if err := checkSpan(from, to); err != nil {
		return nil, err
	}
	if kind != "" && kind != warehouse.PeriodYear && kind != warehouse.PeriodTerm {
		return nil, warehouse.Errorf(warehouse.ErrInvalid, "periodKind must be YEAR or TERM, not %q", kind)
	}
	u, err := s.trendUnit(ref)
	if err != nil {
		return nil, err
	}
	sl, err := s.metricSlice(ctx, m.ID, a.IncludeSynthetic)
	if err != nil {
		return nil, err
	}
	all := s.points(m, sl, u, from, to)
	if kind == "" {
		kind = warehouse.PeriodYear
		if countExact(all, warehouse.PeriodTerm) > countExact(all, warehouse.PeriodYear) {
			kind = warehouse.PeriodTerm
		}
	}
	t := &Trend{Province: u, Metric: m, Kind: kind}
	bounds, others := 0, 0
	for _, p := range all {
		switch {
		case p.Fig.Value == nil:
			continue
		case p.Period.Kind == kind && p.Fig.Exact():
			t.Points = append(t.Points, p)
			continue
		case p.Period.Kind == kind:
			bounds++
		default:
			others++
		}
		t.LeftOut = append(t.LeftOut, p)
	}
	var judged []Point
	for _, p := range all {
		if p.Fig.Value != nil && p.Period.Kind == kind {
			judged = append(judged, p)
		}
	}
	t.OnTrack = s.onTrackOf(m, u, judged)
	left := fmt.Sprintf("fitted %d exact %s figure(s); left out %d bound(s) or approximation(s) and %d figure(s) of other period kinds", len(t.Points), kind, bounds, others)
	// The target is the one that judges the latest fitted point (a target for the
	// 2020–2025 congresses says nothing of a line ending in the 2025–2030 term).
	latest := yearPeriod(to)
	if len(t.Points) > 0 {
		latest = t.Points[len(t.Points)-1].Period
	}
	tc := s.targetFor(metric, u.ID, latest)
	t.Target, t.TargetNote = tc.Target, tc.Note
	if len(t.Points) < 2 {
		t.Why = fmt.Sprintf("%d exact %s point(s) between %d and %d; a trend needs two (%s)", len(t.Points), kind, from, to, left)
		return t, nil
	}
	first, last := t.Points[0], t.Points[len(t.Points)-1]
	t.FirstYear, t.LastYear = first.Year, last.Year
	abs := round6(*last.Fig.Value - *first.Fig.Value)
	t.AbsoluteChange = &abs
	if *first.Fig.Value != 0 {
		rel := round6(100 * abs / *first.Fig.Value)
		t.RelativeChange = &rel
	}
	slope, intercept := leastSquares(t.Points)
	t.Slope = &slope
	t.ProjectedYearMet, t.Why = projectYear(t.Target, slope, intercept, *last.Fig.Value, last.Year)
	if t.Target != nil && statusAt(t.Target, *last.Fig.Value) == TargetMet {
		since := metSince(t.Target, t.Points)
		t.ProjectedYearMet = &since
		t.Why = fmt.Sprintf("already met: every fitted point since %d meets it", since)
	}
	if t.Target == nil && tc.Considered != nil {
		t.Why = tc.Note
	}
	t.Why += " (" + left + ")"
	return t, nil
}

func countExact(pts []Point, kind warehouse.PeriodKind) int {
	n := 0
	for _, p := range pts {
		if p.Period.Kind == kind && p.Fig.Exact() {
			n++
		}
	}
	return n
}

func leastSquares(pts []Point) (slope, intercept float64) {
	n := float64(len(pts))
	var sx, sy, sxx, sxy float64
	for _, p := range pts {
		x, y := float64(p.Year), *p.Fig.Value
		sx, sy, sxx, sxy = sx+x, sy+y, sxx+x*x, sxy+x*y
	}
	slope = (n*sxy - sx*sy) / (n*sxx - sx*sx)
	intercept = (sy - slope*sx) / n
	return
}

// metSince is the first year of the unbroken run of exact points meeting t up to the last.
func metSince(t *warehouse.Target, pts []Point) int {
	since := pts[len(pts)-1].Year
	for i := len(pts) - 1; i >= 0 && statusAt(t, *pts[i].Fig.Value) == TargetMet; i-- {
		since = pts[i].Year
	}
	return since
}

// projectYear finds the first year the fitted line reaches the target's bound.
func projectYear(t *warehouse.Target, slope, intercept, last float64, lastYear int) (*int, string) {
	if t == nil {
		return nil, "no target for this metric and province"
	}
	if statusAt(t, last) == TargetMet {
		y := lastYear
		return &y, fmt.Sprintf("already met in %d", lastYear)
	}
	var bound float64
	var inclusive bool
	switch {
	case statusAt(t, last) == TargetBelow:
		bound, inclusive = *t.Lower, t.LowerInclusive
		if slope <= 0 {
			return nil, "the trend does not rise towards the target"
		}
	case t.Upper != nil:
		bound, inclusive = *t.Upper, t.UpperInclusive
		if slope >= 0 {
			return nil, "the trend does not fall towards the target"
		}
	}
	x := (bound - intercept) / slope
	y := int(math.Ceil(x - 1e-9))
	verb := "reaches"
	if !inclusive && float64(y) < x+1e-9 { // "> 35" is not met at 35: the year after
		y++
		verb = "passes"
	}
	if y <= lastYear {
		y = lastYear + 1
	}
	if y > 2100 {
		return nil, "not before 2100 at this slope"
	}
	return &y, fmt.Sprintf("the least-squares line %s %g in %d", verb, bound, y)
}
