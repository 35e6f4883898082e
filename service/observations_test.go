package service

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
)

func pageIDs(p *ObservationPage) string {
	var s []string
	for _, o := range p.Items {
		s = append(s, o.ID)
	}
	return strings.Join(s, " ")
}

// Paging through observations as an API client does: pages of `first` in ID order, an
// opaque cursor that continues after the last item, hasNext only when more remain, the
// count of the whole result, and sources attached to every item.
func TestObservationPages(t *testing.T) {
	svc, fs := newFake(t,
		ob("VN63-01", "share", "2018", 1), ob("VN63-01", "share", "2019", 2), ob("VN63-01", "share", "2020", 3),
		ob("VN63-02", "share", "2020", 4), ob("VN63-01", "count", "2020", 5),
	)
	ctx := context.Background()
	f := FilterArgs{Metrics: []string{"share"}, Provinces: []string{"VN63-01"}}
	p, err := svc.Observations(ctx, f, 2, "")
	if err != nil {
		t.Fatal(err)
	}
	if pageIDs(p) != "VN63-01/share/2018 VN63-01/share/2019" || !p.HasNext || p.Items[0].Source() == nil {
		t.Fatalf("page 1: %s hasNext %v", pageIDs(p), p.HasNext)
	}
	cur := EncodeCursor(p.Items[1].ID)
	p, err = svc.Observations(ctx, f, 2, cur)
	if err != nil || pageIDs(p) != "VN63-01/share/2020" || p.HasNext {
		t.Fatalf("page 2: %v %s hasNext %v", err, pageIDs(p), p.HasNext)
	}
	if n, err := svc.Count(ctx, p); err != nil || n != 3 {
		t.Fatalf("count %d %v, want 3 whatever the page", n, err)
	}
	// first: 0 asks for the count only: no query for items.
	before := fs.queries.Load()
	p, err = svc.Observations(ctx, f, 0, "")
	if err != nil || len(p.Items) != 0 || fs.queries.Load() != before {
		t.Fatalf("first 0: %v %d items, %d queries", err, len(p.Items), fs.queries.Load()-before)
	}
	if _, err := svc.Observations(ctx, f, 2, "not a cursor"); warehouse.KindOf(err) != warehouse.ErrInvalid {
		t.Fatalf("a bad cursor: %v", err)
	}
	if _, err := svc.Observations(ctx, f, -1, ""); warehouse.KindOf(err) != warehouse.ErrInvalid {
		t.Fatalf("first -1: %v", err)
	}
}

