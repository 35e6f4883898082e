package service

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
)

// briefFigures: Tuyên Quang (VN34-08) is Hà Giang and Cao Bằng before 2025.
func briefFigures() []warehouse.Observation {
	return []warehouse.Observation{
		ratio("VN63-02", "2020", 19, 77), fromSource(ratio("VN63-04", "2020", 11, 42), "off-1"),
		fromSource(ratio("VN63-02", "2015", 10, 50), "press-old"), fromSource(ratio("VN63-04", "2015", 10, 50), "press-old"),
		fromSource(ob("VN63-02", "count", "range:2016-2019", 40), "press-new"), ob("VN63-04", "count", "range:2016-2019", 2),
		ob("VN63-02", "vacancies", "2010", 3), // before the window: no item
	}
}

// A briefing officer relies on the brief being compare and series themselves, near the
// latest year, with the predecessors before the merger and every source numbered once in
// the order first cited; and on it costing one warehouse query, none when cached.
func TestBriefOfAMergedProvince(t *testing.T) {
	svc, fs := newFake(t, briefFigures()...)
	ctx := context.Background()
	b, err := svc.Brief(ctx, BriefArgs{Province: "Tuyên Quang", Map: warehouse.VN34})
	if err != nil {
		t.Fatal(err)
	}
	if q := fs.queries.Load(); q != 1 {
		t.Errorf("%d warehouse queries for a brief of 4 metrics; want 1", q)
	}
	// The latest start year of its figures (its predecessors') is 2020; the window 2015–2020.
	if b.Province.ID != "VN34-08" || b.Year != 2020 || b.FromYear != 2015 || b.Region == nil || b.Region.ID != "region:VN34:north" ||
		strings.Join(b.Predecessors, ",") != "VN63-02,VN63-04" || BriefURL(b, "en") != "/brief/VN34-08?year=2020&lang=en" || BriefURL(b, "") != "/brief/VN34-08?year=2020" {
		t.Fatalf("brief %+v", b)
	}
	// Sections in the order shown, empty ones dropped (vacancies has no figure since 2015,
	// rate none at all).
	var secs []string
	for _, s := range b.Sections {
		secs = append(secs, fmt.Sprintf("%s:%d", s.ID, len(s.Items)))
	}
	if strings.Join(secs, " ") != "party_committees:1 councils:1" {
		t.Fatalf("sections %v", secs)
	}
	sh := b.Sections[0].Items[0]
	// (19+11)/(77+42) = 25.21 % in 2020, from (10+10)/(50+50) = 20 % in 2015: +5.21, to the
	// two decimals a computed share carries.
	if sh.Metric.ID != "share" || sh.Year != 2020 || sh.Period != nil || !near(sh.Row.Value(), 3000.0/119) || !near(sh.Row.Change, 5.21) ||
		sh.RankOf != 1 || sh.Row.Target.ID != "t-nat-2025" || sh.Region == nil || sh.Region.Fig.Value != nil {
		t.Errorf("share item: %+v row %+v", sh, sh.Row)
	}
	// The predecessors' own rows on VN63, in lineage order (not rank order: 26.19 > 24.68);
	// two VN63 units have a figure, too few for a rank (MinRanked).
	if len(sh.Predecessors) != 2 || sh.Predecessors[0].Province.ID != "VN63-02" || !near(sh.Predecessors[0].Value(), 1900.0/77) ||
		sh.Predecessors[1].Province.ID != "VN63-04" || sh.Predecessors[1].Rank != nil || sh.Predecessors[0].RankRange != nil || sh.Predecessors[0].RankOf != 2 {
		t.Errorf("predecessors %+v", sh.Predecessors)
	}
	if pointLine(sh.Series) != "2015:2015=20 2020:2020=25.210084033613445 " {
		t.Errorf("series %s", pointLine(sh.Series))
	}
	// No yearly count: the range ending in the window, 40 + 2.
	ct := b.Sections[1].Items[0]
	if ct.Metric.ID != "count" || ct.Period == nil || ct.Period.Label != "range:2016-2019" || ct.Year != 2016 || !near(ct.Row.Value(), 42) || len(ct.Predecessors) != 2 {
		t.Errorf("count item: %+v period %+v", ct, ct.Period)
	}
	// The item's row is compare's row.
	c, err := svc.Compare(ctx, CompareArgs{Metric: "share", Year: 2020, Map: warehouse.VN34, Provinces: []string{"VN34-08"}})
	if err != nil || fmt.Sprint(c.Rows[0].RankRange, deref(c.Rows[0].Value()), c.Rows[0].ChangeNote) != fmt.Sprint(sh.Row.RankRange, deref(sh.Row.Value()), sh.Row.ChangeNote) {
		t.Errorf("brief row %+v differs from compare's %+v", sh.Row, c.Rows[0])
	}
	// Footnotes in the order first cited: the 2020 parts (seed, official), the 2015 parts
	// (press), the target's source (official, already 2); then the count's range (press-new, seed).
	var notes []string
	for _, s := range b.Sources {
		notes = append(notes, fmt.Sprintf("%d:%s:%s", s.Number, s.Source.ID, strings.Join(s.Metrics, "+")))
	}
	if got := strings.Join(notes, " "); got != "1:seed-1:share+count 2:off-1:share 3:press-old:share 4:press-new:count" {
		t.Errorf("footnotes %s", got)
	}
	if fmt.Sprint(sh.Notes, ct.Notes) != "[1 2 3] [1 4]" {
		t.Errorf("notes %v %v", sh.Notes, ct.Notes)
	}
	// A second brief reads nothing: the slices are cached.
	before := fs.queries.Load()
	if _, err := svc.Brief(ctx, BriefArgs{Province: "VN34-08", Year: 2020}); err != nil || fs.queries.Load() != before {
		t.Errorf("second brief: %v, %d queries", err, fs.queries.Load()-before)
	}
}

