package service

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/cadrestat/cadrestat/warehouse"
)

// A brief is everything known about one province near one year, for a briefing officer:
// per metric the unit's row of compare (figure, rank range among all units, change, target,
// status and gap), its region's and the nation's figures, its recent series and, on VN34
// before the merger, its VN63 predecessors' rows; with the lineage and every source cited,
// numbered as footnotes. It is built from Compare and Series themselves, so each figure is
// the one those give, over slices read in one warehouse query (see preloadSlices).

// BriefWindow: a brief shows, per metric, the latest figure starting in year-BriefWindow
// .. year (a congress term is five years).
const BriefWindow = 5

// BriefSparkYears is how far back a brief item's series goes (three terms).
const BriefSparkYears = 15

// BriefArgs select a brief.
type BriefArgs struct {
	Province string // ID, code or name
	Year     int    // 0 = the latest start year of any of the unit's figures
	Map      warehouse.Map
}

// Brief is the answer to brief.
type Brief struct {
	Province     *warehouse.Province
	Map          warehouse.Map
	Year         int
	FromYear     int
	Region       *warehouse.Group
	Predecessors []string
	Successors   []string
	Sections     []*BriefSection
	Sources      []*BriefSource
	Version      uint64 // the data version the brief was built from
}

// BriefSection is one group of metrics.
type BriefSection struct {
	ID, NameEN, NameVI string // ID is the section kind
	Key                string // the GraphQL id (see briefSectionKey)
	Items              []*BriefItem
}

// BriefItem is one metric of a brief.
type BriefItem struct {
	Metric       *warehouse.Metric
	Year         int
	Period       *warehouse.Period // the period compared when it is not a year (a range or a date)
	Row          *Row              // the unit's row of compare
	RankOf       int
	Region       *Benchmark
	National     Benchmark
	Predecessors []*Row  // VN34 before 2025: the VN63 predecessors' rows of compare on VN63
	Series       []Point // the unit's yearly points with a value over the last BriefSparkYears years
	Notes        []int   // footnote numbers of the sources cited for this item
}

// BriefSource is one numbered footnote.
type BriefSource struct {
	Number  int
	Source  *warehouse.Source
	Metrics []string // the metrics it is cited for
}

// Brief sections, in the order shown.
var briefSections = []struct{ id, en, vi string }{
	{"party_committees", "Party committees", "Cấp ủy đảng"},
	{"councils", "People's Councils and National Assembly", "Hội đồng nhân dân và Quốc hội"},
	{"staff", "Staff and organisation", "Biên chế và tổ chức bộ máy"},
	{"membership", "Party membership", "Đảng viên"},
}

// briefSectionOf sorts a metric into a section by the body it counts.
func briefSectionOf(m *warehouse.Metric) string {
	switch m.ID {
	case "party_units_removed":
		return "staff"
	case "committee_members_appointed", "committee_members_assigned", "standing_committee_members_assigned", "provincial_committee_members_elected":
		return "party_committees"
	}
	b := strings.ToLower(m.Body)
	switch {
	case strings.Contains(b, "people's council"), strings.Contains(b, "national assembly"), b == "elections":
		return "councils"
	case b == "party organisation":
		return "membership"
	case strings.Contains(b, "committee"):
		return "party_committees"
	}
	return "staff"
}

