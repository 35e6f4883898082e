package service

import (
	"cmp"
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/warehouse"
)

// CompareArgs select a ranked comparison: one metric in one year or period.
type CompareArgs struct {
	Metric string
	Year   int    // compared on the start year: a year, or a term starting that year
	Period string // or a period label (2021, term:2020-2025, range:2015-2021, asof:…)
	Map    warehouse.Map
	// Provinces and Group choose the rows shown; ranks are always among all units of the map.
	Provinces        []string // IDs, codes or names; empty = all on the map
	Group            string
	IncludeSynthetic bool
}

// Row is one province in a comparison.
type Row struct {
	// Rank is set only when certain; RankRange holds the best and worst rank the figure could
	// hold among every unit of the map with a figure (RankOf of them).
	Rank      *int
	RankRange *RankRange
	RankOf    int
	// GroupRank and GroupRankRange: the same among the members of the group asked for.
	GroupRank      *int
	GroupRankRange *RankRange
	Province       *warehouse.Province
	Fig            Value
	Previous       *Value // the previous available period's figure
	PrevYear       int
	Change         *float64 // exact figures only
	ChangeNote     string   // why Change is null, or what it is measured from
	Target         *warehouse.Target
	// TargetConsidered and TargetNote: when no target judges this figure's period, the one
	// looked at and why it does not apply; else the periods Target judges.
	TargetConsidered *warehouse.Target
	TargetNote       string
	Gap              *float64
	Status           TargetStatus

	iv    *Interval  // the figure as an interval, for ranking
	order *RankRange // the rank range rows are sorted by, kept when ranks are not shown
	// what the row was computed for, so OnTrack can follow the unit's figures on demand
	metric    *warehouse.Metric
	judged    warehouse.Period
	synthetic bool
}

// Benchmark is an aggregate over a set of provinces (a region, a group, the nation).
type Benchmark struct {
	ID, Name string // ID is the unit: "VN" or a group ID
	NameVi   string // the Vietnamese name (Name is the English one for a group; Name without one)
	Key      string // the GraphQL id (see benchmarkKey)
	Fig      Value
}

// Comparison is the answer to compare.
type Comparison struct {
	Metric      *warehouse.Metric
	Year        int
	Period      *warehouse.Period // the period compared, when asked for by label
	Map         warehouse.Map
	Rows        []*Row
	RankOf      int  // units of the map ranked (those with a figure)
	GroupRankOf *int // members of the group ranked, when a group was asked for
	National    Benchmark
	Benchmarks  []Benchmark
	Target      *warehouse.Target
	// TargetConsidered and TargetNote: the national target looked at for the period
	// compared and why it does not apply, or the periods Target judges.
	TargetConsidered *warehouse.Target
	TargetNote       string
	Projected        bool // VN34 before 2025: values combine VN63 predecessors
	// Ranked is false for a metric with no better direction (a council's size, deputies
	// elected): its rows are ordered by value, highest first, and carry no rank.
	Ranked bool
	// PeriodsUsed are the periods of the figures of every unit of the map, in order; when a
	// year was asked for, PeriodNote says which of them are in force in it without starting
	// in it (a term, a count taken that year).
	PeriodsUsed []warehouse.Period
	PeriodNote  string
	// RankNote says why rows carry no rank: no better direction, or fewer than MinRanked
	// units with a figure ("1/1" and "1 of 2" say nothing); empty when ranked.
	RankNote string
}

// MinRanked is the fewest units with a figure that are ranked.
const MinRanked = 3

func (s *Service) metric(id string) (*warehouse.Metric, error) {
	m := s.Catalog().Metric(id)
	if m == nil {
		return nil, warehouse.Errorf(warehouse.ErrNotFound, "unknown metric %q", id)
	}
	return m, nil
}

func checkYear(name string, y int) error {
	if y < ingest.MinYear || y > ingest.MaxYear {
		return warehouse.Errorf(warehouse.ErrInvalid, "%s %d is outside %d–%d", name, y, ingest.MinYear, ingest.MaxYear)
	}
	return nil
}

