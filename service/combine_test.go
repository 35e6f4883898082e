package service

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
)

func near(p *float64, want float64) bool { return p != nil && math.Abs(*p-want) < 1e-9 }

func ids(obs []*warehouse.Observation) string {
	var s []string
	for _, o := range obs {
		s = append(s, o.ID)
	}
	return strings.Join(s, ",")
}

// Combining figures as a reader of a merged province, a region or the nation relies on:
// counts summed, shares as summed numerators over summed denominators (never an average of
// percentages), and a null with the reason whenever a part is missing or cannot be summed.
func TestCombineByAggregationRule(t *testing.T) {
	metric := func(id string) *warehouse.Metric {
		c := testCatalog()
		c.Index()
		return c.Metric(id)
	}
	p := func(o warehouse.Observation) *warehouse.Observation { return &o }
	a, b := p(ratio("A", "2020", 19, 77)), p(ratio("B", "2020", 11, 42))
	noDen := p(ob("B", "share", "2020", 26.19))
	zero := p(ob("A", "share", "2020", 0))
	zero.Numerator, zero.Denominator = f(0), f(0)
	cases := []struct {
		name     string
		metric   string
		parts    map[string]*warehouse.Observation
		subjects []string
		value    *float64 // nil: no value
		display  string
		reason   string
		missing  string
		used     string
	}{
		// 30/119 = 25.2100…%, not the mean of 24.68 % and 26.19 % (25.43).
		{"share", "share", map[string]*warehouse.Observation{"A": a, "B": b}, []string{"A", "B"}, f(3000.0 / 119), "25.21",
			"summed numerators over summed denominators of 2 units", "", a.ID + "," + b.ID},
		{"share without a denominator", "share", map[string]*warehouse.Observation{"A": a, "B": noDen}, []string{"A", "B"}, nil, "",
			"1 of 2 units lack an exact value with numerator and denominator", "B", ""},
		{"share of zero denominators", "share", map[string]*warehouse.Observation{"A": zero}, []string{"A", "C"}, nil, "",
			"1 of 2 units lack an exact value with numerator and denominator", "C", ""},
		{"shares of zero denominators only", "share", map[string]*warehouse.Observation{"A": zero, "C": zero}, []string{"A", "C"}, nil, "",
			"the summed denominators are zero", "", ""},
		{"counts", "count", map[string]*warehouse.Observation{"A": p(ob("A", "count", "2020", 7)), "B": p(ob("B", "count", "2020", 5)), "C": p(ob("C", "count", "2020", 0))},
			[]string{"A", "B", "C"}, f(12), "12", "sum of 3 units", "", "A/count/2020,B/count/2020,C/count/2020"},
		{"a count missing", "count", map[string]*warehouse.Observation{"A": p(ob("A", "count", "2020", 7))},
			[]string{"A", "B", "C"}, nil, "", "2 of 3 units lack an exact value", "B,C", ""},
		{"a count that is a bound", "count", map[string]*warehouse.Observation{"A": p(ob("A", "count", "2020", 7)), "B": p(withQual(ob("B", "count", "2020", 5), "LOWER_BOUND"))},
			[]string{"A", "B"}, nil, "", "1 of 2 units lack an exact value", "B", ""},
		{"an approximate count", "count", map[string]*warehouse.Observation{"A": p(ob("A", "count", "2020", 7)), "B": p(withQual(ob("B", "count", "2020", 50), "APPROXIMATE"))},
			[]string{"A", "B"}, nil, "", "1 of 2 units lack an exact value", "B", ""},
		{"an amount is never combined", "rate", map[string]*warehouse.Observation{"A": p(ob("A", "rate", "2020", 1.5)), "B": p(ob("B", "rate", "2020", 2.5))},
			[]string{"A", "B"}, nil, "", "rate cannot be combined across provinces", "", ""},
		// One unit is its own figure, a bound included, shown as published.
		{"one unit, a bound", "share", map[string]*warehouse.Observation{"A": p(withQual(ob("A", "share", "2020", 98.4), "LOWER_BOUND"))},
			[]string{"A"}, f(98.4), ">98.4", "", "", "A/share/2020"},
		{"one unit without a figure", "share", nil, []string{"A"}, nil, "", "no value", "A", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := Combine(metric(c.metric), c.parts, c.subjects)
			if (c.value == nil) != (v.Value == nil) || c.value != nil && !near(v.Value, *c.value) {
				t.Errorf("value %v, want %v", deref(v.Value), deref(c.value))
			}
			if v.Display() != c.display || v.Reason != c.reason || strings.Join(v.Missing, ",") != c.missing || ids(v.Parts) != c.used {
				t.Errorf("display %q reason %q missing %v parts %s\nwant    %q reason %q missing %s parts %s",
					v.Display(), v.Reason, v.Missing, ids(v.Parts), c.display, c.reason, c.missing, c.used)
			}
			if strings.Join(v.Combined(), ",") != strings.Join(c.subjects, ",") {
				t.Errorf("combined %v, want %v", v.Combined(), c.subjects)
			}
			if c.value != nil && c.metric == "share" && len(c.subjects) > 1 && (!near(v.Numerator, 30) || !near(v.Denominator, 119)) {
				t.Errorf("numerator %v denominator %v, want 30 and 119", deref(v.Numerator), deref(v.Denominator))
			}
		})
	}
}

