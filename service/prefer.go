package service

import (
	"sort"

	"github.com/cadrestat/cadrestat/warehouse"
)

// The declared preference rule for a cell several sources fill. Figures that agree (one's
// interval holds the other's) are not in conflict: the most informative of those agreeing
// with the rule's first figure is shown (the narrowest interval, then one with its counts)
// and the others corroborate it, within one status tier (final, provisional, synthetic),
// so a preliminary figure never beats a final one. Figures that disagree are ordered by the
// rule: the stronger status (published, derived, provisional, synthetic); an official
// document (seed documents and official sources) over a user-loaded one over the press; a
// later publication over an earlier one (an undated source counts as the earliest, so the
// same order can be given to the engine, see cellOrder); an exact value over a bound or an
// approximation; then the catalogue's declared source priority (higher first). A figure
// still level with the rule's first after that and disagreeing with the one shown is a true
// tie: the cell is contested, both are shown (the other as an alternative), and the source
// ID only makes the choice repeatable, not right.
var statusRank = map[warehouse.Status]int{warehouse.StatusPublished: 0, warehouse.StatusDerived: 1, warehouse.StatusProvisional: 2, warehouse.StatusSynthetic: 3}
var kindRank = map[string]int{"seed": 0, "official": 0, "user": 1, "press": 2, "synthetic": 3}
var periodRank = map[warehouse.PeriodKind]int{warehouse.PeriodYear: 0, warehouse.PeriodTerm: 1, warehouse.PeriodAsOf: 2, warehouse.PeriodRange: 3}

// PreferenceRule is the rule above, in words, for the API.
const PreferenceRule = "figures that agree (an exact value inside a bound, equal values) do not conflict: the most informative one agreeing with the first by the order below is shown " +
	"(the narrowest interval, then one with numerator and denominator) and the others corroborate it, never lifting a provisional or synthetic figure over a final (published or derived) one; " +
	"figures that disagree are ordered: published > derived > provisional > synthetic; then official documents (seed and official sources) > user-loaded > press; " +
	"then the later publication date (an undated source counts as the earliest); then exact values before bounds and approximations; " +
	"then the higher declared source priority (sources.priority in the catalogue, default 0); " +
	"a disagreeing figure still level with the first is a true tie: the cell is flagged contested and both are shown (the source id only makes the order repeatable)"

// compareCell is -1 when a is preferred to b, 1 when b is, 0 on a true tie.
func compareCell(cat *warehouse.Catalog, a, b *warehouse.Observation) int {
	less := func(x, y int) int {
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	if c := less(statusRank[a.Status], statusRank[b.Status]); c != 0 {
		return c
	}
	sa, sb := cat.Source(a.SourceID), cat.Source(b.SourceID)
	if sa != nil && sb != nil {
		if c := less(kindRank[sa.Kind], kindRank[sb.Kind]); c != 0 {
			return c
		}
		if sa.Date != sb.Date { // ISO dates compare as text; an undated source sorts first
			if sa.Date > sb.Date {
				return -1
			}
			return 1
		}
	}
	ea, eb := a.Qualifier == warehouse.QualExact, b.Qualifier == warehouse.QualExact
	if ea != eb {
		if ea {
			return -1
		}
		return 1
	}
	if sa != nil && sb != nil {
		return less(-sa.Priority, -sb.Priority)
	}
	return 0
}

func (s *Service) better(cat *warehouse.Catalog, a, b *warehouse.Observation) bool {
	if c := compareCell(cat, a, b); c != 0 {
		return c < 0
	}
	return a.SourceID < b.SourceID
}

// yearlyBetter chooses what a start year is compared on when a year and a term both start
// in it: the stronger status, then an exact value, then the year, then the cell rule.
func yearlyBetter(cat *warehouse.Catalog, a, b *warehouse.Observation) bool {
	if statusRank[a.Status] != statusRank[b.Status] {
		return statusRank[a.Status] < statusRank[b.Status]
	}
	if ea, eb := a.Qualifier == warehouse.QualExact, b.Qualifier == warehouse.QualExact; ea != eb {
		return ea
	}
	if periodRank[a.Period.Kind] != periodRank[b.Period.Kind] {
		return periodRank[a.Period.Kind] < periodRank[b.Period.Kind]
	}
	if c := compareCell(cat, a, b); c != 0 {
		return c < 0
	}
	return a.SourceID < b.SourceID
}

// cellOrder is the rule for the warehouse (warehouse.CellOrder), used for synthetic rows
// only: statuses and period kinds by rank, and every catalogue source in the order of the
// rule's source part (kind, newer date, id). The engine puts exact values before the source
// order, the rule after it; synthetic rows are all exact, so the two agree on them.
func (s *Service) cellOrder() *warehouse.CellOrder {
	cat := s.Catalog()
	srcs := make([]*warehouse.Source, len(cat.Sources))
	for i := range cat.Sources {
		srcs[i] = &cat.Sources[i]
	}
	sort.SliceStable(srcs, func(i, j int) bool {
		a, b := srcs[i], srcs[j]
		if kindRank[a.Kind] != kindRank[b.Kind] {
			return kindRank[a.Kind] < kindRank[b.Kind]
		}
		if a.Date != b.Date {
			return a.Date > b.Date
		}
		return a.ID < b.ID
	})
	ids := make([]string, len(srcs))
	for i, src := range srcs {
		ids[i] = src.ID
	}
	return &warehouse.CellOrder{Statuses: byRank(statusRank), PeriodKinds: byRank(periodRank), Sources: ids}
}

// byRank lists a rank map's keys best first.
func byRank[K ~string](m map[K]int) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return m[out[i]] < m[out[j]] })
	return out
}

