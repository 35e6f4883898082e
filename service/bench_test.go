package service

import (
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
)

// BenchmarkCombineAndRank measures the Go side of a 63-row comparison: combining
// predecessors and ranking with ties (as intervals).
func BenchmarkCombineAndRank(b *testing.B) {
	m := &warehouse.Metric{ID: "x", Kind: warehouse.MetricShare, Aggregation: "RATIO", Better: "HIGHER"}
	parts := map[string]*warehouse.Observation{}
	var ids []string
	for i := 0; i < 63; i++ {
		id := string(rune('A'+i%26)) + string(rune('a'+i/26))
		v, n, d := float64(i%17), float64(i%17), 100.0
		parts[id] = &warehouse.Observation{Value: &v, Numerator: &n, Denominator: &d, Qualifier: warehouse.QualExact}
		ids = append(ids, id)
	}
	b.ReportAllocs()
	for b.Loop() {
		rows := make([]*Row, 0, 63)
		for _, id := range ids {
			r := &Row{Fig: Combine(m, parts, []string{id})}
			if iv, ok := interval(m, &r.Fig); ok {
				r.iv = &iv
			}
			rows = append(rows, r)
		}
		_ = Combine(m, parts, ids)
		rankRows(rows, true, func(r *Row, rr *RankRange) { r.RankRange, r.Rank = rr, certain(rr) })
		sortRows(rows)
	}
}