// units resolves the units a query shows: the listed ones (provinces, groups, "VN"), else
// a group's members, else every unit of the map.
func (s *Service) units(m warehouse.Map, refs []string, group string) ([]*warehouse.Province, error) {
	if m != warehouse.VN63 && m != warehouse.VN34 {
		return nil, warehouse.Errorf(warehouse.ErrInvalid, "map must be VN63 or VN34, not %q", m)
	}
	refs, err := distinct("provinces", refs, MaxUnits)
	if err != nil {
		return nil, err
	}
	if len(refs) > 0 {
		out := make([]*warehouse.Province, 0, len(refs))
		seen := make(map[string]bool, len(refs)) // a name and an ID of the same unit count once
		for _, r := range refs {
			p, err := s.subject(m, "provinces", r)
			if err != nil {
				return nil, err
			}
			if !seen[p.ID] {
				seen[p.ID] = true
				out = append(out, p)
			}
		}
		return out, nil
	}
	if group != "" && s.group(group) == nil {
		return nil, warehouse.Errorf(warehouse.ErrNotFound, "unknown group %q in group", group)
	}
	return s.Provinces(m, "", strings.TrimPrefix(group, "group:"))
}

// subjectsOf lists the warehouse subjects that make up a province in a year: itself, or on
// VN34 before 2025 its VN63 predecessors.
func subjectsOf(p *warehouse.Province, year int) []string {
	if p.Map == warehouse.VN34 && year < warehouse.MapChangeYear && len(p.Predecessors) > 0 {
		return p.Predecessors
	}
	return []string{p.ID}
}

// pickFn chooses a subject's observation for the period compared.
type pickFn func(subject string) *warehouse.Observation

func (sl *slice) atYear(y int) pickFn {
	return func(subj string) *warehouse.Observation { return sl.yearly[subj][y] }
}

// inForce picks a figure in force in y without starting in it (see inYearRule).
func (sl *slice) inForce(y int) pickFn {
	return func(subj string) *warehouse.Observation { return sl.within[subj][y] }
}

// termInForce picks only a term in force in y that started before it.
func (sl *slice) termInForce(y int) pickFn {
	return func(subj string) *warehouse.Observation {
		if o := sl.within[subj][y]; o != nil && o.Period.Kind == warehouse.PeriodTerm {
			return o
		}
		return nil
	}
}

func (sl *slice) atLabel(l string) pickFn {
	return func(subj string) *warehouse.Observation { return sl.cells[subj][l] }
}

// earlier is a period before the one compared, for change: its start year and its pick.
type earlier struct {
	year  int
	label string
	pick  pickFn
}

// figure makes a unit's figure for one period: a province from itself (or, on VN34 before
// 2025, its VN63 predecessors); a group or the nation from its own published figure, else
// from its members combined (the nation's members are the units of map mp).
func (s *Service) figure(m *warehouse.Metric, sl *slice, u *warehouse.Province, year int, mp warehouse.Map, pick pickFn) Value {
	cat := s.Catalog()
	subj := subjectsOf(u, year)
	if u.Kind == kindNation || u.Kind == kindGroup {
		if o := pick(u.ID); o != nil {
			v := single(o, u.ID, "published figure for "+u.Name)
			v.rivals = sl.contested[o.ID]
			v.Contested = len(v.rivals) > 0
			return v
		}
		subj = nil
		for _, id := range s.members(u, mp) {
			if p := cat.Province(id); p != nil {
				subj = append(subj, subjectsOf(p, year)...)
			}
		}
		if len(subj) == 0 {
			return Value{Reason: "no figure and no member units"}
		}
	}
	parts := make(map[string]*warehouse.Observation, len(subj))
	for _, id := range subj {
		if o := pick(id); o != nil {
			parts[id] = o
		}
	}
	v := Combine(m, parts, subj)
	if v.Observation != nil {
		v.rivals = sl.contested[v.Observation.ID]
		v.Contested = len(v.rivals) > 0
	}
	return v
}

// comparePeriod reads year or period: the start year, and the period when one was named by
// label (nil for a year, which is compared on its own figure or a term starting in it).
func comparePeriod(a CompareArgs) (int, *warehouse.Period, error) {
	switch {
	case a.Period != "" && a.Year != 0:
		return 0, nil, warehouse.Errorf(warehouse.ErrInvalid, "give year or period, not both (year %d, period %q)", a.Year, a.Period)
	case a.Period == "":
		if a.Year == 0 {
			return 0, nil, warehouse.Errorf(warehouse.ErrInvalid, "give year or period")
		}
		return a.Year, nil, checkYear("year", a.Year)
	}
	p, msg := ingest.ParsePeriod(a.Period)
	if msg != "" {
		return 0, nil, warehouse.Errorf(warehouse.ErrInvalid, "period %q %s", a.Period, msg)
	}
	if p.Kind == warehouse.PeriodYear {
		return p.Start, nil, nil
	}
	return p.Start, &p, nil
}

