package service

import (
	"context"
	"math"
	"sort"

	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/warehouse"
)

// CompareArgs select a ranked comparison.
type CompareArgs struct {
	Metric           string
	Year             int
	Map              warehouse.Map
	Provinces        []string // IDs, codes or names; empty = all on the map
	Group            string
	IncludeSynthetic bool
}

// Row is one province in a comparison.
type Row struct {
	Rank     *int
	Province *warehouse.Province
	Fig      Value
	Previous *Value // the previous available period's value
	PrevYear int
	Change   *float64
	Target   *warehouse.Target
	Gap      *float64
	Status   string // MET | BELOW | ABOVE | NO_TARGET | NO_DATA
}

// Benchmark is an aggregate over a set of provinces (a region, a group, the nation).
type Benchmark struct {
	ID, Name string
	Fig      Value
}

// Comparison is the answer to compare.
type Comparison struct {
	Metric     *warehouse.Metric
	Year       int
	Map        warehouse.Map
	Rows       []*Row
	National   Benchmark
	Benchmarks []Benchmark
	Target     *warehouse.Target
	Projected  bool // VN34 before 2025: values combine VN63 predecessors
}

func (s *Service) metric(id string) (*warehouse.Metric, error) {
	m := s.Catalog().Metric(id)
	if m == nil {
		return nil, warehouse.Errorf(warehouse.KindNotFound, "unknown metric %q", id)
	}
	return m, nil
}

func checkYear(name string, y int) error {
	if y < ingest.MinYear || y > ingest.MaxYear {
		return warehouse.Errorf(warehouse.KindInvalid, "%s %d is outside %d–%d", name, y, ingest.MinYear, ingest.MaxYear)
	}
	return nil
}

// units resolves the provinces a query covers.
func (s *Service) units(m warehouse.Map, refs []string, group string) ([]*warehouse.Province, error) {
	if m != warehouse.VN63 && m != warehouse.VN34 {
		return nil, warehouse.Errorf(warehouse.KindInvalid, "map must be VN63 or VN34, not %q", m)
	}
	cat := s.Catalog()
	refs, err := distinct("provinces", refs, MaxUnits)
	if err != nil {
		return nil, err
	}
	if len(refs) > 0 {
		out := make([]*warehouse.Province, 0, len(refs))
		seen := make(map[string]bool, len(refs)) // a name and an ID of the same unit count once
		for _, r := range refs {
			p := nationUnit(m)
			if r != warehouse.NationalID {
				if p = cat.FindProvince(m, r); p == nil || p.Map != m {
					return nil, warehouse.Errorf(warehouse.KindNotFound, "unknown province %q on map %s", r, m)
				}
			}
			if !seen[p.ID] {
				seen[p.ID] = true
				out = append(out, p)
			}
		}
		return out, nil
	}
	return s.Provinces(m, "", group)
}

// nationUnit stands for the whole country where a query names "VN" among provinces (series
// and trends): its figure is the national one, published or combined from every unit.
func nationUnit(m warehouse.Map) *warehouse.Province {
	return &warehouse.Province{ID: warehouse.NationalID, Map: m, Code: warehouse.NationalID, Name: "Việt Nam", NameASCII: "Viet Nam", Kind: "nation"}
}

// subjectsOf lists the warehouse subjects that make up a unit in a year: itself, or on
// VN34 before 2025 its VN63 predecessors.
func subjectsOf(p *warehouse.Province, year int) []string {
	if p.Map == warehouse.VN34 && year < warehouse.MapChangeYear && len(p.Predecessors) > 0 {
		return p.Predecessors
	}
	return []string{p.ID}
}

// Compare ranks provinces on one metric in one year (a term is compared on its start year).
func (s *Service) Compare(ctx context.Context, a CompareArgs) (*Comparison, error) {
	m, err := s.metric(a.Metric)
	if err != nil {
		return nil, err
	}
	if err := checkYear("year", a.Year); err != nil {
		return nil, err
	}
	units, err := s.units(a.Map, a.Provinces, a.Group)
	if err != nil {
		return nil, err
	}
	cat := s.Catalog()
	sl, err := s.metricSlice(ctx, m.ID, a.IncludeSynthetic)
	if err != nil {
		return nil, err
	}
	best := sl.best // lookups below only touch the subjects and years this comparison needs
	c := &Comparison{Metric: m, Year: a.Year, Map: a.Map, Projected: a.Map == warehouse.VN34 && a.Year < warehouse.MapChangeYear}
	valueAt := func(u *warehouse.Province, y int) Value {
		subj := subjectsOf(u, y)
		parts := map[string]*warehouse.Observation{}
		for _, id := range subj {
			if o := best[id][y]; o != nil {
				parts[id] = o
			}
		}
		return Combine(m, parts, subj)
	}
	for _, u := range units {
		r := &Row{Province: u, Fig: valueAt(u, a.Year)}
		for _, y := range sl.years { // newest first
			if y >= a.Year {
				continue
			}
			if pv := valueAt(u, y); pv.Value != nil {
				r.Previous, r.PrevYear = &pv, y
				if r.Fig.Value != nil {
					ch := *r.Fig.Value - *pv.Value
					r.Change = &ch
				}
				break
			}
		}
		r.Target = s.targetFor(m.ID, u.ID, a.Year)
		r.Gap, r.Status = attainment(r.Target, r.Fig.Value)
		c.Rows = append(c.Rows, r)
	}
	rank(c.Rows, m.Better)
	c.Target = s.targetFor(m.ID, warehouse.NationalID, a.Year)
	c.National = s.national(m, best, a.Map, a.Year)
	for _, g := range cat.Groups {
		if g.Map != a.Map || len(g.Members) == 0 || (g.Kind != "region" && g.ID != a.Group) {
			continue
		}
		c.Benchmarks = append(c.Benchmarks, Benchmark{ID: g.ID, Name: g.Name, Fig: s.aggregate(m, best, g.Members, a.Year)})
	}
	return c, nil
}