// A combined figure is never more certain than its parts: its status is the weakest of
// them (SYNTHETIC, then PROVISIONAL, then DERIVED, then PUBLISHED).
func TestWeakestStatus(t *testing.T) {
	for _, c := range []struct {
		statuses []warehouse.Status
		want     any
	}{
		{[]warehouse.Status{"PUBLISHED", "PUBLISHED"}, warehouse.StatusPublished},
		{[]warehouse.Status{"PUBLISHED", "DERIVED"}, warehouse.StatusDerived},
		{[]warehouse.Status{"DERIVED", "PROVISIONAL", "PUBLISHED"}, warehouse.StatusProvisional},
		{[]warehouse.Status{"PROVISIONAL", "SYNTHETIC", "PUBLISHED"}, warehouse.StatusSynthetic},
		{[]warehouse.Status{"SYNTHETIC", "PUBLISHED"}, warehouse.StatusSynthetic},
		{nil, nil},
	} {
		var parts []*warehouse.Observation
		for _, s := range c.statuses {
			parts = append(parts, &warehouse.Observation{Status: s})
		}
		v := Value{Parts: parts}
		var got any
		if s := v.Status(); s != nil {
			got = *s
		}
		if got != c.want {
			t.Errorf("%v: %v, want %v", c.statuses, got, c.want)
		}
	}
}

