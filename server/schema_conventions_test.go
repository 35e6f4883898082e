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
