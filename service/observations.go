package service

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"

	"github.com/cadrestat/cadrestat/warehouse"
)

// Attainment counts provinces by target status in one year or period, and decides the
// national target and every group-scoped target of the metric.
type Attainment struct {
	Metric                             *warehouse.Metric
	Year                               int
	Period                             *warehouse.Period
	Target                             *warehouse.Target
	TargetConsidered                   *warehouse.Target
	TargetNote                         string
	Met, Below, Above, Unknown, NoData int
	Rows                               []*Row
	National                           *ScopeAttainment
	Groups                             []*ScopeAttainment
}

// ScopeAttainment is the nation or a group against its own target.
type ScopeAttainment struct {
	Unit             *warehouse.Province
	Fig              Value
	Target           *warehouse.Target
	TargetConsidered *warehouse.Target // when no target judges the figure's period: the one looked at
	TargetNote       string            // why TargetConsidered does not apply, or the periods Target judges
	Gap              *float64
	Status           TargetStatus
}

// TargetAttainment is a comparison summarised by status, with the nation and the groups
// that have targets of their own.
func (s *Service) TargetAttainment(ctx context.Context, a CompareArgs) (*Attainment, error) {
	s = s.At(ctx)
	c, err := s.Compare(ctx, a)
	if err != nil {
		return nil, err
	}
	out := &Attainment{Metric: c.Metric, Year: c.Year, Period: c.Period, Target: c.Target, TargetConsidered: c.TargetConsidered, TargetNote: c.TargetNote, Rows: c.Rows}
	for _, r := range c.Rows {
		switch r.Status {
		case TargetMet:
			out.Met++
		case TargetBelow:
			out.Below++
		case TargetAbove:
			out.Above++
		case TargetUnknown:
			out.Unknown++
		case NoData:
			out.NoData++
		}
	}
	asked := askedPeriod(c.Year, c.Period)
	scope := func(u *warehouse.Province, fig Value, scopeID string) *ScopeAttainment {
		tc := s.targetFor(c.Metric.ID, scopeID, judgedPeriod(&fig, asked))
		sa := &ScopeAttainment{Unit: u, Fig: fig, Target: tc.Target, TargetConsidered: tc.Considered, TargetNote: tc.Note}
		sa.Gap, sa.Status = attainment(c.Metric, sa.Target, &sa.Fig)
		return sa
	}
	out.National = scope(nationUnit(c.Map), c.National.Fig, warehouse.NationalID)
	sl, err := s.metricSlice(ctx, c.Metric.ID, a.IncludeSynthetic)
	if err != nil {
		return nil, err
	}
	pick := sl.atYear(c.Year)
	if c.Period != nil {
		pick = sl.atLabel(c.Period.Label)
	}
	seen := map[string]bool{}
	for _, t := range s.Catalog().TargetsFor(c.Metric.ID) {
		g := s.group(t.Scope)
		if !strings.HasPrefix(t.Scope, "group:") || g == nil || seen[g.ID] {
			continue
		}
		seen[g.ID] = true
		u := groupUnit(g)
		out.Groups = append(out.Groups, scope(u, s.figure(c.Metric, sl, u, c.Year, g.Map, pick), g.ID))
	}
	return out, nil
}

func (sa *ScopeAttainment) Figure() *Value             { return &sa.Fig }
func (sa *ScopeAttainment) GapToTarget() *float64      { return sa.Gap }
func (sa *ScopeAttainment) TargetStatus() TargetStatus { return sa.Status }

// MaxPageSize bounds a page of observations.
const MaxPageSize = 500

// ObservationPage is one page of a connection; the count is fetched only if asked for.
type ObservationPage struct {
	Filter  warehouse.ObservationFilter
	Items   []warehouse.Observation
	HasNext bool
}

// EncodeCursor and DecodeCursor make opaque, stable cursors from observation IDs.
func EncodeCursor(id string) string { return base64.RawURLEncoding.EncodeToString([]byte("obs:" + id)) }

func DecodeCursor(c string) (string, error) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), "obs:") || len(b) > 64 || len(b) == len("obs:") {
		return "", warehouse.Errorf(warehouse.ErrInvalid, "invalid cursor %q", c)
	}
	return strings.TrimPrefix(string(b), "obs:"), nil
}

// FilterArgs are the API's observation filter, before resolution.
type FilterArgs struct {
	Metrics, Provinces, Periods, Sources []string
	Statuses                             []warehouse.Status
	Group                                string
	FromYear, ToYear                     int
	IncludeSynthetic                     bool
	IncludePredecessors                  bool // VN34 IDs also select their VN63 predecessors
}