// A VN34 unit before 2025 is its VN63 predecessors combined, in compare as in the region
// benchmark: the value, its parts (each observation used), the weakest status, the units it
// is made of, and the reason when a predecessor is missing.
func TestCompareProjectsVN34BeforeTheMerger(t *testing.T) {
	hn := ratio("VN63-01", "2020", 12, 40)
	hg, cb := ratio("VN63-02", "2020", 19, 77), withStatus(ratio("VN63-04", "2020", 11, 42), warehouse.StatusProvisional)
	hp := ratio("VN63-31", "2020", 5, 50)
	svc, _ := newFake(t, hn, hg, cb, hp)
	c, err := svc.Compare(context.Background(), CompareArgs{Metric: "share", Year: 2020, Map: warehouse.VN34})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Projected || c.Map != warehouse.VN34 {
		t.Fatalf("projected %v on %s", c.Projected, c.Map)
	}
	// Two of three VN34 units have a figure: too few to rank (MinRanked), and the answer says so.
	if c.RankOf != 2 || c.RankNote != "not ranked: 2 of 3 units have a figure (a rank needs 3)" {
		t.Errorf("rankOf %d note %q", c.RankOf, c.RankNote)
	}
	// Hà Nội: its one predecessor, 12/40 = 30 %, as published.
	if r := rowOf(t, c, "VN34-01"); !near(r.Value(), 30) || ids(r.Fig.Parts) != hn.ID || *r.Fig.Status() != "PUBLISHED" || r.Rank != nil {
		t.Errorf("VN34-01: %v parts %s rank %v", deref(r.Value()), ids(r.Fig.Parts), ival(r.Rank))
	}
	// Tuyên Quang: (19+11)/(77+42) = 30/119 = 25.21 %, provisional because one part is.
	r := rowOf(t, c, "VN34-08")
	if !near(r.Value(), 3000.0/119) || r.Display() != "25.21" || !near(r.Numerator(), 30) || !near(r.Denominator(), 119) ||
		ids(r.Fig.Parts) != hg.ID+","+cb.ID || *r.Fig.Status() != "PROVISIONAL" || strings.Join(r.Fig.Combined(), ",") != "VN63-02,VN63-04" ||
		*r.Qualifier() != "EXACT" || r.Observation() != nil || r.Rank != nil || r.Figure().Period().Label != "2020" {
		t.Errorf("VN34-08: %v (%s) %v/%v parts %s status %s of %v rank %v", deref(r.Value()), r.Display(), deref(r.Numerator()), deref(r.Denominator()),
			ids(r.Fig.Parts), *r.Fig.Status(), r.Fig.Combined(), ival(r.Rank))
	}
	// Hải Phòng: Hưng Yên has no figure, so no value, and the reason names the gap.
	r = rowOf(t, c, "VN34-31")
	if r.Value() != nil || r.Fig.Status() != nil || r.Qualifier() != nil || r.Display() != "" || r.RankRange != nil ||
		strings.Join(r.Fig.MissingUnits(), ",") != "VN63-33" || r.Fig.Note() != "1 of 2 units lack an exact value with numerator and denominator" ||
		r.TargetStatus() != NoData || r.Figure().Period() != nil {
		t.Errorf("VN34-31: %v missing %v note %q status %s", deref(r.Value()), r.Fig.MissingUnits(), r.Fig.Note(), r.TargetStatus())
	}
	if c.RankOf != 2 {
		t.Errorf("rankOf %d, want 2", c.RankOf)
	}
	// The VN34 northern region: Hà Nội's and Tuyên Quang's predecessors, (12+19+11)/(40+77+42).
	if len(c.Benchmarks) != 1 || c.Benchmarks[0].ID != "region:VN34:north" || !near(c.Benchmarks[0].Figure().Value, 4200.0/159) ||
		*c.Benchmarks[0].Fig.Status() != "PROVISIONAL" || len(c.Benchmarks[0].Fig.Parts) != 3 {
		t.Errorf("benchmarks %+v", c.Benchmarks)
	}
	// The nation combines every unit of the map, Hưng Yên included: no value.
	if c.National.Fig.Value != nil || c.National.Fig.Reason != "1 of 5 units lack an exact value with numerator and denominator" {
		t.Errorf("national %v %q", deref(c.National.Fig.Value), c.National.Fig.Reason)
	}
	// From 2025 a VN34 unit is only itself: no figure of its own, no value.
	c, err = svc.Compare(context.Background(), CompareArgs{Metric: "share", Year: 2025, Map: warehouse.VN34})
	if err != nil || c.Projected || c.RankOf != 0 {
		t.Fatalf("2025: %v projected %v rankOf %d", err, c.Projected, c.RankOf)
	}
}

// A group or the nation is its own published figure when it has one, else its members
// combined; the regions of the map and the group asked for are benchmarks; a group or
// "VN" listed among the provinces is shown with its figure but never ranked.
func TestGroupsAndNationPreferTheirOwnFigure(t *testing.T) {
	svc, _ := newFake(t,
		ob("VN63-01", "count", "2020", 10), ob("VN63-02", "count", "2020", 20), ob("VN63-04", "count", "2020", 5),
		ob("VN63-31", "count", "2020", 7), ob("VN63-33", "count", "2020", 8),
		ob("VN", "count", "2020", 100), ob("region:VN63:coast", "count", "2020", 16),
	)
	c, err := svc.Compare(context.Background(), CompareArgs{Metric: "count", Year: 2020, Map: warehouse.VN63, Group: "cluster5",
		Provinces: []string{"VN", "cluster5", "VN63-01"}})
	if err != nil {
		t.Fatal(err)
	}
	// Published 100, not the members' sum of 50.
	if !near(c.National.Fig.Value, 100) || c.National.Fig.Reason != "published figure for Việt Nam" || c.National.Fig.Observation == nil {
		t.Errorf("national %v %q", deref(c.National.Fig.Value), c.National.Fig.Reason)
	}
	got := ""
	for _, b := range c.Benchmarks {
		got += fmt.Sprintf("%s=%v(%s) ", b.ID, deref(b.Fig.Value), b.Fig.Reason)
	}
	// North: 10+20+5 summed; the coast: its own 16, not 7+8; cluster 5 (asked for): 10+5+7.
	want := "region:VN63:north=35(sum of 3 units) region:VN63:coast=16(published figure for Coast) cluster5=22(sum of 3 units) "
	if got != want {
		t.Errorf("benchmarks %s\nwant       %s", got, want)
	}
	// Rows: Hà Nội ranked (20, 10, 8, 7, 5 puts its 10 second), then "VN" and the cluster in
	// the order asked, unranked.
	line := ""
	for _, r := range c.Rows {
		line += fmt.Sprintf("%s=%v/%v ", r.Province.ID, deref(r.Value()), ival(r.Rank))
	}
	if line != "VN63-01=10/2 VN=100/<nil> cluster5=22/<nil> " {
		t.Errorf("rows %s", line)
	}
	// Without a group, only the regions are benchmarks.
	c, err = svc.Compare(context.Background(), CompareArgs{Metric: "count", Year: 2020, Map: warehouse.VN63})
	if err != nil || len(c.Benchmarks) != 2 {
		t.Fatalf("%v: %d benchmarks, want the 2 regions", err, len(c.Benchmarks))
	}
}

