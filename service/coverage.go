package service

import (
	"context"
	"sort"
	"strconv"

	"github.com/cadrestat/cadrestat/warehouse"
)

// Coverage is what a metric holds for one period a comparison can be asked for, on one map:
// how many of the map's units have a figure there, by the figure's status (the weakest of
// its parts, as compare shows it), and whether the nation has one. Synthetic figures are
// never counted: coverage says what is known.
type Coverage struct {
	// Period is the period as compare takes it. For yearly figures (YEAR and TERM, compared
	// on their start year) it is the kind most units' figures have: a start year where most
	// figures are of the 2020–2025 term is that term.
	Period *warehouse.Period
	// Year is the year to ask compare for (yearly figures); nil for a range or an as-of
	// date, which compare takes by Period.Label.
	Year        *int
	Units       int // units of the map with a figure
	Total       int // units of the map
	Published   int
	Derived     int
	Provisional int
	National    bool
}

// MetricCoverage is one metric's coverage on a map.
type MetricCoverage struct {
	Metric  *warehouse.Metric
	Periods []Coverage
}

// CoverageOf answers Coverage for the metrics listed (every metric of the catalogue when
// none is), in catalogue order when none is listed, reading the slices not cached yet in one
// warehouse query.
func (s *Service) CoverageOf(ctx context.Context, metrics []string, mp warehouse.Map) ([]MetricCoverage, error) {
	s = s.At(ctx)
	metrics, err := distinct("metrics", metrics, MaxCoverageMetrics)
	if err != nil {
		return nil, err
	}
	if len(metrics) == 0 {
		for i := range s.Catalog().Metrics {
			metrics = append(metrics, s.Catalog().Metrics[i].ID)
		}
	}
	for _, id := range metrics {
		if _, err := s.metric(id); err != nil {
			return nil, err
		}
	}
	if _, err := s.units(mp, nil, ""); err != nil {
		return nil, err
	}
	if ctx, err = s.preloadSlices(ctx, metrics); err != nil {
		return nil, err
	}
	out := make([]MetricCoverage, 0, len(metrics))
	for _, id := range metrics {
		per, err := s.Coverage(ctx, id, mp)
		if err != nil {
			return nil, err
		}
		out = append(out, MetricCoverage{Metric: s.Catalog().Metric(id), Periods: per})
	}
	return out, nil
}

// Coverage lists, newest first, every period of the metric with at least one figure on the
// map (a unit's or the nation's): one entry per start year of its yearly figures, one per
// range or as-of label. The counts are those of compare for the same period and map, unit
// by unit, so a reader who picks a period sees exactly the figures counted.
func (s *Service) Coverage(ctx context.Context, metric string, mp warehouse.Map) ([]Coverage, error) {
	s = s.At(ctx)
	m, err := s.metric(metric)
	if err != nil {
		return nil, err
	}
	units, err := s.units(mp, nil, "")
	if err != nil {
		return nil, err
	}
	sl, err := s.metricSlice(ctx, m.ID, false)
	if err != nil {
		return nil, err
	}
	// The years to look at: every start year of a yearly figure, on either map (a VN34 unit
	// before 2025 is its VN63 predecessors combined).
	var out []Coverage
	for _, y := range sl.years {
		c := s.coverageAt(m, sl, units, y, mp, sl.atYear(y))
		if c.Units == 0 && !c.National {
			continue
		}
		c.Year = &y
		// The period of most units' figures (ties: a term before a year, then the label).
		kinds := map[string]int{}
		periods := map[string]warehouse.Period{}
		for _, u := range units {
			for _, subj := range subjectsOf(u, y) {
				if o := sl.yearly[subj][y]; o != nil {
					kinds[o.Period.Label]++
					periods[o.Period.Label] = o.Period
				}
			}
		}
		if o := sl.yearly[warehouse.NationalID][y]; o != nil && len(kinds) == 0 {
			kinds[o.Period.Label]++
			periods[o.Period.Label] = o.Period
		}
		best := ""
		for l := range kinds {
			if best == "" || moreCommon(l, best, kinds, periods) {
				best = l
			}
		}
		p := periods[best]
		if best == "" {
			p = warehouse.Period{Kind: warehouse.PeriodYear, Start: y, End: y, Label: strconv.Itoa(y)}
		}
		c.Period = &p
		out = append(out, c)
	}
	labels := make([]string, 0, len(sl.periods))
	for l, p := range sl.periods {
		if p.Kind == warehouse.PeriodRange || p.Kind == warehouse.PeriodAsOf {
			labels = append(labels, l)
		}
	}
	sort.Strings(labels)
	for _, l := range labels {
		c := s.coverageAt(m, sl, units, sl.periods[l].Start, mp, sl.atLabel(l))
		if c.Units == 0 && !c.National {
			continue
		}
		p := sl.periods[l]
		c.Period = &p
		out = append(out, c)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Period, out[j].Period
		if a.End != b.End {
			return a.End > b.End
		}
		return a.Start > b.Start
	})
	return out, nil
}

// coverageAt counts the units of the map with a figure for one period, by status.
func (s *Service) coverageAt(m *warehouse.Metric, sl *slice, units []*warehouse.Province, year int, mp warehouse.Map, pick pickFn) Coverage {
	c := Coverage{Total: len(units)}
	for _, u := range units {
		v := s.figure(m, sl, u, year, mp, pick)
		st := v.Status()
		if v.Value == nil || st == nil {
			continue
		}
		c.Units++
		switch *st {
		case warehouse.StatusPublished:
			c.Published++
		case warehouse.StatusDerived:
			c.Derived++
		case warehouse.StatusProvisional:
			c.Provisional++
		}
	}
	nat := s.figure(m, sl, nationUnit(mp), year, mp, pick)
	c.National = nat.Value != nil
	return c
}

// moreCommon orders the period labels of one start year: more units first, then a term
// before a year, then by label (so the choice never depends on map order).
func moreCommon(a, b string, n map[string]int, p map[string]warehouse.Period) bool {
	if n[a] != n[b] {
		return n[a] > n[b]
	}
	if ta, tb := p[a].Kind == warehouse.PeriodTerm, p[b].Kind == warehouse.PeriodTerm; ta != tb {
		return ta
	}
	return a < b
}
