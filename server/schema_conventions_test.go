package server_test

import (
	"encoding/json"
	"testing"
)

// PageInfo is Relay's whole: the first page has no previous page, a page after a cursor
// has; startCursor and endCursor are the first and last edges' cursors.
func TestPageInfoIsRelays(t *testing.T) {
	ts, _ := newServer(t)
	type page struct {
		Edges    []struct{ Cursor string }
		PageInfo struct {
			HasNextPage, HasPreviousPage bool
			StartCursor, EndCursor       *string
		}
	}
	q := `query($after: String) { observations(first: 3, after: $after) { edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`
	var first, second page
	res := post(t, ts, q, nil)
	if len(res.Errors) > 0 || json.Unmarshal(res.Data["observations"], &first) != nil || len(first.Edges) != 3 {
		t.Fatalf("first page: %+v %s", res.Errors, res.Data["observations"])
	}
	pi := first.PageInfo
	if pi.HasPreviousPage || !pi.HasNextPage || pi.StartCursor == nil || *pi.StartCursor != first.Edges[0].Cursor || *pi.EndCursor != first.Edges[2].Cursor {
		t.Fatalf("first page: %+v", pi)
	}
	res = post(t, ts, q, map[string]any{"after": *pi.EndCursor})
	if len(res.Errors) > 0 || json.Unmarshal(res.Data["observations"], &second) != nil || len(second.Edges) != 3 {
		t.Fatalf("second page: %+v", res.Errors)
	}
	if !second.PageInfo.HasPreviousPage || *second.PageInfo.StartCursor != second.Edges[0].Cursor || second.Edges[0].Cursor == first.Edges[2].Cursor {
		t.Fatalf("second page: %+v", second.PageInfo)
	}
	var empty page
	res = post(t, ts, `{ observations(first: 3, filter: {metrics: ["no_such_metric_here"]}) { edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`, nil)
	json.Unmarshal(res.Data["observations"], &empty)
	if len(empty.Edges) == 0 && (empty.PageInfo.StartCursor != nil || empty.PageInfo.EndCursor != nil || empty.PageInfo.HasNextPage) {
		t.Fatalf("empty page: %+v", empty.PageInfo)
	}
}

// trend's periodKind is the PeriodKind enum: YEAR and TERM fit, RANGE and ASOF are the
// client's mistake, and a string is refused by validation.
func TestTrendPeriodKindIsAnEnum(t *testing.T) {
	ts, _ := newServer(t)
	q := `query($k: PeriodKind) { trend(metric: "female_provincial_committee_share", province: "VN", from: 2010, to: 2030, periodKind: $k) { periodKind } }`
	for _, k := range []string{"YEAR", "TERM"} {
		res := post(t, ts, q, map[string]any{"k": k})
		var tr struct{ PeriodKind string }
		if len(res.Errors) > 0 || json.Unmarshal(res.Data["trend"], &tr) != nil || tr.PeriodKind != k {
			t.Fatalf("%s: %+v %s", k, res.Errors, res.Data["trend"])
		}
	}
	for _, tc := range []struct{ k, code string }{{"RANGE", "BAD_USER_INPUT"}, {"ASOF", "BAD_USER_INPUT"}, {"year", "BAD_USER_INPUT"}} {
		res := post(t, ts, q, map[string]any{"k": tc.k})
		if len(res.Errors) != 1 || res.Errors[0].Extensions["code"] != tc.code {
			t.Fatalf("%s: %+v", tc.k, res.Errors)
		}
	}
	res := post(t, ts, `{ trend(metric: "female_provincial_committee_share", province: "VN", from: 2010, to: 2030, periodKind: "TERM") { periodKind } }`, nil)
	if len(res.Errors) != 1 || res.Errors[0].Extensions["code"] != "GRAPHQL_VALIDATION_FAILED" {
		t.Fatalf("a string for the enum: %+v", res.Errors)
	}
}

// The kinds are enums whose values are the data's own words: every kind the bundled data
// and the service answer is one of the enum's values, and the values read as before.
func TestKindsAreEnums(t *testing.T) {
	ts, _ := newServer(t)
	values := func(name string) map[string]bool {
		var ty struct{ EnumValues []struct{ Name string } }
		res := post(t, ts, `query($n: String!) { __type(name: $n) { enumValues { name } } }`, map[string]any{"n": name})
		if json.Unmarshal(res.Data["__type"], &ty) != nil || len(ty.EnumValues) == 0 {
			t.Fatalf("enum %s: %+v %s", name, res.Errors, res.Data["__type"])
		}
		out := map[string]bool{}
		for _, v := range ty.EnumValues {
			out[v.Name] = true
		}
		return out
	}
	units, sources, subjects := values("UnitKind"), values("SourceKind"), values("SubjectKind")
	res := post(t, ts, `{ provinces { kind } vn34: provinces(map: VN34) { kind } sources { kind }
		compare(metric: "female_provincial_committee_share", year: 2020, provinces: ["VN", "region:VN63:southeast", "VN63-01"]) { rows { province { kind } } }
		observations(first: 500) { edges { node { subjectKind source { kind } } } } }`, nil)
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	var got struct {
		Provinces, Vn34, Sources []struct{ Kind string }
		Compare                  struct {
			Rows []struct{ Province struct{ Kind string } }
		}
		Observations struct {
			Edges []struct {
				Node struct {
					SubjectKind string
					Source      struct{ Kind string }
				}
			}
		}
	}
	raw, _ := json.Marshal(res.Data)
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range append(got.Provinces, got.Vn34...) {
		seen["unit:"+p.Kind] = true
		if !units[p.Kind] {
			t.Fatalf("province kind %q is not a UnitKind", p.Kind)
		}
	}
	for _, r := range got.Compare.Rows {
		seen["unit:"+r.Province.Kind] = true
		if !units[r.Province.Kind] {
			t.Fatalf("unit kind %q is not a UnitKind", r.Province.Kind)
		}
	}
	for _, s := range got.Sources {
		if !sources[s.Kind] {
			t.Fatalf("source kind %q is not a SourceKind", s.Kind)
		}
	}
	for _, e := range got.Observations.Edges {
		seen["subject:"+e.Node.SubjectKind] = true
		if !subjects[e.Node.SubjectKind] || !sources[e.Node.Source.Kind] {
			t.Fatalf("observation kinds %+v", e.Node)
		}
	}
	for _, k := range []string{"unit:province", "unit:city", "unit:nation", "unit:group", "subject:province", "subject:national"} {
		if !seen[k] {
			t.Errorf("%s never answered: the test no longer covers it (seen %v)", k, seen)
		}
	}
}