// Synthetic figures are shown only when asked for, fill only cells no real figure fills,
// and mark every figure they enter as SYNTHETIC; among synthetic rows the newer source wins.
func TestSyntheticFiguresOnlyWhenAskedAndMarked(t *testing.T) {
	syn := func(o warehouse.Observation, src string) warehouse.Observation {
		return fromSource(withStatus(o, warehouse.StatusSynthetic), src)
	}
	svc, fs := newFake(t,
		ob("VN63-01", "count", "2020", 10), syn(ob("VN63-01", "count", "2020", 99), "syn-2"),
		syn(ob("VN63-02", "count", "2020", 20), "syn-1"), syn(ob("VN63-02", "count", "2020", 21), "syn-2"),
		ob("VN63-04", "count", "2020", 5),
	)
	ctx := context.Background()
	args := CompareArgs{Metric: "count", Year: 2020, Map: warehouse.VN63, Group: "region:VN63:north"}
	c, err := svc.Compare(ctx, args)
	if err != nil {
		t.Fatal(err)
	}
	if r := rowOf(t, c, "VN63-02"); r.Value() != nil {
		t.Errorf("a synthetic figure shown without includeSynthetic: %v", *r.Value())
	}
	if north := c.Benchmarks[0]; north.Fig.Value != nil || north.Fig.Reason != "1 of 3 units lack an exact value" {
		t.Errorf("north without synthetic: %v %q", deref(north.Fig.Value), north.Fig.Reason)
	}
	args.IncludeSynthetic = true
	c, err = svc.Compare(ctx, args)
	if err != nil {
		t.Fatal(err)
	}
	if r := rowOf(t, c, "VN63-01"); !near(r.Value(), 10) || *r.Fig.Status() != "PUBLISHED" {
		t.Errorf("VN63-01: the real 10 must beat the synthetic 99, got %v", deref(r.Value()))
	}
	if r := rowOf(t, c, "VN63-02"); !near(r.Value(), 21) || *r.Fig.Status() != "SYNTHETIC" {
		t.Errorf("VN63-02: the newer synthetic source's 21, got %v", deref(r.Value()))
	}
	// 10 + 21 + 5 = 36, synthetic because one part is.
	if north := c.Benchmarks[0]; !near(north.Fig.Value, 36) || *north.Fig.Status() != "SYNTHETIC" {
		t.Errorf("north with synthetic: %v %v", deref(north.Fig.Value), north.Fig.Status())
	}
	// The synthetic rows were asked for separately, one per cell, by the preference rule.
	last := fs.filters[len(fs.filters)-1]
	if last.OnePerCell == nil || !last.IncludeSynthetic || fmt.Sprint(last.Statuses) != "[SYNTHETIC]" {
		t.Errorf("synthetic query %+v", last)
	}
	if src := last.OnePerCell.Sources; len(src) != len(testCatalog().Sources) || src[0] != "off-1" || src[1] != "seed-1" ||
		src[len(src)-2] != "syn-2" || src[len(src)-1] != "syn-1" {
		t.Errorf("source order %v: official documents first (the newer first), synthetic last (the newer first)", src)
	}
}