// Order sorts observations of one cell best first.
func (s *Service) Order(obs []*warehouse.Observation) {
	cat := s.Catalog()
	sort.SliceStable(obs, func(i, j int) bool { return s.better(cat, obs[i], obs[j]) })
}

// pickCells keeps the preferred observation of each cell (subject and period label), and
// for each preferred one whose cell is contested, the figures that dispute it (see pickCell).
func (s *Service) pickCells(obs []warehouse.Observation) (map[string]map[string]*warehouse.Observation, map[string][]*warehouse.Observation) {
	cat := s.Catalog()
	byCell := map[string]map[string][]*warehouse.Observation{}
	for i := range obs {
		o := &obs[i]
		bySubj := byCell[o.SubjectID]
		if bySubj == nil {
			bySubj = map[string][]*warehouse.Observation{}
			byCell[o.SubjectID] = bySubj
		}
		bySubj[o.Period.Label] = append(bySubj[o.Period.Label], o)
	}
	out := make(map[string]map[string]*warehouse.Observation, len(byCell))
	contested := map[string][]*warehouse.Observation{}
	for subj, byLabel := range byCell {
		picked := make(map[string]*warehouse.Observation, len(byLabel))
		for l, list := range byLabel {
			top, rivals := s.pickCell(cat, list)
			picked[l] = top
			if len(rivals) > 0 {
				contested[top.ID] = rivals
			}
		}
		out[subj] = picked
	}
	return out, contested
}

// pickCell chooses the figure shown for one cell and returns the figures that dispute it.
// Figures that agree (one's interval holds the other's: 8 inside "<10", equal values) do
// not conflict: the most informative of those agreeing with the rule's first wins and the
// others corroborate it (Cần Thơ's exact 8 % stands, the later "<10" backs it). The rule
// only orders figures that disagree: one it puts below the rule's first is overruled; one
// level with it is a true tie, and the cell is contested. Precision never lifts a figure
// over a stronger status tier: a provisional or synthetic figure never beats a final one.
func (s *Service) pickCell(cat *warehouse.Catalog, obs []*warehouse.Observation) (*warehouse.Observation, []*warehouse.Observation) {
	if len(obs) == 1 {
		return obs[0], nil
	}
	first := obs[0]
	for _, o := range obs[1:] {
		if s.better(cat, o, first) {
			first = o
		}
	}
	m := metricOrAny(cat, first.MetricID)
	best := first
	for _, o := range obs {
		if o != first && tierOf[o.Status] == tierOf[first.Status] && agree(m, o, first) && s.moreInformative(cat, m, o, best) {
			best = o
		}
	}
	var rivals []*warehouse.Observation
	for _, o := range obs {
		if o != best && !agree(m, o, best) && compareCell(cat, first, o) == 0 {
			rivals = append(rivals, o)
		}
	}
	return best, rivals
}

// tierOf groups statuses for agreement: final figures (published, and derived from
// published counts), then provisional ones, then synthetic ones.
var tierOf = map[warehouse.Status]int{warehouse.StatusPublished: 0, warehouse.StatusDerived: 0, warehouse.StatusProvisional: 1, warehouse.StatusSynthetic: 2}

// metricOrAny is the metric, or one without floor or ceiling when the catalogue lacks it.
func metricOrAny(cat *warehouse.Catalog, id string) *warehouse.Metric {
	if m := cat.Metric(id); m != nil {
		return m
	}
	return &warehouse.Metric{ID: id}
}

func obsInterval(m *warehouse.Metric, o *warehouse.Observation) (Interval, bool) {
	v := single(o, o.SubjectID, "")
	return interval(m, &v)
}

// agree reports whether two figures can both be true and one says all the other does: one
// interval holds the other ("<10" holds 8; "<15" holds "<10"; 26.72 holds 26.72). Figures
// that merely overlap (≈30 and >28) or state different exact values disagree.
func agree(m *warehouse.Metric, a, b *warehouse.Observation) bool {
	x, ok1 := obsInterval(m, a)
	y, ok2 := obsInterval(m, b)
	if !ok1 || !ok2 {
		return false
	}
	return (x.Lo <= y.Lo && y.Hi <= x.Hi) || (y.Lo <= x.Lo && x.Hi <= y.Hi)
}

// moreInformative: the narrower interval, then a figure with its counts (numerator and
// denominator) over one without, then the rule's order.
func (s *Service) moreInformative(cat *warehouse.Catalog, m *warehouse.Metric, a, b *warehouse.Observation) bool {
	x, _ := obsInterval(m, a)
	y, _ := obsInterval(m, b)
	if wa, wb := x.Hi-x.Lo, y.Hi-y.Lo; wa != wb {
		return wa < wb
	}
	ca, cb := a.Numerator != nil && a.Denominator != nil, b.Numerator != nil && b.Denominator != nil
	if ca != cb {
		return ca
	}
	return s.better(cat, a, b)
}

// Corroborates reports whether other agrees with the figure o shown for their cell: a
// source backing it, not disputing it (an exact value inside a bound, the same value).
func (s *Service) Corroborates(o, other *warehouse.Observation) bool {
	return o.ID != other.ID && agree(metricOrAny(s.Catalog(), o.MetricID), o, other)
}