// A brief is for one province; anything else is named in the error.
func TestBriefArguments(t *testing.T) {
	svc, _ := newFake(t, briefFigures()...)
	ctx := context.Background()
	for _, c := range []struct {
		a    BriefArgs
		kind warehouse.ErrKind
		msg  string
	}{
		{BriefArgs{Province: "VN"}, warehouse.ErrInvalid, "a brief is for one province"},
		{BriefArgs{Province: "cluster5"}, warehouse.ErrInvalid, "a brief is for one province"},
		{BriefArgs{Province: " "}, warehouse.ErrInvalid, "province is empty"},
		{BriefArgs{Province: "VN63-01", Map: "X"}, warehouse.ErrInvalid, "map must be"},
		{BriefArgs{Province: "VN63-01", Year: 3000}, warehouse.ErrInvalid, "year 3000 is outside"},
		{BriefArgs{Province: "Atlantis"}, warehouse.ErrNotFound, `unknown province "Atlantis"`},
		{BriefArgs{Province: "Hưng Yên", Map: warehouse.VN63}, warehouse.ErrNotFound, "VN63-33 (Hưng Yên) has no figures; give year"},
	} {
		_, err := svc.Brief(ctx, c.a)
		if warehouse.KindOf(err) != c.kind || !strings.Contains(warehouse.ErrorMessage(err), c.msg) {
			t.Errorf("%+v: %v, want %s %q", c.a, err, c.kind, c.msg)
		}
	}
	// A year without figures near it: a brief with no sections, not an error.
	b, err := svc.Brief(ctx, BriefArgs{Province: "VN63-33", Year: 2020})
	if err != nil || len(b.Sections) != 0 || len(b.Sources) != 0 {
		t.Errorf("no figures near 2020: %v %+v", err, b)
	}
}

// Brief sections sort metrics by the body they count.
func TestBriefSectionOf(t *testing.T) {
	for body, want := range map[string]string{
		"provincial party committee": "party_committees", "People's Council": "councils", "National Assembly": "councils",
		"elections": "councils", "party organisation": "membership", "civil service": "staff",
	} {
		if got := briefSectionOf(&warehouse.Metric{ID: "x", Body: body}); got != want {
			t.Errorf("%q: %s, want %s", body, got, want)
		}
	}
	if got := briefSectionOf(&warehouse.Metric{ID: "party_units_removed", Body: "party organisation"}); got != "staff" {
		t.Errorf("party_units_removed: %s", got)
	}
	if got := briefSectionOf(&warehouse.Metric{ID: "committee_members_assigned", Body: "elections"}); got != "party_committees" {
		t.Errorf("committee_members_assigned: %s", got)
	}
}

