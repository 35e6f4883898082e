package service

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/warehouse"
)

// The containment rule of a target's periods: a term holds itself, the years of it but
// the last (the next congress's year) and the ranges within it; a range holds every
// period whose years lie in it.
func TestPeriodWithinTargetPeriods(t *testing.T) {
	per := func(l string) warehouse.Period {
		p, msg := ingest.ParsePeriod(l)
		if msg != "" {
			t.Fatal(l, msg)
		}
		return p
	}
	for _, c := range []struct {
		entry, period string
		want          bool
	}{
		{"term:2020-2025", "term:2020-2025", true},
		{"term:2020-2025", "term:2025-2030", false}, // the committees elected in 2025
		{"term:2020-2025", "term:2015-2020", false},
		{"term:2020-2025", "2020", true},
		{"term:2020-2025", "2023", true},
		{"term:2020-2025", "2025", false}, // a year compared finds the term starting in it
		{"term:2020-2025", "asof:2022-06-30", true},
		{"term:2020-2025", "range:2021-2024", true},
		{"term:2020-2025", "range:2019-2024", false},
		{"range:2022-2026", "asof:2024-11-25", true},
		{"range:2022-2026", "asof:2019-07-11", false},
		{"range:2022-2026", "range:2015-2021", false},
		{"range:2016-2021", "asof:2019-07-11", true},
		{"range:2020-2030", "term:2021-2026", true},
		{"range:2020-2030", "term:2026-2031", false},
	} {
		if got := periodWithin(per(c.period), per(c.entry)); got != c.want {
			t.Errorf("%s within %s: %v, want %v", c.period, c.entry, got, c.want)
		}
	}
}

// scopedFake is the test catalogue with the national share targets given periods: a
// Chỉ thị-35-like "≥ 15 % by 2020" that judges the 2020–2025 congresses, and "≥ 20 % by
// 2030" that judges the 2025–2030 ones; Hà Nội's own target judges no period of the data.
func scopedFake(t *testing.T, drop []string, obs ...warehouse.Observation) *Service {
	t.Helper()
	cat := testCatalog()
	var kept []warehouse.Target
	for _, tg := range cat.Targets {
		if position(drop, tg.ID) == len(drop) {
			kept = append(kept, tg)
		}
	}
	cat.Targets = kept
	for i := range cat.Targets {
		tg := &cat.Targets[i]
		switch tg.ID {
		case "t-nat-2025":
			tg.Deadline, tg.Directive, tg.Applies = 2020, "Chỉ thị 35", []string{"term:2020-2025"}
		case "t-nat-2030":
			tg.Directive, tg.Applies = "Later directive", []string{"term:2025-2030"}
		case "t-hn-2025":
			tg.Directive, tg.Applies = "Hà Nội plan", []string{"range:2016-2019"}
		}
	}
	fs := &fakeStore{version: 1, cat: cat, obs: obs}
	svc := New(fs, nil)
	if err := svc.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	return svc
}