// earlierPeriods lists the periods before the one compared, newest first: earlier start
// years for a year, earlier periods of the same kind for a term, range or date.
func earlierPeriods(sl *slice, year int, per *warehouse.Period) []earlier {
	var out []earlier
	if per == nil {
		for _, y := range sl.years { // newest first
			if y < year {
				out = append(out, earlier{y, strconv.Itoa(y), sl.atYear(y)})
			}
		}
		return out
	}
	for _, p := range sl.periods {
		if p.Kind == per.Kind && p.Start < per.Start {
			out = append(out, earlier{p.Start, p.Label, sl.atLabel(p.Label)})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].year > out[j].year || (out[i].year == out[j].year && out[i].label < out[j].label)
	})
	return out
}

// Compare ranks provinces on one metric in one year or period. Ranks are among every unit
// of the map, whatever rows are asked for; a bound ranks as an interval (see rankRanges).
func (s *Service) Compare(ctx context.Context, a CompareArgs) (*Comparison, error) {
	s = s.At(ctx)
	m, err := s.metric(a.Metric)
	if err != nil {
		return nil, err
	}
	year, per, err := comparePeriod(a)
	if err != nil {
		return nil, err
	}
	shown, err := s.units(a.Map, a.Provinces, a.Group)
	if err != nil {
		return nil, err
	}
	var grp *warehouse.Group
	if a.Group != "" {
		if grp = s.group(a.Group); grp == nil {
			return nil, warehouse.Errorf(warehouse.ErrNotFound, "unknown group %q in group", a.Group)
		}
	}
	sl, err := s.metricSlice(ctx, m.ID, a.IncludeSynthetic)
	if err != nil {
		return nil, err
	}
	// A year finds each unit's figures starting in it (its own, or its parts'); a unit with
	// none finds the figures in force in it (year 2023 finds the 2020–2025 term), and the
	// answer says so (periodsUsed, periodNote).
	fig := func(u *warehouse.Province) Value {
		if per != nil {
			return s.figure(m, sl, u, year, a.Map, sl.atLabel(per.Label))
		}
		v := s.figure(m, sl, u, year, a.Map, sl.atYear(year))
		if v.Value == nil && len(v.Parts) == 0 {
			if w := s.figure(m, sl, u, year, a.Map, sl.inForce(year)); w.Value != nil || len(w.Parts) > 0 {
				return w
			}
		}
		return v
	}
	c := &Comparison{Metric: m, Year: year, Period: per, Map: a.Map, Projected: a.Map == warehouse.VN34 && year < warehouse.MapChangeYear}
	higher := m.Better != warehouse.LowerIsBetter
	// A size is not a performance: Hà Nội's 95 deputies are the most, not "rank 1". Such
	// rows are ordered as ranks would order them (highest first), and no rank is shown.
	c.Ranked = m.Better != warehouse.NoDirection
	shownRank := func(rr *RankRange) *RankRange {
		if c.Ranked {
			return rr
		}
		return nil
	}

	// Every unit of the map gets its figure and rank, so a filtered view keeps the real rank.
	cat := s.Catalog()
	all := cat.ProvincesOn(a.Map)
	rows := make([]*Row, 0, len(all))
	byID := make(map[string]*Row, len(all))
	for _, u := range all {
		r := &Row{Province: u, Fig: fig(u)}
		if iv, ok := rankInterval(m, &r.Fig); ok {
			r.iv = &iv
		}
		rows = append(rows, r)
		byID[u.ID] = r
	}
	c.RankOf = rankRows(rows, higher, func(r *Row, rr *RankRange) {
		r.order, r.RankRange = rr, shownRank(rr)
		r.Rank = certain(r.RankRange)
	})
	if c.RankOf < MinRanked {
		for _, r := range rows {
			r.Rank, r.RankRange = nil, nil
		}
	}
	switch {
	case !c.Ranked:
		c.RankNote = "ordered by value: " + m.ID + " has no better direction"
	case c.RankOf < MinRanked:
		c.RankNote = fmt.Sprintf("not ranked: %d of %d units have a figure (a rank needs %d)", c.RankOf, len(all), MinRanked)
	}
	if grp != nil {
		var members []*Row
		for _, id := range grp.Members {
			if r := byID[id]; r != nil {
				members = append(members, r)
			}
		}
		n := rankRows(members, higher, func(r *Row, rr *RankRange) {
			r.GroupRankRange = shownRank(rr)
			r.GroupRank = certain(r.GroupRankRange)
		})
		if n < MinRanked {
			for _, r := range members {
				r.GroupRank, r.GroupRankRange = nil, nil
			}
		}
		c.GroupRankOf = &n
	}
	c.PeriodsUsed, c.PeriodNote = periodsUsed(rows, year, per)
	prevs := earlierPeriods(sl, year, per)
	for _, u := range shown {
		r := byID[u.ID]
		if r == nil { // the nation or a group: shown with its figure, never ranked among units
			r = &Row{Province: u, Fig: fig(u)}
		}
		r.RankOf = c.RankOf
		r.synthetic = a.IncludeSynthetic
		s.finishRow(m, sl, r, askedPeriod(year, per), a.Map, prevs)
		c.Rows = append(c.Rows, r)
	}
	sortRows(c.Rows)
	tc := s.targetFor(m.ID, warehouse.NationalID, askedPeriod(year, per))
	c.Target, c.TargetConsidered, c.TargetNote = tc.Target, tc.Considered, tc.Note
	c.National = Benchmark{ID: warehouse.NationalID, Key: benchmarkKey(warehouse.NationalID, a), Name: "Việt Nam", NameVi: "Việt Nam", Fig: fig(nationUnit(a.Map))}
	for i := range cat.Groups {
		g := &cat.Groups[i]
		if g.Map != a.Map || len(g.Members) == 0 || (g.Kind != "region" && (grp == nil || g.ID != grp.ID)) {
			continue
		}
		c.Benchmarks = append(c.Benchmarks, Benchmark{ID: g.ID, Key: benchmarkKey(g.ID, a), Name: g.Name, NameVi: cmp.Or(g.NameVI, g.Name), Fig: fig(groupUnit(g))})
	}
	return c, nil
}

