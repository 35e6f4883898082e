package service

import (
	"context"
	"fmt"
	"math"

	"github.com/cadrestat/cadrestat/warehouse"
)

// Point is one year of a series.
type Point struct {
	Year int
	Fig  Value
}

// Series is one province's points: only years with a value (gaps stay gaps).
type Series struct {
	Province *warehouse.Province
	Points   []Point
}

// SeriesArgs select series.
type SeriesArgs struct {
	Metric           string
	Provinces        []string
	From, To         int
	Map              warehouse.Map
	IncludeSynthetic bool
}

// MaxSeriesProvinces bounds one series request.
const MaxSeriesProvinces = 63

// Series returns the yearly points of each province, combining VN63 predecessors for VN34
// units before 2025. One warehouse query whatever the number of provinces.
func (s *Service) Series(ctx context.Context, a SeriesArgs) ([]Series, error) {
	m, err := s.metric(a.Metric)
	if err != nil {
		return nil, err
	}
	if err := checkYear("from", a.From); err != nil {
		return nil, err
	}
	if err := checkYear("to", a.To); err != nil {
		return nil, err
	}
	if a.From > a.To {
		return nil, warehouse.Errorf(warehouse.KindInvalid, "from %d is after to %d", a.From, a.To)
	}
	if len(a.Provinces) > MaxSeriesProvinces {
		return nil, warehouse.Errorf(warehouse.KindInvalid, "at most %d provinces per series request", MaxSeriesProvinces)
	}
	units, err := s.units(a.Map, a.Provinces, "")
	if err != nil {
		return nil, err
	}
	sl, err := s.metricSlice(ctx, m.ID, a.IncludeSynthetic)
	if err != nil {
		return nil, err
	}
	best := sl.best
	out := make([]Series, 0, len(units))
	for _, u := range units {
		ser := Series{Province: u}
		if u.ID == warehouse.NationalID {
			for y := a.From; y <= a.To; y++ {
				// On the map in force that year: the total is the same on both.
				fig := s.national(m, best, warehouse.MapInForce(y), y).Fig
				if fig.Observation == nil && len(fig.Missing) == len(fig.Parts) {
					continue // no unit has a value: a gap
				}
				ser.Points = append(ser.Points, Point{Year: y, Fig: fig})
			}
			out = append(out, ser)
			continue
		}
		for y := a.From; y <= a.To; y++ {
			subj := subjectsOf(u, y)
			parts := map[string]*warehouse.Observation{}
			for _, id := range subj {
				if o := best[id][y]; o != nil {
					parts[id] = o
				}
			}
			if len(parts) == 0 {
				continue // a gap, not a zero
			}
			ser.Points = append(ser.Points, Point{Year: y, Fig: Combine(m, parts, subj)})
		}
		out = append(out, ser)
	}
	return out, nil
}

// Trend summarises a province's series: change, least-squares slope per year, and the
// year the target would be met at that slope.
type Trend struct {
	Province         *warehouse.Province
	Metric           *warehouse.Metric
	Points           []Point
	FirstYear        int
	LastYear         int
	AbsoluteChange   *float64
	RelativeChange   *float64 // percent
	Slope            *float64 // units per year
	Target           *warehouse.Target
	ProjectedYearMet *int
	Why              string // why ProjectedYearMet is what it is
}

// Trend computes the trend of one province.
func (s *Service) Trend(ctx context.Context, metric, province string, from, to int, mp warehouse.Map, synthetic bool) (*Trend, error) {
	if mp == "" {
		mp = warehouse.VN34 // the nation: combined on today's map (the same total either way)
		if p := s.Catalog().FindProvince("", province); p != nil {
			mp = p.Map
		}
	}
	ser, err := s.Series(ctx, SeriesArgs{Metric: metric, Provinces: []string{province}, From: from, To: to, Map: mp, IncludeSynthetic: synthetic})
	if err != nil {
		return nil, err
	}
	m := s.Catalog().Metric(metric)
	t := &Trend{Province: ser[0].Province, Metric: m}
	for _, p := range ser[0].Points {
		if p.Fig.Value != nil {
			t.Points = append(t.Points, p)
		}
	}
	t.Target = s.targetFor(metric, t.Province.ID, to)
	if len(t.Points) < 2 {
		t.Why = fmt.Sprintf("%d point(s) with a value between %d and %d; a trend needs two", len(t.Points), from, to)
		return t, nil
	}
	first, last := t.Points[0], t.Points[len(t.Points)-1]
	t.FirstYear, t.LastYear = first.Year, last.Year
	abs := *last.Fig.Value - *first.Fig.Value
	t.AbsoluteChange = &abs
	if *first.Fig.Value != 0 {
		rel := 100 * abs / *first.Fig.Value
		t.RelativeChange = &rel
	}
	slope, intercept := leastSquares(t.Points)
	t.Slope = &slope
	t.ProjectedYearMet, t.Why = projectYear(t.Target, slope, intercept, *last.Fig.Value, last.Year)
	return t, nil
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

// projectYear finds the first year the fitted line reaches the target's bound.
func projectYear(t *warehouse.Target, slope, intercept, last float64, lastYear int) (*int, string) {
	if t == nil {
		return nil, "no target for this metric and province"
	}
	if _, st := attainment(t, &last); st == "MET" {
		y := lastYear
		return &y, fmt.Sprintf("already met in %d", lastYear)
	}
	var bound float64
	switch {
	case t.Lower != nil && last < *t.Lower || (t.Lower != nil && t.Upper == nil):
		bound = *t.Lower
		if slope <= 0 {
			return nil, "the trend does not rise towards the target"
		}
	case t.Upper != nil:
		bound = *t.Upper
		if slope >= 0 {
			return nil, "the trend does not fall towards the target"
		}
	}
	x := (bound - intercept) / slope
	y := int(math.Ceil(x - 1e-9))
	if y <= lastYear {
		y = lastYear + 1
	}
	if y > 2100 {
		return nil, "not before 2100 at this slope"
	}
	return &y, fmt.Sprintf("the least-squares line reaches %g in %d", bound, y)
}
