package service

import (
	"fmt"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
)

// Pure rules of honest figures, with expectations computed by hand; no engine needed.

func f(x float64) *float64 { return &x }

var share = &warehouse.Metric{ID: "s", Kind: warehouse.MetricShare, Aggregation: "RATIO", Better: "HIGHER"}

func fig(v float64, q warehouse.Qualifier) *Value { return &Value{Value: f(v), Qualifier: q} }

func TestRankRangesWithTiesAndBounds(t *testing.T) {
	// 29.2, 21.82, 21.82, 15, and three "<10" (0–10 for a share), one ">20" (20–100).
	figs := []*Value{fig(29.2, "EXACT"), fig(21.82, "EXACT"), fig(21.82, "EXACT"), fig(15, "EXACT"),
		fig(10, "UPPER_BOUND"), fig(10, "UPPER_BOUND"), fig(10, "UPPER_BOUND"), fig(20, "LOWER_BOUND")}
	iv := make([]*Interval, len(figs))
	for i, v := range figs {
		x, _ := interval(share, v)
		iv[i] = &x
	}
	got := rankRanges(iv, true)
	// By hand. 29.2: nothing is surely above it; ">20" (up to 100) could be: 1–2.
	// 21.82: 29.2 is surely above; 29.2 and ">20" could be (the tie does not count): 2–3.
	// 15: 29.2, both 21.82 and ">20" (at least 20) are surely above: 5–5. "<10" (0–10):
	// the five figures above 10 are surely above; the two other bounds could be: 6–8.
	// ">20": nothing is surely above; 29.2, 21.82 and 21.82 could be: 1–4.
	want := []RankRange{{1, 2}, {2, 3}, {2, 3}, {5, 5}, {6, 8}, {6, 8}, {6, 8}, {1, 4}}
	for i := range want {
		if *got[i] != want[i] {
			t.Errorf("%s: rank range %v, want %v", figs[i].Display(), *got[i], want[i])
		}
	}
	// Exact values only: competition ranks 1, 2, 2, 4, each certain.
	ex := []*Interval{{29.2, 29.2}, {21.82, 21.82}, {21.82, 21.82}, {15, 15}, nil}
	r := rankRanges(ex, true)
	if fmt.Sprint(*r[0], *r[1], *r[2], *r[3], r[4]) != "{1 1} {2 2} {2 2} {4 4} <nil>" || *certain(r[1]) != 2 {
		t.Fatalf("exact ranks %v %v %v %v %v", *r[0], *r[1], *r[2], *r[3], r[4])
	}
	// Lower is better: 3 ranks first, "<5" (0–5) could beat it.
	lo := rankRanges([]*Interval{{3, 3}, {0, 5}, {8, 8}}, false)
	if fmt.Sprint(*lo[0], *lo[1], *lo[2]) != "{1 2} {1 2} {3 3}" {
		t.Fatalf("lower is better: %v %v %v", *lo[0], *lo[1], *lo[2])
	}
}