// finishRow adds the change since the previous period with a figure, the target and the
// status. A change is computed between exact figures only: from or to a bound it is null,
// and ChangeNote says why.
func (s *Service) finishRow(m *warehouse.Metric, sl *slice, r *Row, asked warehouse.Period, mp warehouse.Map, prevs []earlier) {
	for _, p := range prevs {
		pv := s.figure(m, sl, r.Province, p.year, mp, p.pick)
		if pv.Value == nil || sameFigure(&pv, &r.Fig) {
			continue // a term in force in the year asked for is not its own previous figure
		}
		r.Previous, r.PrevYear = &pv, p.year
		switch {
		case r.Fig.Value == nil:
			r.ChangeNote = "no figure for this period"
		case !r.Fig.Exact():
			r.ChangeNote = fmt.Sprintf("no change from a bound or approximation: this figure is %s", r.Fig.Display())
		case !pv.Exact():
			r.ChangeNote = fmt.Sprintf("no change from a bound or approximation: the %s figure is %s", p.label, pv.Display())
		default:
			ch := roundTo(*r.Fig.Value-*pv.Value, max(r.Fig.decimals(), pv.decimals()))
			r.Change = &ch
			r.ChangeNote = "since " + p.label
		}
		break
	}
	if r.Previous == nil {
		r.ChangeNote = "no earlier figure"
	}
	r.metric, r.judged = m, judgedPeriod(&r.Fig, asked)
	tc := s.targetFor(m.ID, r.Province.ID, r.judged)
	r.Target, r.TargetConsidered, r.TargetNote = tc.Target, tc.Considered, tc.Note
	r.Gap, r.Status = attainment(m, r.Target, &r.Fig)
}

// periodsUsed lists the distinct periods of the rows' figures, by start year and label,
// and for a year asked for, a note naming those in force in it that do not start in it.
func periodsUsed(rows []*Row, year int, per *warehouse.Period) ([]warehouse.Period, string) {
	seen := map[string]warehouse.Period{}
	for _, r := range rows {
		if r.Fig.Value == nil && len(r.Fig.Parts) == 0 {
			continue
		}
		for _, o := range r.Fig.Parts {
			seen[o.Period.Label] = o.Period
		}
	}
	out := make([]warehouse.Period, 0, len(seen))
	for _, p := range seen {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Start < out[j].Start || (out[i].Start == out[j].Start && out[i].Label < out[j].Label)
	})
	if per != nil {
		return out, ""
	}
	var in []string
	for _, p := range out {
		if p.Start != year {
			in = append(in, p.Label)
		}
	}
	if len(in) == 0 {
		return out, ""
	}
	return out, fmt.Sprintf("figures in force in %d without starting in it: %s", year, strings.Join(in, ", "))
}

// sameFigure reports whether two figures are made of the same observations.
func sameFigure(a, b *Value) bool {
	if len(a.Parts) == 0 || len(a.Parts) != len(b.Parts) {
		return false
	}
	for i := range a.Parts {
		if a.Parts[i].ID != b.Parts[i].ID {
			return false
		}
	}
	return true
}

// askedPeriod is the period a comparison asks for: the one named, else the year.
func askedPeriod(year int, per *warehouse.Period) warehouse.Period {
	if per != nil {
		return *per
	}
	return yearPeriod(year)
}

func sortedDesc(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(out)))
	return out
}
