package service

import (
	"math"

	"github.com/cadrestat/cadrestat/warehouse"
)

// TargetStatus is how a figure stands against its target.
type TargetStatus string

const (
	TargetMet     TargetStatus = "MET"
	TargetBelow   TargetStatus = "BELOW"
	TargetAbove   TargetStatus = "ABOVE"
	TargetUnknown TargetStatus = "UNKNOWN" // the figure is a bound or approximation that does not decide it
	NoTarget      TargetStatus = "NO_TARGET"
	NoData        TargetStatus = "NO_DATA"
)

// statusAt is the status of one exact value against a target.
func statusAt(t *warehouse.Target, v float64) TargetStatus {
	if t.Lower != nil && (v < *t.Lower || (v == *t.Lower && !t.LowerInclusive)) {
		return TargetBelow
	}
	if t.Upper != nil && (v > *t.Upper || (v == *t.Upper && !t.UpperInclusive)) {
		return TargetAbove
	}
	return TargetMet
}

// attainment decides a figure against a target. A bound decides it only when both ends of
// its interval give the same status ("<10" against "≥ 15" is BELOW; "<10" against "≥ 5" is
// UNKNOWN): the statuses are consecutive ranges of values, so the two ends settle every
// value between them. The gap is the signed distance to the nearest bound of the target,
// positive on the right side of it (a surplus) and negative short of or beyond it; it is
// computed for exact values only, since a bound has no single distance. A contested figure
// is judged over its own value and every value disputing it (rankInterval): 100 % disputed
// by 99.99 % against "≥ 99.995" is UNKNOWN, and it has no single gap either.
func attainment(m *warehouse.Metric, t *warehouse.Target, v *Value) (*float64, TargetStatus) {
	if t == nil {
		return nil, NoTarget
	}
	iv, ok := rankInterval(m, v)
	if !ok {
		return nil, NoData
	}
	lo, hi := statusAt(t, iv.Lo), statusAt(t, iv.Hi)
	if lo != hi {
		return nil, TargetUnknown
	}
	if !v.Exact() || len(v.rivals) > 0 {
		return nil, lo
	}
	g := roundTo(gap(t, *v.Value), max(v.decimals(), targetDecimals(t)))
	return &g, lo
}

// targetDecimals is the precision of a target's bounds as written (15 → 0, 98.4 → 1).
func targetDecimals(t *warehouse.Target) int {
	d := 0
	for _, b := range []*float64{t.Lower, t.Upper} {
		if b != nil {
			d = max(d, writtenDecimals(*b))
		}
	}
	return d
}

func gap(t *warehouse.Target, x float64) float64 {
	g := math.Inf(1)
	if t.Lower != nil {
		g = x - *t.Lower
	}
	if t.Upper != nil {
		g = math.Min(g, *t.Upper-x)
	}
	if math.IsInf(g, 1) {
		return 0
	}
	return round6(g)
}

// TargetLabel renders a target's bounds with the metric's unit: "≥ 15 %", "20–25 %",
// "≥ 5 positions".
func (s *Service) TargetLabel(t *warehouse.Target) string {
	l := t.Label()
	m := s.Catalog().Metric(t.MetricID)
	if m == nil || m.Unit == "" || l == "" {
		return l
	}
	if m.Unit == "percent" {
		return l + " %"
	}
	return l + " " + m.Unit
}