// Observations returns one page; unknown references are errors, not empty pages.
func (s *Service) Observations(ctx context.Context, f FilterArgs, first int, after string) (*ObservationPage, error) {
	s = s.At(ctx)
	if first < 0 || first > MaxPageSize {
		return nil, warehouse.Errorf(warehouse.ErrInvalid, "first must be between 0 and %d, not %d", MaxPageSize, first)
	}
	cat := s.Catalog()
	var err error
	for _, l := range []struct {
		arg  string
		list *[]string
		max  int
	}{{"filter.metrics", &f.Metrics, MaxFilterMetrics}, {"filter.provinces", &f.Provinces, MaxFilterProvinces},
		{"filter.periods", &f.Periods, MaxFilterPeriods}, {"filter.sources", &f.Sources, MaxFilterSources}} {
		if *l.list, err = distinct(l.arg, *l.list, l.max); err != nil {
			return nil, err
		}
	}
	if f.Statuses, err = distinct("filter.statuses", f.Statuses, MaxFilterStatuses); err != nil {
		return nil, err
	}
	wf := warehouse.ObservationFilter{MetricIDs: f.Metrics, PeriodLabels: f.Periods, Statuses: f.Statuses, SourceIDs: f.Sources,
		YearFrom: f.FromYear, YearTo: f.ToYear, IncludeSynthetic: f.IncludeSynthetic, Limit: first + 1}
	for _, m := range f.Metrics {
		if cat.Metric(m) == nil {
			return nil, warehouse.Errorf(warehouse.ErrNotFound, "unknown metric %q", m)
		}
	}
	for _, src := range f.Sources {
		if cat.Source(src) == nil {
			return nil, warehouse.Errorf(warehouse.ErrNotFound, "unknown source %q", src)
		}
	}
	for _, y := range []int{f.FromYear, f.ToYear} {
		if y != 0 {
			if err := checkYear("year", y); err != nil {
				return nil, err
			}
		}
	}
	for _, st := range f.Statuses {
		if st == warehouse.StatusSynthetic {
			wf.IncludeSynthetic = true
		}
	}
	for _, p := range f.Provinces {
		if p == warehouse.NationalID {
			wf.SubjectIDs = append(wf.SubjectIDs, p)
			continue
		}
		if g := s.group(p); g != nil { // a group's own figures
			wf.SubjectIDs = append(wf.SubjectIDs, g.ID)
			continue
		}
		pr, err := s.findProvince("", "filter.provinces", p)
		if err != nil {
			return nil, err
		}
		wf.SubjectIDs = append(wf.SubjectIDs, pr.ID)
		if f.IncludePredecessors { // a VN34 unit's figures before the merger are its predecessors'
			wf.SubjectIDs = append(wf.SubjectIDs, pr.Predecessors...)
		}
		// A name both maps have ("Hà Nội") selects the figures of both units: a filter is a
		// set of subjects, and the city's figures before 2025 are its VN63 unit's.
		if s.Catalog().Province(p) == nil {
			if other, err := s.findProvince(warehouse.VN63, "filter.provinces", p); err == nil && other.ID != pr.ID && !slices.Contains(wf.SubjectIDs, other.ID) {
				wf.SubjectIDs = append(wf.SubjectIDs, other.ID)
			}
		}
	}
	if f.Group != "" {
		g := s.group(f.Group)
		if g == nil {
			return nil, warehouse.Errorf(warehouse.ErrNotFound, "unknown group %q in filter.group", f.Group)
		}
		// The group's own figures and its members'.
		wf.SubjectIDs = append(wf.SubjectIDs, g.ID)
		wf.SubjectIDs = append(wf.SubjectIDs, g.Members...)
	}
	if after != "" {
		id, err := DecodeCursor(after)
		if err != nil {
			return nil, err
		}
		wf.AfterID = id
	}
	page := &ObservationPage{Filter: wf}
	if first == 0 {
		return page, nil
	}
	items, err := s.Store.Observations(ctx, wf)
	if err != nil {
		return nil, err
	}
	if len(items) > first {
		items, page.HasNext = items[:first], true
	}
	s.AttachSources(items)
	page.Items = items
	return page, nil
}

// Count counts the page's whole result set (a second query, run only when asked).
func (s *Service) Count(ctx context.Context, p *ObservationPage) (int, error) {
	f := p.Filter
	f.Limit, f.AfterID = 0, ""
	return s.Store.CountObservations(ctx, f)
}

// Citation renders an observation's provenance for pasting into an article or sheet.
func (s *Service) Citation(o *warehouse.Observation) string {
	src := s.Catalog().Source(o.SourceID)
	if src == nil {
		return o.SourceID
	}
	parts := []string{src.Title, src.Issuer}
	if src.DocNumber != "" {
		parts = append(parts, "số "+src.DocNumber)
	}
	if src.Date != "" {
		parts = append(parts, src.Date)
	}
	c := strings.Join(nonEmpty(parts), ", ")
	if o.Quote != "" {
		c += fmt.Sprintf(": “%s”", o.Quote)
	}
	// The page a reader opens (for a seed document, the link the server serves it at), and
	// when it was read: a locator is found there.
	if src.URL != "" {
		c += ", " + src.URL
	}
	if src.Retrieved != "" {
		c += ", retrieved " + src.Retrieved
	}
	if o.Status != warehouse.StatusPublished {
		c += " [" + string(o.Status) + "]"
	}
	return c
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