// Brief builds the brief of one province (see the package comment above).
func (s *Service) Brief(ctx context.Context, a BriefArgs) (*Brief, error) {
	s = s.At(ctx)
	if a.Map != "" && a.Map != warehouse.VN63 && a.Map != warehouse.VN34 {
		return nil, warehouse.Errorf(warehouse.ErrInvalid, "map must be VN63 or VN34, not %q", a.Map)
	}
	if strings.TrimSpace(a.Province) == "" {
		return nil, warehouse.Errorf(warehouse.ErrInvalid, "province is empty")
	}
	if a.Province == warehouse.NationalID || s.group(a.Province) != nil {
		return nil, warehouse.Errorf(warehouse.ErrInvalid, "province: a brief is for one province, not %q (use compare or series for the nation and groups)", a.Province)
	}
	if a.Year != 0 {
		if err := checkYear("year", a.Year); err != nil {
			return nil, err
		}
	}
	u, err := s.findProvince(a.Map, "province", a.Province)
	if err != nil {
		return nil, err
	}
	cat := s.Catalog()
	ids := make([]string, len(cat.Metrics))
	for i := range cat.Metrics {
		ids[i] = cat.Metrics[i].ID
	}
	ctx, err = s.preloadSlices(ctx, ids)
	if err != nil {
		return nil, err
	}
	b := &Brief{Province: u, Map: u.Map, Year: a.Year, Predecessors: u.Predecessors, Successors: u.Successors, Version: cat.Version}
	b.Region = cat.Group("region:" + string(u.Map) + ":" + u.Region)
	if b.Year == 0 {
		if b.Year, err = s.latestYear(ctx, u, ids); err != nil {
			return nil, err
		}
	}
	b.FromYear = b.Year - BriefWindow

	sections := map[string]*BriefSection{}
	for _, sec := range briefSections {
		bs := &BriefSection{ID: sec.id, Key: briefSectionKey(u, sec.id, b.Year), NameEN: sec.en, NameVI: sec.vi}
		sections[sec.id] = bs
		b.Sections = append(b.Sections, bs)
	}
	for i := range cat.Metrics {
		m := &cat.Metrics[i]
		it, err := s.briefItem(ctx, u, m, b.Year)
		if err != nil {
			return nil, err
		}
		if it != nil {
			sections[briefSectionOf(m)].Items = append(sections[briefSectionOf(m)].Items, it)
		}
	}
	kept := b.Sections[:0]
	for _, sec := range b.Sections {
		if len(sec.Items) > 0 {
			kept = append(kept, sec)
		}
	}
	b.Sections = kept
	s.number(b)
	return b, nil
}

// latestYear is the latest start year of any figure of the unit (its own, or on VN34 its
// predecessors').
func (s *Service) latestYear(ctx context.Context, u *warehouse.Province, metrics []string) (int, error) {
	best := 0
	for _, m := range metrics {
		ser, err := s.Series(ctx, SeriesArgs{Metric: m, Provinces: []string{u.ID}, From: 1990, To: 2100, Map: u.Map})
		if err != nil {
			return 0, err
		}
		for _, p := range ser[0].Points {
			best = max(best, p.Year)
		}
	}
	if best == 0 {
		return 0, warehouse.Errorf(warehouse.ErrNotFound, "%s (%s) has no figures; give year", u.ID, u.Name)
	}
	return best, nil
}

// briefItem is the metric's item, or nil when the unit has no figure near the year.
func (s *Service) briefItem(ctx context.Context, u *warehouse.Province, m *warehouse.Metric, year int) (*BriefItem, error) {
	ser, err := s.Series(ctx, SeriesArgs{Metric: m.ID, Provinces: []string{u.ID}, From: max(year-BriefSparkYears, 1945), To: year, Map: u.Map})
	if err != nil {
		return nil, err
	}
	pts := ser[0].Points
	// The latest yearly figure (a year or a term) in the window, else the latest range or
	// as-of figure ending in it (of two counts taken in one year, the later date); periods
	// keep their kind.
	var pick *Point
	for i := range pts {
		p := &pts[i]
		if (p.Period.Kind == warehouse.PeriodYear || p.Period.Kind == warehouse.PeriodTerm) && p.Year >= year-BriefWindow {
			if pick == nil || p.Year >= pick.Year {
				pick = p
			}
		}
	}
	args := CompareArgs{Metric: m.ID, Map: u.Map, Provinces: []string{u.ID}}
	if pick != nil {
		args.Year = pick.Year
	} else {
		for i := range pts {
			p := &pts[i]
			if (p.Period.Kind == warehouse.PeriodRange || p.Period.Kind == warehouse.PeriodAsOf) && p.Period.End >= year-BriefWindow {
				if pick == nil || p.Period.End > pick.Period.End || (p.Period.End == pick.Period.End && laterPeriod(p.Period, pick.Period)) {
					pick = p
				}
			}
		}
		if pick == nil {
			return nil, nil
		}
		args.Period = pick.Period.Label
	}
	c, err := s.Compare(ctx, args)
	if err != nil {
		return nil, err
	}
	it := &BriefItem{Metric: m, Year: c.Year, Period: c.Period, Row: c.Rows[0], RankOf: c.RankOf, National: c.National}
	for i := range c.Benchmarks {
		if c.Benchmarks[i].ID == "region:"+string(u.Map)+":"+u.Region {
			it.Region = &c.Benchmarks[i]
		}
	}
	for _, p := range pts {
		if p.Fig.Value != nil && (p.Period.Kind == warehouse.PeriodYear || p.Period.Kind == warehouse.PeriodTerm) {
			it.Series = append(it.Series, p)
		}
	}
	if u.Map == warehouse.VN34 && c.Year < warehouse.MapChangeYear && len(u.Predecessors) > 0 {
		pa := args
		pa.Map, pa.Provinces = warehouse.VN63, u.Predecessors
		pc, err := s.Compare(ctx, pa)
		if err != nil {
			return nil, err
		}
		// In lineage order, not rank order.
		at := map[string]*Row{}
		for _, r := range pc.Rows {
			at[r.Province.ID] = r
		}
		for _, id := range u.Predecessors {
			if r := at[id]; r != nil {
				it.Predecessors = append(it.Predecessors, r)
			}
		}
	}
	return it, nil
}

