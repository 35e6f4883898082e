package service

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
)

// A year inside a term finds that term's figures (2023 → 2020–2025), says so, is judged by
// the term's target and is not its own previous figure; a year with a figure of its own
// keeps it; the term's last year belongs to the next term; a range is never a year's figure;
// an as-of count answers for the year it was taken in, the latest count first.
func TestYearInsideATermFindsTheTerm(t *testing.T) {
	svc := scopedFake(t, []string{"t-hn-2025"},
		ob("VN63-01", "share", "term:2015-2020", 10), ob("VN63-01", "share", "term:2020-2025", 14),
		ob("VN63-02", "share", "term:2020-2025", 16), ob("VN63-02", "share", "2023", 17),
		ob("VN63-04", "share", "range:2021-2024", 30),
		ob("VN63-01", "count", "asof:2023-03-01", 100), ob("VN63-01", "count", "asof:2023-09-30", 120),
		ob("VN63-02", "count", "asof:2022-12-31", 90),
	)
	ctx := context.Background()
	c, err := svc.Compare(ctx, CompareArgs{Metric: "share", Year: 2023, Map: warehouse.VN63})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range c.Rows {
		if r.Fig.Value != nil {
			got = append(got, fmt.Sprintf("%s=%s@%s", r.Province.ID, r.Fig.Display(), r.Fig.Parts[0].Period.Label))
		}
	}
	if want := "VN63-02=17@2023 VN63-01=14@term:2020-2025"; strings.Join(got, " ") != want {
		t.Errorf("rows %s\nwant %s", strings.Join(got, " "), want)
	}
	if c.RankOf != 2 {
		t.Errorf("rankOf %d, want 2 (the range is no figure of 2023)", c.RankOf)
	}
	if want := "figures in force in 2023 without starting in it: term:2020-2025"; c.PeriodNote != want {
		t.Errorf("note %q, want %q", c.PeriodNote, want)
	}
	var labels []string
	for _, p := range c.PeriodsUsed {
		labels = append(labels, p.Label)
	}
	if strings.Join(labels, " ") != "term:2020-2025 2023" {
		t.Errorf("periodsUsed %v", labels)
	}
	hn := rowOf(t, c, "VN63-01")
	if hn.Target == nil || hn.Target.ID != "t-nat-2025" || hn.Status != TargetBelow {
		t.Errorf("Hà Nội judged by %v as %s, want the 2020–2025 term's target, BELOW", hn.Target, hn.Status)
	}
	if hn.PrevYear != 2015 || hn.Change == nil || *hn.Change != 4 {
		t.Errorf("Hà Nội's change from %d: %v (%s), want +4 since the 2015–2020 term", hn.PrevYear, hn.Change, hn.ChangeNote)
	}

	// 2025 is the next term's year: nothing of 2020–2025 answers it.
	if c, err = svc.Compare(ctx, CompareArgs{Metric: "share", Year: 2025, Map: warehouse.VN63}); err != nil {
		t.Fatal(err)
	}
	if c.RankOf != 0 || c.PeriodNote != "" {
		t.Errorf("2025: rankOf %d note %q, want nothing", c.RankOf, c.PeriodNote)
	}

	// As-of counts: the latest taken in the year asked.
	if c, err = svc.Compare(ctx, CompareArgs{Metric: "count", Year: 2023, Map: warehouse.VN63}); err != nil {
		t.Fatal(err)
	}
	if r := rowOf(t, c, "VN63-01"); r.Fig.Display() != "120" || r.Fig.Parts[0].Period.Label != "asof:2023-09-30" {
		t.Errorf("count 2023: %s at %v, want 120 at asof:2023-09-30", r.Fig.Display(), r.Fig.Parts)
	}
	if c.RankOf != 1 {
		t.Errorf("count 2023 rankOf %d: the 2022 count must not answer for 2023", c.RankOf)
	}

	// A series from inside a term starts with the term in force, unless from has a figure of
	// its own.
	ser, err := svc.Series(ctx, SeriesArgs{Metric: "share", Provinces: []string{"VN63-01", "VN63-02"}, From: 2023, To: 2024, Map: warehouse.VN63})
	if err != nil {
		t.Fatal(err)
	}
	var pts []string
	for _, s := range ser {
		for _, p := range s.Points {
			pts = append(pts, fmt.Sprintf("%s:%d:%s", s.Province.ID, p.Year, p.Period.Label))
		}
	}
	if want := "VN63-01:2020:term:2020-2025 VN63-02:2023:2023"; strings.Join(pts, " ") != want {
		t.Errorf("series %s\nwant %s", strings.Join(pts, " "), want)
	}
}
