package service

import (
	"sort"

	"github.com/cadrestat/cadrestat/warehouse"
)

// The declared preference rule for a cell several sources fill: published before derived
// before provisional before synthetic; exact values before bounds; seed documents and
// official sources before press; then the newer source date; then the source ID (so the
// choice is deterministic). The others are returned as alternatives.
var statusRank = map[string]int{warehouse.StatusPublished: 0, warehouse.StatusDerived: 1, warehouse.StatusProvisional: 2, warehouse.StatusSynthetic: 3}
var kindRank = map[string]int{"seed": 0, "official": 1, "user": 2, "press": 3, "synthetic": 4}
var periodRank = map[string]int{"YEAR": 0, "TERM": 1, "ASOF": 2, "RANGE": 3}

// PreferenceRule is the rule above, in words, for the API.
const PreferenceRule = "published > derived > provisional > synthetic; exact values before bounds; seed and official sources before press; newer source date; then source id"

func (s *Service) better(cat *warehouse.Catalog, a, b *warehouse.Observation) bool {
	if statusRank[a.Status] != statusRank[b.Status] {
		return statusRank[a.Status] < statusRank[b.Status]
	}
	if (a.Qualifier == warehouse.QualExact) != (b.Qualifier == warehouse.QualExact) {
		return a.Qualifier == warehouse.QualExact
	}
	if periodRank[a.Period.Kind] != periodRank[b.Period.Kind] {
		return periodRank[a.Period.Kind] < periodRank[b.Period.Kind]
	}
	sa, sb := cat.Source(a.SourceID), cat.Source(b.SourceID)
	if sa != nil && sb != nil {
		if kindRank[sa.Kind] != kindRank[sb.Kind] {
			return kindRank[sa.Kind] < kindRank[sb.Kind]
		}
		if sa.Date != sb.Date {
			return sa.Date > sb.Date
		}
	}
	return a.SourceID < b.SourceID
}

// cellOrder is the rule for the warehouse (warehouse.CellOrder): statuses and period kinds
// by rank, and every catalogue source in the order of the rule's source part (kind, newer
// date, id), which is the order better gives two observations that differ only by source.
func (s *Service) cellOrder() *warehouse.CellOrder {
	byRank := func(m map[string]int) []string {
		out := make([]string, 0, len(m))
		for k := range m {
			out = append(out, k)
		}
		sort.Slice(out, func(i, j int) bool { return m[out[i]] < m[out[j]] })
		return out
	}
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

// Order sorts observations of one cell best first.
func (s *Service) Order(obs []*warehouse.Observation) {
	cat := s.Catalog()
	sort.SliceStable(obs, func(i, j int) bool { return s.better(cat, obs[i], obs[j]) })
}

// pick indexes observations by subject and start year, keeping the preferred one of each.
func (s *Service) pick(obs []warehouse.Observation) map[string]map[int]*warehouse.Observation {
	cat := s.Catalog()
	out := map[string]map[int]*warehouse.Observation{}
	for i := range obs {
		o := &obs[i]
		bySubj := out[o.SubjectID]
		if bySubj == nil {
			bySubj = map[int]*warehouse.Observation{}
			out[o.SubjectID] = bySubj
		}
		if cur := bySubj[o.Period.Start]; cur == nil || s.better(cat, o, cur) {
			bySubj[o.Period.Start] = o
		}
	}
	return out
}