// laterPeriod orders two periods ending in the same year: a count taken later (ISO dates
// sort as text) before an earlier one, an as-of count before a range, a shorter range (the
// later start) before a longer one.
func laterPeriod(p, than warehouse.Period) bool {
	if p.Kind != than.Kind {
		return p.Kind == warehouse.PeriodAsOf
	}
	if p.Start != than.Start {
		return p.Start > than.Start
	}
	return p.Label > than.Label
}

// cited lists the observations an item shows: the unit's figure and the one its change is
// measured from, the region's and the nation's figures, the predecessors' and the series'.
func (it *BriefItem) cited() []*warehouse.Observation {
	var out []*warehouse.Observation
	add := func(v *Value) {
		if v != nil {
			out = append(out, v.Parts...)
		}
	}
	add(&it.Row.Fig)
	add(it.Row.Previous)
	if it.Region != nil {
		add(&it.Region.Fig)
	}
	add(&it.National.Fig)
	for _, r := range it.Predecessors {
		add(&r.Fig)
		add(r.Previous)
	}
	for i := range it.Series {
		add(&it.Series[i].Fig)
	}
	return out
}

// number gives every source cited a footnote number, in the order first cited (sections,
// then items; per item its figures, then its target's source).
func (s *Service) number(b *Brief) {
	cat := s.Catalog()
	at := map[string]*BriefSource{}
	cite := func(it *BriefItem, src *warehouse.Source) {
		if src == nil {
			return
		}
		fn := at[src.ID]
		if fn == nil {
			fn = &BriefSource{Number: len(b.Sources) + 1, Source: src}
			at[src.ID] = fn
			b.Sources = append(b.Sources, fn)
		}
		if n := len(fn.Metrics); n == 0 || fn.Metrics[n-1] != it.Metric.ID {
			fn.Metrics = append(fn.Metrics, it.Metric.ID)
		}
		for _, n := range it.Notes {
			if n == fn.Number {
				return
			}
		}
		it.Notes = append(it.Notes, fn.Number)
	}
	for _, sec := range b.Sections {
		for _, it := range sec.Items {
			for _, o := range it.cited() {
				cite(it, cat.Source(o.SourceID))
			}
			if it.Row.Target != nil {
				cite(it, cat.Source(it.Row.Target.SourceID))
			}
			sort.Ints(it.Notes)
		}
	}
}

// BriefURL is the printable page of a brief.
func BriefURL(b *Brief, lang string) string {
	u := "/brief/" + b.Province.ID + "?year=" + strconv.Itoa(b.Year)
	if lang != "" {
		u += "&lang=" + lang
	}
	return u
}