// The filter resolves what a client names: provinces by name, "VN", a group's own figures,
// a group's figures and its members', VN34 predecessors when asked; a SYNTHETIC status asks
// for synthetic rows; unknown references are errors, not empty pages.
func TestObservationFilterResolution(t *testing.T) {
	svc, fs := newFake(t)
	ctx := context.Background()
	for _, c := range []struct {
		f        FilterArgs
		subjects string
		syn      bool
	}{
		{FilterArgs{Provinces: []string{"Hà Nội"}}, "[VN34-01 VN63-01]", false}, // a name on both maps: both units
		{FilterArgs{Provinces: []string{"Hà Giang"}}, "[VN63-02]", false},       // a name on one map: that unit
		{FilterArgs{Provinces: []string{"VN", "cluster5"}}, "[VN cluster5]", false},
		{FilterArgs{Provinces: []string{"group:cluster5"}}, "[cluster5]", false},
		{FilterArgs{Provinces: []string{"VN34-08"}, IncludePredecessors: true}, "[VN34-08 VN63-02 VN63-04]", false},
		{FilterArgs{Provinces: []string{"VN34-08"}}, "[VN34-08]", false},
		{FilterArgs{Group: "region:VN63:coast"}, "[region:VN63:coast VN63-31 VN63-33]", false},
		{FilterArgs{Statuses: []warehouse.Status{warehouse.StatusSynthetic}}, "[]", true},
		{FilterArgs{IncludeSynthetic: true, FromYear: 2010, ToYear: 2020}, "[]", true},
	} {
		p, err := svc.Observations(ctx, c.f, 10, "")
		if err != nil {
			t.Fatalf("%+v: %v", c.f, err)
		}
		if got := fmt.Sprint(p.Filter.SubjectIDs); got != c.subjects || p.Filter.IncludeSynthetic != c.syn || p.Filter.Limit != 11 {
			t.Errorf("%+v: subjects %s synthetic %v limit %d, want %s %v 11", c.f, got, p.Filter.IncludeSynthetic, p.Filter.Limit, c.subjects, c.syn)
		}
		if last := fs.filters[len(fs.filters)-1]; fmt.Sprint(last.SubjectIDs) != c.subjects {
			t.Errorf("%+v: the warehouse was asked for %v", c.f, last.SubjectIDs)
		}
	}
	for _, c := range []struct {
		f    FilterArgs
		kind warehouse.ErrKind
		msg  string
	}{
		{FilterArgs{Metrics: []string{"nope"}}, warehouse.ErrNotFound, `unknown metric "nope"`},
		{FilterArgs{Sources: []string{"nope"}}, warehouse.ErrNotFound, `unknown source "nope"`},
		{FilterArgs{Provinces: []string{"Atlantis"}}, warehouse.ErrNotFound, `unknown province "Atlantis" in filter.provinces`},
		{FilterArgs{Group: "nope"}, warehouse.ErrNotFound, `unknown group "nope" in filter.group`},
		{FilterArgs{FromYear: 1800}, warehouse.ErrInvalid, "year 1800 is outside"},
	} {
		_, err := svc.Observations(ctx, c.f, 10, "")
		if warehouse.KindOf(err) != c.kind || !strings.Contains(warehouse.ErrorMessage(err), c.msg) {
			t.Errorf("%+v: %v, want %s %q", c.f, err, c.kind, c.msg)
		}
	}
}

// A citation is what a journalist pastes: title, issuer, document number, date, the quote,
// the link (for a seed document the server's /documents/<id>, never its file name) and
// when it was read, and the status unless published.
func TestCitation(t *testing.T) {
	svc, _ := newFake(t)
	seed := ob("VN63-01", "share", "2020", 30)
	seed.Quote = "đạt 30%"
	off := withStatus(fromSource(ob("VN63-01", "share", "2020", 30), "off-1"), warehouse.StatusProvisional)
	unknown := fromSource(ob("VN63-01", "share", "2020", 30), "gone")
	for _, c := range []struct {
		o    warehouse.Observation
		want string
	}{
		{seed, "Báo cáo tổng kết, Ban Tổ chức Trung ương, số 12-BC/TW, 2021-03-01: “đạt 30%”, /documents/seed-1"},
		{off, "Official report, Ministry, 2022-05-01, https://example.gov.vn/r, retrieved 2024-01-02 [PROVISIONAL]"},
		{unknown, "gone"},
	} {
		if got := svc.Citation(&c.o); got != c.want {
			t.Errorf("citation %q\nwant     %q", got, c.want)
		}
	}
}