// A target passes judgement only on the periods it states: the 2025–2030 committees are
// judged by the 2030 target, never by the 15 % of a directive for the 2020–2025 term, and
// a unit whose only candidate does not apply is NO_TARGET with the target named and why.
func TestTargetJudgesOnlyItsPeriods(t *testing.T) {
	svc := scopedFake(t, nil,
		ob("VN63-01", "share", "term:2025-2030", 22), ob("VN63-02", "share", "term:2025-2030", 18),
		ob("VN63-01", "share", "term:2020-2025", 12), ob("VN63-02", "share", "term:2020-2025", 16),
	)
	ctx := context.Background()
	for _, c := range []struct {
		args CompareArgs
		want string // per unit: status and target (or considered target)
	}{
		// Hà Nội's own plan judges 2016–2019 only, so the national targets judge it.
		{CompareArgs{Metric: "share", Year: 2025, Map: warehouse.VN63}, "VN63-01:MET:t-nat-2030 VN63-02:BELOW:t-nat-2030"},
		{CompareArgs{Metric: "share", Period: "term:2025-2030", Map: warehouse.VN63}, "VN63-01:MET:t-nat-2030 VN63-02:BELOW:t-nat-2030"},
		{CompareArgs{Metric: "share", Year: 2020, Map: warehouse.VN63}, "VN63-02:MET:t-nat-2025 VN63-01:BELOW:t-nat-2025"},
	} {
		cmp, err := svc.Compare(ctx, CompareArgs{Metric: c.args.Metric, Year: c.args.Year, Period: c.args.Period, Map: c.args.Map, Provinces: []string{"VN63-01", "VN63-02"}})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range cmp.Rows {
			got = append(got, fmt.Sprintf("%s:%s:%s", r.Province.ID, r.Status, r.Target.ID))
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%+v: %s, want %s", c.args, strings.Join(got, " "), c.want)
		}
	}

	// Without the 2030 target, the 2025–2030 committees have none: NO_TARGET, the 15 %
	// named as considered with the reason, and nothing counted met or below.
	svc = scopedFake(t, []string{"t-nat-2030", "t-hn-2025"}, ob("VN63-01", "share", "term:2025-2030", 22), ob("VN63-02", "share", "term:2025-2030", 12), ob("VN", "share", "term:2025-2030", 17))
	a, err := svc.TargetAttainment(ctx, CompareArgs{Metric: "share", Year: 2025, Map: warehouse.VN63})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(a.Met, a.Below, a.Above, a.Unknown, a.NoData); got != "0 0 0 0 0" {
		t.Errorf("met below above unknown noData = %s, want none counted against an expired term's target", got)
	}
	r := rowOf(t, &Comparison{Rows: a.Rows}, "VN63-01")
	if r.Status != NoTarget || r.Target != nil || r.Gap != nil || r.TargetConsidered == nil || r.TargetConsidered.ID != "t-nat-2025" {
		t.Fatalf("VN63-01: status %s target %v considered %v", r.Status, r.Target, r.TargetConsidered)
	}
	if want := "no target applies: Chỉ thị 35 (≥ 15 %, deadline 2020) judges term:2020-2025, not term:2025-2030"; r.TargetNote != want {
		t.Errorf("note %q\nwant %q", r.TargetNote, want)
	}
	if a.Target != nil || a.TargetConsidered == nil || !strings.Contains(a.TargetNote, "not 2025") {
		t.Errorf("header: target %v considered %v note %q", a.Target, a.TargetConsidered, a.TargetNote)
	}
	if n := a.National; n.Status != NoTarget || n.TargetConsidered == nil || !strings.Contains(n.TargetNote, "not term:2025-2030") {
		t.Errorf("national %+v", n)
	}
}

// Among several targets the one that applies wins even when another's deadline is nearer.
func TestApplicableTargetBeatsNearerDeadline(t *testing.T) {
	svc := scopedFake(t, nil)
	// 2022: t-nat-2025 (deadline 2020 here) judges term 2020–2025's years; the 2030 target
	// judges 2025–2030 only.
	if got := svc.targetFor("share", "VN63-02", yearPeriod(2022)); got.Target == nil || got.Target.ID != "t-nat-2025" || got.Note != "Chỉ thị 35 (≥ 15 %) judges term:2020-2025" {
		t.Errorf("2022: %+v", got)
	}
	if got := svc.targetFor("share", "VN63-02", yearPeriod(2026)); got.Target == nil || got.Target.ID != "t-nat-2030" {
		t.Errorf("2026: %+v", got)
	}
	// Hà Nội's own target judges 2016–2019: there it beats the national ones.
	if got := svc.targetFor("share", "VN63-01", yearPeriod(2017)); got.Target == nil || got.Target.ID != "t-hn-2025" {
		t.Errorf("2017: %+v", got)
	}
}
