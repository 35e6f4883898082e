package service

import (
	"math"
	"sort"

	"github.com/cadrestat/cadrestat/warehouse"
)

// RankRange is the best and worst competition rank a figure could hold. An exact value
// among exact values has Best == Worst; a bound (or an exact value whose neighbours are
// bounds) may hold any rank in between.
type RankRange struct{ Best, Worst int }

// rankRanges ranks intervals, best first (higher values when higherBetter, else lower).
// A figure's best rank counts only the others that are surely better than it (their whole
// interval beats its best end); its worst rank counts every other that could be better.
// For exact values this is the competition rank (1, 2, 2, 4). A nil interval is unranked.
func rankRanges(iv []*Interval, higherBetter bool) []*RankRange {
	out := make([]*RankRange, len(iv))
	for i, a := range iv {
		if a == nil {
			continue
		}
		r := &RankRange{Best: 1, Worst: 1}
		for j, b := range iv {
			if j == i || b == nil {
				continue
			}
			if higherBetter {
				if b.Lo > a.Hi {
					r.Best++
				}
				if b.Hi > a.Lo {
					r.Worst++
				}
			} else {
				if b.Hi < a.Lo {
					r.Best++
				}
				if b.Lo < a.Hi {
					r.Worst++
				}
			}
		}
		out[i] = r
	}
	return out
}

// rankRows sets every row's rank range among rows (the rank itself only when it is
// certain) and sorts rows best first: by best rank, then worst rank, then the order they
// came in; rows without a figure come last. It returns how many rows were ranked.
func rankRows(rows []*Row, higherBetter bool, set func(r *Row, rr *RankRange)) int {
	iv := make([]*Interval, len(rows))
	n := 0
	for i, r := range rows {
		if r.iv != nil {
			iv[i] = r.iv
			n++
		}
	}
	rr := rankRanges(iv, higherBetter)
	for i, r := range rows {
		set(r, rr[i])
	}
	return n
}

func sortRows(rows []*Row) {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i].order, rows[j].order
		if a == nil || b == nil {
			return a != nil
		}
		if a.Best != b.Best {
			return a.Best < b.Best
		}
		return a.Worst < b.Worst
	})
}

// certain is the rank when the range holds one rank only.
func certain(rr *RankRange) *int {
	if rr == nil || rr.Best != rr.Worst {
		return nil
	}
	n := rr.Best
	return &n
}

// rankInterval is the interval a figure ranks as: its own, widened to hold every value of
// the figures disputing it when its cell is contested. A true tie may be settled either
// way, so the figure may hold any rank its disagreeing values would take, and the units
// around it may be passed by any of them: Huế's 100 % disputed by 99.99 % is not a
// certain first.
func rankInterval(m *warehouse.Metric, v *Value) (Interval, bool) {
	iv, ok := interval(m, v)
	if !ok {
		return iv, false
	}
	for _, o := range v.rivals {
		if r, ok := obsInterval(m, o); ok {
			iv.Lo, iv.Hi = math.Min(iv.Lo, r.Lo), math.Max(iv.Hi, r.Hi)
		}
	}
	return iv, true
}