func TestTargetStatusOfBoundsAndSignedGap(t *testing.T) {
	atLeast15 := &warehouse.Target{Lower: f(15), LowerInclusive: true}
	over35 := &warehouse.Target{Lower: f(35)}
	band := &warehouse.Target{Lower: f(20), Upper: f(25), LowerInclusive: true, UpperInclusive: true}
	cases := []struct {
		t      *warehouse.Target
		v      *Value
		status TargetStatus
		gap    *float64
	}{
		{atLeast15, fig(10, "UPPER_BOUND"), TargetBelow, nil},                                              // "<10" against "≥ 15": decided, no single gap
		{&warehouse.Target{Lower: f(5), LowerInclusive: true}, fig(10, "UPPER_BOUND"), TargetUnknown, nil}, // "<10" against "≥ 5"
		{atLeast15, fig(98.4, "LOWER_BOUND"), TargetMet, nil},                                              // ">98.4" against "≥ 15"
		{atLeast15, fig(15, "UPPER_BOUND"), TargetUnknown, nil},                                            // "<15" might be exactly 15
		{atLeast15, fig(29.2, "EXACT"), TargetMet, f(14.2)},                                                // a surplus is positive
		{atLeast15, fig(15.09, "EXACT"), TargetMet, f(0.09)},                                               //
		{over35, fig(30.26, "EXACT"), TargetBelow, f(-4.74)},                                               // NA share 2021-2026 against "> 35"
		{over35, fig(35, "EXACT"), TargetBelow, f(0)},                                                      // 35 is not over 35
		{band, fig(22, "EXACT"), TargetMet, f(2)},                                                          // nearest bound 20
		{band, fig(24, "EXACT"), TargetMet, f(1)},                                                          // nearest bound 25
		{band, fig(27, "EXACT"), TargetAbove, f(-2)},                                                       // beyond the upper bound
		{atLeast15, fig(30, "APPROXIMATE"), TargetMet, nil},                                                // ≈30 is 25–35
		{atLeast15, &Value{}, NoData, nil},
		{nil, fig(1, "EXACT"), NoTarget, nil},
	}
	for _, c := range cases {
		gap, st := attainment(share, c.t, c.v)
		if st != c.status || fmt.Sprint(deref(gap)) != fmt.Sprint(deref(c.gap)) || (gap == nil) != (c.gap == nil) {
			t.Errorf("%q against %+v: %s gap %v, want %s gap %v", c.v.Display(), c.t, st, deref(gap), c.status, deref(c.gap))
		}
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestCombinedFigureTakesWeakestStatusAndListsParts(t *testing.T) {
	// A VN34 unit projected from three VN63 predecessors: one synthetic, two published.
	obs := func(id string, status warehouse.Status, num, den float64) *warehouse.Observation {
		return &warehouse.Observation{ID: id, SubjectID: id, Value: f(100 * num / den), Numerator: f(num), Denominator: f(den), Qualifier: "EXACT", Status: status}
	}
	parts := map[string]*warehouse.Observation{"A": obs("A", "PUBLISHED", 19, 77), "B": obs("B", "SYNTHETIC", 13, 72), "C": obs("C", "PUBLISHED", 11, 42)}
	v := Combine(share, parts, []string{"A", "B", "C"})
	// (19+13+11)/(77+72+42) = 43/191 = 22.513…%
	if v.Value == nil || fmt.Sprintf("%.2f", *v.Value) != "22.51" || *v.Status() != "SYNTHETIC" || len(v.Parts) != 3 || v.Display() != "22.51" {
		t.Fatalf("combined %v status %v parts %d", deref(v.Value), v.Status(), len(v.Parts))
	}
	parts["B"].Status = "PROVISIONAL"
	if *v.Status() != "PROVISIONAL" {
		t.Fatalf("published + provisional is %s", *v.Status())
	}
	// A bound cannot be summed: no value, no parts, the reason.
	parts["B"].Qualifier = "UPPER_BOUND"
	v = Combine(share, parts, []string{"A", "B", "C"})
	if v.Value != nil || v.Status() != nil || len(v.Parts) != 0 || v.Reason != "1 of 3 units lack an exact value with numerator and denominator" {
		t.Fatalf("with a bound: %+v", v)
	}
	if d := fig(10, "UPPER_BOUND").Display(); d != "<10" {
		t.Fatalf("display %q", d)
	}
	if h := []float64{halfUnit(29.2), halfUnit(30), halfUnit(1100), halfUnit(7)}; fmt.Sprint(h) != "[0.05 5 50 0.5]" {
		t.Fatalf("half units %v", h)
	}
}

func TestConflictRule(t *testing.T) {
	cat := &warehouse.Catalog{Sources: []warehouse.Source{
		{ID: "press-a", Kind: "press", Date: "2020-10-01"}, {ID: "press-b", Kind: "press", Date: "2021-01-05"},
		{ID: "official", Kind: "official", Date: "2019"}, {ID: "press-undp"}, {ID: "press-vnp"},
	}}
	cat.Sources[3].Kind, cat.Sources[4].Kind = "press", "press"
	cat.Index()
	o := func(id, src string, q warehouse.Qualifier, v float64) warehouse.Observation {
		return warehouse.Observation{ID: id, SubjectID: "VN", Period: warehouse.Period{Kind: "TERM", Start: 2016, End: 2021, Label: "term:2016-2021"},
			Value: f(v), Qualifier: q, Status: "PUBLISHED", SourceID: src}
	}
	svc := &Service{cat: cat}
	pick := func(obs ...warehouse.Observation) (string, bool) {
		cells, contested := svc.pickCells(obs)
		top := cells["VN"]["term:2016-2021"]
		return top.ID, len(contested[top.ID]) > 0
	}
	// By date: the later press article wins, whatever the order read.
	if id, c := pick(o("a", "press-a", "EXACT", 1), o("b", "press-b", "EXACT", 2)); id != "b" || c {
		t.Fatalf("by date: %s contested %v", id, c)
	}
	// By issuer kind: an official document over a later press article that disagrees with
	// it, even as a bound (">3" cannot hold 2).
	if id, c := pick(o("b", "press-b", "EXACT", 2), o("off", "official", "LOWER_BOUND", 3)); id != "off" || c {
		t.Fatalf("by kind: %s contested %v", id, c)
	}
	// The same bound agreeing with the press's exact figure (">1" holds 2) is no conflict:
	// the exact figure is shown and the official bound corroborates it.
	if id, c := pick(o("b", "press-b", "EXACT", 2), o("off", "official", "LOWER_BOUND", 1)); id != "b" || c {
		t.Fatalf("agreeing bound: %s contested %v", id, c)
	}
	// Exact over a bound when kind and date are level.
	if id, c := pick(o("x", "press-undp", "LOWER_BOUND", 26), o("y", "press-vnp", "EXACT", 26.72)); id != "y" || c {
		t.Fatalf("exact over bound: %s contested %v", id, c)
	}
	// A true tie (NA term XIV: 26.8 from UNDP, 26.72 from VietnamPlus, both undated press):
	// contested, whatever the order read.
	for _, obs := range [][]warehouse.Observation{
		{o("undp", "press-undp", "EXACT", 26.8), o("vnp", "press-vnp", "EXACT", 26.72)},
		{o("vnp", "press-vnp", "EXACT", 26.72), o("undp", "press-undp", "EXACT", 26.8)},
	} {
		if _, c := pick(obs...); !c {
			t.Fatal("a true tie is not flagged contested")
		}
	}
	// Two sources level under the rule that print the same figure corroborate each other:
	// not contested. A third level source with another figure makes it contested again,
	// whichever order the rows are read in.
	same := []warehouse.Observation{o("undp", "press-undp", "EXACT", 26.72), o("vnp", "press-vnp", "EXACT", 26.72)}
	if _, c := pick(same...); c {
		t.Fatal("two level sources printing the same figure are flagged contested")
	}
	cat.Sources = append(cat.Sources, warehouse.Source{ID: "press-zz", Kind: "press"})
	cat.Index()
	for _, obs := range [][]warehouse.Observation{
		append(same[:2:2], o("zz", "press-zz", "EXACT", 27)),
		{o("zz", "press-zz", "EXACT", 27), same[1], same[0]},
	} {
		if _, c := pick(obs...); !c {
			t.Fatal("a level third source with another figure is not flagged contested")
		}
	}
	// The declared source priority breaks what is left: the higher one wins, not contested,
	// whatever the order read.
	cat.Sources[3].Priority = 5 // press-undp
	cat.Index()
	for _, obs := range [][]warehouse.Observation{
		{o("undp", "press-undp", "EXACT", 26.8), o("vnp", "press-vnp", "EXACT", 26.72)},
		{o("vnp", "press-vnp", "EXACT", 26.72), o("undp", "press-undp", "EXACT", 26.8)},
	} {
		if id, c := pick(obs...); id != "undp" || c {
			t.Fatalf("by priority: %s contested %v", id, c)
		}
	}
	// Priority comes after exactness: an exact figure beats a bound of a higher priority.
	if id, c := pick(o("x", "press-undp", "LOWER_BOUND", 26), o("y", "press-vnp", "EXACT", 26.72)); id != "y" || c {
		t.Fatalf("priority before exactness: %s contested %v", id, c)
	}
}

func TestNameKeysAndAliases(t *testing.T) {
	for in, want := range map[string]string{
		"Hanoi": "ha noi", "Hà Nội": "ha noi", "HCMC": "ho chi minh", "TP Hồ Chí Minh": "ho chi minh", "Ho Chi Minh City": "ho chi minh",
		"TP Cần Thơ": "can tho", "ba ria vung tau": "ba ria vung tau", "Bà Rịa - Vũng Tàu": "ba ria vung tau", "Thành phố Đà Nẵng": "da nang",
	} {
		if got := nameKey(in); got != want {
			t.Errorf("nameKey(%q) = %q, want %q", in, got, want)
		}
	}
}
