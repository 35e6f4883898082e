package service

import (
	"sort"

	"github.com/cadrestat/cadrestat/warehouse"
)

// The declared preference rule for a cell several sources fill, in this order: the
// stronger status (published, derived, provisional, synthetic); an official document
// (seed documents and official sources) over a user-loaded one over the press; a later
// publication over an earlier one (an undated source counts as the earliest, so the same
// order can be given to the engine, see cellOrder); an exact value over a bound
// or an approximation; then the catalogue's declared source priority (higher first). Two
// figures still level after that and stating different values are a true tie: the cell is
// contested, both are shown
// (the other as an alternative), and the source ID only makes the choice repeatable, not
// right.
var statusRank = map[warehouse.Status]int{warehouse.StatusPublished: 0, warehouse.StatusDerived: 1, warehouse.StatusProvisional: 2, warehouse.StatusSynthetic: 3}
var kindRank = map[string]int{"seed": 0, "official": 0, "user": 1, "press": 2, "synthetic": 3}
var periodRank = map[warehouse.PeriodKind]int{warehouse.PeriodYear: 0, warehouse.PeriodTerm: 1, warehouse.PeriodAsOf: 2, warehouse.PeriodRange: 3}

// PreferenceRule is the rule above, in words, for the API.
const PreferenceRule = "published > derived > provisional > synthetic; then official documents (seed and official sources) > user-loaded > press; " +
	"then the later publication date (an undated source counts as the earliest); then exact values before bounds and approximations; " +
	"then the higher declared source priority (sources.priority in the catalogue, default 0); " +
	"a figure still level with the preferred one that states another value is a true tie: the cell is flagged contested and both are shown (the source id only makes the order repeatable); level sources printing the same figure corroborate and are not contested"

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

// pickCells keeps the preferred observation of each cell (subject and period label) and
// returns the IDs of those that tie with another source under the rule and disagree with
// it (contested). Two sources level under the rule that print the same figure corroborate
// each other: Thanh Hóa's 8 of 69 women, printed by two papers on one day, is not a
// dispute, and flagging it would send a journalist looking for a conflict that is not there.
func (s *Service) pickCells(obs []warehouse.Observation) (map[string]map[string]*warehouse.Observation, map[string]bool) {
	cat := s.Catalog()
	out := map[string]map[string]*warehouse.Observation{}
	for i := range obs {
		o := &obs[i]
		bySubj := out[o.SubjectID]
		if bySubj == nil {
			bySubj = map[string]*warehouse.Observation{}
			out[o.SubjectID] = bySubj
		}
		if cur := bySubj[o.Period.Label]; cur == nil || s.better(cat, o, cur) {
			bySubj[o.Period.Label] = o
		}
	}
	contested := map[string]bool{}
	for i := range obs {
		o := &obs[i]
		top := out[o.SubjectID][o.Period.Label]
		if o != top && !contested[top.ID] && compareCell(cat, top, o) == 0 && !sameFigure(top, o) {
			contested[top.ID] = true
		}
	}
	return out, contested
}

// sameFigure: two observations state the same thing (value, bound kind, counts).
func sameFigure(a, b *warehouse.Observation) bool {
	eq := func(x, y *float64) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	return a.Qualifier == b.Qualifier && eq(a.Value, b.Value) && eq(a.Numerator, b.Numerator) && eq(a.Denominator, b.Denominator)
}