// A table is compare laid out by unit: every cell is the row compare gives for that metric
// and year, duplicates in the lists count once, and the published slices of all its metrics
// cost one warehouse query.
func TestTableIsCompareCellByCell(t *testing.T) {
	svc, fs := newFake(t,
		ob("VN63-01", "share", "2020", 30), ob("VN63-02", "share", "2020", 20), withQual(ob("VN63-04", "share", "2020", 25), warehouse.QualLowerBound),
		ob("VN63-01", "share", "2015", 10), ob("VN63-01", "count", "2020", 7), ob("VN63-31", "count", "2015", 3),
	)
	ctx := context.Background()
	tb, err := svc.Table(ctx, TableArgs{Metrics: []string{"share", "count", "share"}, Years: []int{2020, 2015, 2020}})
	if err != nil {
		t.Fatal(err)
	}
	if q := fs.queries.Load(); q != 1 {
		t.Errorf("%d warehouse queries for a table of 2 metrics; want 1", q)
	}
	var cols []string
	for _, c := range tb.Columns {
		cols = append(cols, fmt.Sprintf("%s/%d", c.Metric.ID, c.Year))
	}
	if tb.Map != warehouse.VN63 || strings.Join(cols, " ") != "share/2020 share/2015 count/2020 count/2015" || len(tb.Rows) != 5 {
		t.Fatalf("map %s columns %v rows %d", tb.Map, cols, len(tb.Rows))
	}
	for i, col := range tb.Columns {
		c, err := svc.Compare(ctx, CompareArgs{Metric: col.Metric.ID, Year: col.Year, Map: warehouse.VN63})
		if err != nil {
			t.Fatal(err)
		}
		if col.RankOf() != c.RankOf || col.Projected() || col.National().Fig.Reason != c.National.Fig.Reason || (col.Target() == nil) != (c.Target == nil) {
			t.Errorf("column %s differs from compare", cols[i])
		}
		for _, tr := range tb.Rows {
			cell, want := tr.Cells[i], rowOf(t, c, tr.Province.ID)
			if fmt.Sprint(deref(cell.Value()), cell.RankRange, cell.Display(), cell.Status) != fmt.Sprint(deref(want.Value()), want.RankRange, want.Display(), want.Status) {
				t.Errorf("%s %s: cell %v, compare %v", cols[i], tr.Province.ID, cell, want)
			}
		}
	}
	// By hand: share 2020 is 30 (1–2), ">25" (1–2), 20 (3).
	if r := tb.Rows[0].Cells[0]; r.Province.ID != "VN63-01" || fmt.Sprint(*r.RankRange) != "{1 2}" || tb.Rows[1].Cells[0].Rank == nil || *tb.Rows[1].Cells[0].Rank != 3 {
		t.Errorf("share 2020 ranks %v %v", r.RankRange, tb.Rows[1].Cells[0].RankRange)
	}
	// A group's members only, with synthetic rows (no read-ahead: compare reads each metric).
	tb, err = svc.Table(ctx, TableArgs{Metrics: []string{"count"}, Years: []int{2020}, Map: warehouse.VN63, Group: "region:VN63:coast", IncludeSynthetic: true})
	if err != nil || len(tb.Rows) != 2 || tb.Rows[0].Province.ID != "VN63-31" {
		t.Fatalf("group table: %v %+v", err, tb)
	}
	for _, bad := range []TableArgs{{Years: []int{2020}}, {Metrics: []string{"share"}}, {Metrics: []string{"nope"}, Years: []int{2020}},
		{Metrics: []string{"share"}, Years: []int{1000}}, {Metrics: []string{"share"}, Years: []int{2020}, Map: "X"}} {
		if _, err := svc.Table(ctx, bad); err == nil {
			t.Errorf("table %+v is not an error", bad)
		}
	}
}

// series takes "ALL" for every unit of the map and group for its members, each unit once.
func TestSeriesUnits(t *testing.T) {
	svc, _ := newFake(t)
	for _, c := range []struct {
		m         warehouse.Map
		provinces []string
		group     string
		want      string
	}{
		{warehouse.VN34, []string{"ALL"}, "", "[VN34-01 VN34-08 VN34-31]"},
		{warehouse.VN63, []string{"VN", "cluster5"}, "", "[VN cluster5]"},
		{warehouse.VN63, []string{"VN63-01"}, "cluster5", "[VN63-01 VN63-04 VN63-31]"},
		{warehouse.VN63, []string{"all", "VN"}, "region:VN63:coast", "[VN63-01 VN63-02 VN63-04 VN63-31 VN63-33 VN]"},
		{warehouse.VN63, nil, "cluster5", "[VN63-01 VN63-04 VN63-31]"},
		{warehouse.VN63, nil, "", "give provinces"},
		{warehouse.VN63, nil, "nope", `unknown group "nope"`},
		{warehouse.VN34, nil, "cluster5", "group: cluster5 is on map VN63, not VN34"},
		{"X", []string{"ALL"}, "", "map must be VN63 or VN34"},
	} {
		got, err := svc.SeriesUnits(c.m, c.provinces, c.group)
		s := fmt.Sprint(got)
		if err != nil {
			s = warehouse.ErrorMessage(err)
		}
		if !strings.Contains(s, c.want) {
			t.Errorf("%s %v %q: %s, want %s", c.m, c.provinces, c.group, s, c.want)
		}
	}
}
