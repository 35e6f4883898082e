package server_test

import (
	"encoding/json"
	"fmt"
	"testing"
)

type coverageEntry struct {
	Period struct {
		Kind, Label string
		Start, End  int
	}
	Year                                          *int
	Units, Total, Published, Derived, Provisional int
	National                                      bool
}

const coverageFields = `period { kind label start end } year units total published derived provisional national`

// Over the bundle with the real engine: every period coverage lists is one where compare
// shows exactly that many units with a figure, by status, on both maps; the female committee
// share is known for the 2015, 2020 and 2025 terms; Metric.coverage agrees with
// Query.coverage; asking every metric's own coverage is refused as too complex.
func TestCoverageMatchesCompareOverTheBundle(t *testing.T) {
	ts, _ := newServer(t)
	for _, mp := range []string{"VN63", "VN34"} {
		var all []struct {
			Metric  struct{ ID string }
			Periods []coverageEntry
		}
		gql(t, ts, fmt.Sprintf(`{ coverage(map: %s) { metric { id } periods { %s } } }`, mp, coverageFields), &all)
		if len(all) < 60 {
			t.Fatalf("%s: coverage of %d metrics", mp, len(all))
		}
		withPeriods := 0
		for _, m := range all {
			if len(m.Periods) > 0 {
				withPeriods++
			}
			for _, c := range m.Periods {
				vars := map[string]any{"m": m.Metric.ID, "map": mp}
				q := `query($m: ID!, $y: Int, $p: String, $map: Map) { compare(metric: $m, year: $y, period: $p, map: $map) { rows { value figure { status period { kind start } } } national { figure { value period { kind start } } } } }`
				if c.Year != nil {
					vars["y"] = *c.Year
				} else {
					vars["p"] = c.Period.Label
				}
				res := post(t, ts, q, vars)
				if len(res.Errors) > 0 {
					t.Fatalf("compare %v: %+v", vars, res.Errors)
				}
				// A year's compare also shows figures in force in it without starting in it (a
				// term, the year's latest as-of count: periodNote); coverage counts each under its
				// own period, so only the yearly figures starting in the year are counted here.
				type per struct {
					Kind  string
					Start int
				}
				var cmp struct {
					Rows []struct {
						Value  *float64
						Figure struct {
							Status *string
							Period *per
						}
					}
					National struct {
						Figure struct {
							Value  *float64
							Period *per
						}
					}
				}
				own := func(p *per) bool {
					return c.Year == nil || (p != nil && p.Start == *c.Year && (p.Kind == "YEAR" || p.Kind == "TERM"))
				}
				json.Unmarshal(res.Data["compare"], &cmp)
				by := map[string]int{}
				n := 0
				for _, r := range cmp.Rows {
					if r.Value != nil && r.Figure.Status != nil && own(r.Figure.Period) {
						n++
						by[*r.Figure.Status]++
					}
				}
				if n != c.Units || by["PUBLISHED"] != c.Published || by["DERIVED"] != c.Derived || by["PROVISIONAL"] != c.Provisional || by["SYNTHETIC"] != 0 {
					t.Errorf("%s %s %s: coverage %+v, compare %d units %v", mp, m.Metric.ID, c.Period.Label, c, n, by)
				}
				if c.National != (cmp.National.Figure.Value != nil && own(cmp.National.Figure.Period)) {
					t.Errorf("%s %s %s: national %v", mp, m.Metric.ID, c.Period.Label, c.National)
				}
				if c.Units == 0 && !c.National {
					t.Errorf("%s %s %s: a period with no figure is listed", mp, m.Metric.ID, c.Period.Label)
				}
			}
		}
		// On VN34 a unit before 2025 has a figure only when all its predecessors do.
		if want := map[string]int{"VN63": 40, "VN34": 20}[mp]; withPeriods < want {
			t.Errorf("%s: only %d metrics have any coverage", mp, withPeriods)
		}
	}

	// The 2015 and 2020 terms on VN63, the 2025 term on VN34 (whose units it counts).
	var one, on34 struct {
		Metric struct{ Coverage []coverageEntry }
	}
	gql(t, ts, `{ compare(metric: "female_provincial_committee_share", year: 2020) { metric { coverage(map: VN63) { `+coverageFields+` } } } }`, &one)
	gql(t, ts, `{ compare(metric: "female_provincial_committee_share", year: 2020) { metric { coverage(map: VN34) { `+coverageFields+` } } } }`, &on34)
	terms := map[string]bool{}
	for _, c := range append(one.Metric.Coverage, on34.Metric.Coverage...) {
		if c.Year != nil && c.Period.Kind == "TERM" {
			terms[c.Period.Label] = true
		}
	}
	for _, l := range []string{"term:2015-2020", "term:2020-2025", "term:2025-2030"} {
		if !terms[l] {
			t.Errorf("female_provincial_committee_share: no coverage of %s: %+v %+v", l, one.Metric.Coverage, on34.Metric.Coverage)
		}
	}
	var listed []struct{ Periods []coverageEntry }
	gql(t, ts, `{ coverage(metrics: ["female_provincial_committee_share"]) { periods { `+coverageFields+` } } }`, &listed)
	a, _ := json.Marshal(one.Metric.Coverage)
	b, _ := json.Marshal(listed[0].Periods)
	if string(a) != string(b) {
		t.Errorf("Metric.coverage %s\n≠ Query.coverage %s", a, b)
	}

	res := post(t, ts, `{ metrics { coverage { units } } }`, nil)
	if len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != "COMPLEXITY_LIMIT_EXCEEDED" {
		t.Errorf("every metric's own coverage: %+v", res.Errors)
	}
	res = post(t, ts, `{ coverage(metrics: ["nope"]) { periods { units } } }`, nil)
	if len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != "NOT_FOUND" {
		t.Errorf("unknown metric: %+v", res.Errors)
	}
}