// Finding units as readers type them, and listing a map's units by region or group.
func TestUnitLookups(t *testing.T) {
	svc, _ := newFake(t)
	for _, c := range []struct {
		m    warehouse.Map
		ref  string
		want any
	}{
		{warehouse.VN63, "hanoi", "VN63-01"},
		{warehouse.VN34, "Ha Noi", "VN34-01"},
		{warehouse.VN63, "Thành phố Hải Phòng", "VN63-31"},
		{warehouse.VN63, "31", "VN63-31"},
		{warehouse.VN63, "Atlantis", nil}, // unknown: null, as a lookup by ID is
	} {
		p, err := svc.FindProvince(c.m, c.ref)
		var got any
		if p != nil {
			got = p.ID
		}
		if err != nil || got != c.want {
			t.Errorf("%s %q: %v %v, want %v", c.m, c.ref, got, err, c.want)
		}
	}
	if _, err := svc.FindProvince(warehouse.VN63, "VN34-08"); warehouse.KindOf(err) != warehouse.ErrInvalid {
		t.Errorf("an ID of the other map: %v", err)
	}
	names := func(ps []*warehouse.Province) string {
		var s []string
		for _, p := range ps {
			s = append(s, p.ID)
		}
		return strings.Join(s, " ")
	}
	// Whole name, then a prefix, then a word, then anywhere; at most limit.
	if got := names(svc.SearchProvinces("ha", warehouse.VN63, 10)); got != "VN63-01 VN63-02 VN63-31" {
		t.Errorf("search ha: %s", got)
	}
	if got := names(svc.SearchProvinces("hà giang", warehouse.VN63, 10)); got != "VN63-02" {
		t.Errorf("search hà giang: %s", got)
	}
	// "g" starts a word of Hà Giang only, and is inside Cao Bằng, Hải Phòng and Hưng Yên.
	if got := names(svc.SearchProvinces("g", warehouse.VN63, 2)); got != "VN63-02 VN63-04" {
		t.Errorf("search g, limit 2: %s", got)
	}
	if got := svc.SearchProvinces("  ", warehouse.VN63, 10); got != nil {
		t.Errorf("empty search: %v", got)
	}
	for _, c := range []struct {
		region, group, want string
	}{
		{"", "", "VN63-01 VN63-02 VN63-04 VN63-31 VN63-33"},
		{"coast", "", "VN63-31 VN63-33"},
		{"", "cluster5", "VN63-01 VN63-04 VN63-31"},
		{"north", "cluster5", "VN63-01 VN63-04"},
	} {
		ps, err := svc.Provinces(warehouse.VN63, c.region, c.group)
		if err != nil || names(ps) != c.want {
			t.Errorf("provinces(%q, %q): %s %v, want %s", c.region, c.group, names(ps), err, c.want)
		}
	}
}

func TestSearchFindsTheUnitOnTheOtherMap(t *testing.T) {
	svc, _ := newFake(t)
	ids := func(ps []*warehouse.Province) string {
		var s []string
		for _, p := range ps {
			s = append(s, p.ID)
		}
		return strings.Join(s, " ")
	}
	// Hà Giang was merged into Tuyên Quang: on VN34 it finds Tuyên Quang, after direct hits.
	if got := ids(svc.SearchProvinces("ha giang", warehouse.VN34, 10)); got != "VN34-08" {
		t.Errorf("ha giang on VN34: %s", got)
	}
	// "ha" starts Hà Nội and Hải Phòng on VN34 (direct hits first), then Tuyên Quang by its
	// predecessor Hà Giang.
	if got := ids(svc.SearchProvinces("ha", warehouse.VN34, 10)); got != "VN34-01 VN34-31 VN34-08" {
		t.Errorf("ha on VN34: %s", got)
	}
	// On VN63, a VN34 name finds its predecessors when no VN63 name matches.
	if got := ids(svc.SearchProvinces("tuyen quang", warehouse.VN63, 10)); got != "VN63-02 VN63-04" {
		t.Errorf("tuyen quang on VN63: %s", got)
	}
	// A direct hit is never repeated as a lineage hit, and a name both maps have leads to
	// no other unit: Hưng Yên (merged into Hải Phòng) is not a hit for "hai phong" on VN63.
	if got := ids(svc.SearchProvinces("hai phong", warehouse.VN34, 10)); got != "VN34-31" {
		t.Errorf("hai phong on VN34: %s", got)
	}
	if got := ids(svc.SearchProvinces("hai phong", warehouse.VN63, 10)); got != "VN63-31" {
		t.Errorf("hai phong on VN63: %s", got)
	}
}
