package main

// The requests the scenarios send (bench/README.md describes each scenario).

import (
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/cadrestat/cadrestat/bench/internal/load"
)

const compareQ = `query($m: ID!, $y: Int!, $map: Map, $s: Boolean, $p: [ID!]) { compare(metric: $m, year: $y, map: $map, includeSynthetic: $s, provinces: $p) {
  rows { rank province { id name } value numerator denominator change gapToTarget targetStatus observation { status source { title } } }
  national { figure { value } } benchmarks { id figure { value } } target { label } } }`

var metrics = []string{"female_provincial_committee_share", "youth_provincial_committee_share", "female_pc_provincial_share", "staff_cut", "new_members",
	"female_na_share", "female_district_committee_share", "female_commune_committee_share", "training_attendances", "party_members_total"}

// dashboard is a page's 20 queries: the same every page view.
func dashboard() [][]byte {
	var out [][]byte
	for i := 0; i < 20; i++ {
		out = append(out, load.Query(compareQ, map[string]any{"m": metrics[i%len(metrics)], "y": 2015 + i%6, "map": "VN63", "s": true}))
	}
	return out
}

// unique makes a comparison no earlier request asked for (a cache miss every time): all 63
// units, listed in a different order and with a different metric and year each time, so
// every answer has the same 63 rows. (An extra "nonce" variable no longer makes a miss: the
// response cache keys on the operation's coerced variables only.)
func unique(i int64) []byte { return load.Query(compareQ, uniqueVars(i)) }

// uniqueVars are unique's variables (the peer asks the same metric, year and units).
// 10 metrics × 15 years × 63 rotations make 9,450 different requests; past those (a 10 s
// scenario at 945 req/s) the k-th cycle also swaps the first unit with the k-th, so the
// sequence stays new up to 62 cycles (~590k requests) instead of turning into cache hits.
func uniqueVars(i int64) map[string]any {
	units := vn63Units()
	n := int64(len(metrics))
	r := int(i/(n*15)) % len(units)
	rotated := append(append([]string{}, units[r:]...), units[:r]...)
	if k := int(i/(n*15*int64(len(units)))) % len(units); k > 0 {
		rotated[0], rotated[k] = rotated[k], rotated[0]
	}
	return map[string]any{"m": metrics[i%n], "y": 2010 + int(i/n)%15, "map": "VN63", "s": true, "p": rotated}
}

var vn63Units = sync.OnceValue(func() []string {
	raw, err := os.ReadFile("data/provinces.csv")
	if err != nil {
		panic("bench runs from the repository root: " + err.Error())
	}
	var out []string
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Split(line, ","); len(f) > 2 && f[0] == "VN63" {
			out = append(out, "VN63-"+f[1])
		}
	}
	return out
})

// nationalSeries is one metric's national figure for every year: each point sums every
// unit's numerators and denominators (or takes a published national figure).
func nationalSeries(i int64) []byte {
	// A new operation name each time makes a new document, so the response cache misses
	// (it keys on the parsed document and the coerced variables, not on extra variables).
	return load.Query(fmt.Sprintf(`query Series%d($m: ID!) { series(metric: $m, provinces: ["VN"], from: 2010, to: 2030, includeSynthetic: true) { points { year value figure { numerator denominator } } } }`, i),
		map[string]any{"m": metrics[i%int64(len(metrics))]})
}

// national aggregates every province's numerators and denominators for one year.
func national(i int64) []byte {
	return load.Query(fmt.Sprintf(`query National%d($m: ID!, $y: Int!) { compare(metric: $m, year: $y, map: VN34, includeSynthetic: true) { national { figure { value numerator denominator } } } }`, i),
		map[string]any{"m": metrics[i%3], "y": 2010 + int(i%21)})
}