// national prefers a published national figure; otherwise it combines all units of the map.
func (s *Service) national(m *warehouse.Metric, best map[string]map[int]*warehouse.Observation, mp warehouse.Map, year int) Benchmark {
	b := Benchmark{ID: warehouse.NationalID, Name: "Việt Nam"}
	if o := best[warehouse.NationalID][year]; o != nil {
		b.Fig = Value{Value: o.Value, Numerator: o.Numerator, Denominator: o.Denominator, Observation: o, Reason: "published national figure"}
		return b
	}
	var ids []string
	for _, p := range s.Catalog().ProvincesOn(mp) {
		ids = append(ids, p.ID)
	}
	b.Fig = s.aggregate(m, best, ids, year)
	return b
}

// aggregate combines units (expanding VN34 units to their predecessors before 2025).
func (s *Service) aggregate(m *warehouse.Metric, best map[string]map[int]*warehouse.Observation, ids []string, year int) Value {
	cat := s.Catalog()
	var subj []string
	parts := map[string]*warehouse.Observation{}
	for _, id := range ids {
		p := cat.Province(id)
		if p == nil {
			continue
		}
		for _, sid := range subjectsOf(p, year) {
			subj = append(subj, sid)
			if o := best[sid][year]; o != nil {
				parts[sid] = o
			}
		}
	}
	return Combine(m, parts, subj)
}

// targetFor returns the target that applies: the unit's own before the national one, the
// nearest deadline not before the year, else the latest.
func (s *Service) targetFor(metric, scope string, year int) *warehouse.Target {
	var best *warehouse.Target
	score := func(t *warehouse.Target) (int, int) {
		own := 1
		if t.Scope == scope {
			own = 0
		}
		d := t.Deadline - year
		if d < 0 {
			d = 1000 - d
		}
		return own, d
	}
	for _, t := range s.Catalog().TargetsFor(metric) {
		if t.Scope != scope && t.Scope != warehouse.NationalID {
			continue
		}
		if best == nil {
			best = t
			continue
		}
		o1, d1 := score(t)
		o2, d2 := score(best)
		if o1 < o2 || (o1 == o2 && d1 < d2) {
			best = t
		}
	}
	return best
}

// attainment gives the gap to the nearest bound (negative: short of a lower bound;
// positive: beyond an upper bound; 0: within) and the status.
func attainment(t *warehouse.Target, v *float64) (*float64, string) {
	if t == nil {
		return nil, "NO_TARGET"
	}
	if v == nil {
		return nil, "NO_DATA"
	}
	gap := 0.0
	status := "MET"
	if t.Lower != nil && (*v < *t.Lower || (*v == *t.Lower && !t.LowerInclusive && t.Upper == nil)) {
		gap, status = *v-*t.Lower, "BELOW"
	} else if t.Upper != nil && (*v > *t.Upper || (*v == *t.Upper && !t.UpperInclusive)) {
		gap, status = *v-*t.Upper, "ABOVE"
	}
	gap = math.Round(gap*1e6) / 1e6
	return &gap, status
}

// rank orders rows best first and gives competition ranks (1, 2, 2, 4); rows without a
// value are unranked and last.
func rank(rows []*Row, better string) {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i].Fig.Value, rows[j].Fig.Value
		if a == nil || b == nil {
			return a != nil
		}
		if better == "LOWER" {
			return *a < *b
		}
		return *a > *b
	})
	for i, r := range rows {
		if r.Fig.Value == nil {
			continue
		}
		n := i + 1
		if i > 0 && rows[i-1].Fig.Value != nil && *rows[i-1].Fig.Value == *r.Fig.Value {
			n = *rows[i-1].Rank
		}
		r.Rank = &n
	}
}

func sortedDesc(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(out)))
	return out
}
