package server_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/server"
)

const tableQ = `query($ms: [ID!]!, $ys: [Int!]!, $map: Map, $p: [ID!], $g: ID, $syn: Boolean) {
  table(metrics: $ms, years: $ys, map: $map, provinces: $p, group: $g, includeSynthetic: $syn) {
    map metrics { id } years csvUrl
    columns { metric { id } year rankOf projected target { id } national { ` + briefBenchFields + ` } }
    rows { province { id } cells { ` + briefRowFields + ` } } } }`

// TestTableEqualsCompareCellByCell checks every cell of tables against the compare of its
// metric and year with the same arguments: on VN63 with synthetic rows, on VN34 (projected
// in 2020) for a group's members, and for listed units with "VN".
func TestTableEqualsCompareCellByCell(t *testing.T) {
	ts, cs := newAnalyticsServerWith(t, bigServer())
	metrics := []string{"female_provincial_committee_share", "youth_provincial_committee_share", "voter_turnout", "new_members"}
	for _, vars := range []map[string]any{
		{"ms": metrics, "ys": []int{2020, 2021, 2023}, "map": "VN63"},
		{"ms": metrics[:2], "ys": []int{2020, 2025}, "map": "VN34", "g": "region:VN34:southeast"},
		{"ms": metrics, "ys": []int{2021}, "map": "VN63", "p": []string{"VN", "VN63-79", "Hà Nội"}, "syn": true},
	} {
		before := cs.Calls.Load()
		res := post(t, ts, tableQ, vars)
		if len(res.Errors) > 0 {
			t.Fatalf("table %v: %+v", vars, res.Errors)
		}
		if vars["syn"] == nil {
			if n := cs.Calls.Load() - before; n > 1 {
				t.Fatalf("table %v cost %d observation queries; want at most 1", vars, n)
			}
		}
		var tb struct {
			Map     string
			Years   []int
			CSVURL  string
			Columns []struct {
				Metric   struct{ ID string }
				Year     int
				RankOf   int
				National json.RawMessage
			}
			Rows []struct {
				Province struct{ ID string }
				Cells    []json.RawMessage
			}
		}
		json.Unmarshal(res.Data["table"], &tb)
		if len(tb.Columns) != len(vars["ms"].([]string))*len(vars["ys"].([]int)) || len(tb.Rows) == 0 {
			t.Fatalf("table %v: %d columns, %d rows", vars, len(tb.Columns), len(tb.Rows))
		}
		for j, col := range tb.Columns {
			cv := map[string]any{"m": col.Metric.ID, "y": col.Year, "map": vars["map"], "p": vars["p"]}
			q := strings.Replace(briefCompareQ, "provinces: $p)", "provinces: $p, group: $g, includeSynthetic: $syn)", 1)
			q = strings.Replace(q, "$p: [ID!])", "$p: [ID!], $g: ID, $syn: Boolean)", 1)
			cv["g"], cv["syn"] = vars["g"], vars["syn"]
			r := post(t, ts, q, cv)
			if len(r.Errors) > 0 {
				t.Fatalf("compare %v: %+v", cv, r.Errors)
			}
			var c briefComparison
			json.Unmarshal(r.Data["compare"], &c)
			if c.RankOf != col.RankOf || len(c.Rows) != len(tb.Rows) {
				t.Fatalf("column %s %d: rankOf %d vs %d, %d rows vs %d", col.Metric.ID, col.Year, col.RankOf, c.RankOf, len(tb.Rows), len(c.Rows))
			}
			sameJSON(t, fmt.Sprintf("national %s %d", col.Metric.ID, col.Year), col.National, c.National)
			at := map[string]json.RawMessage{}
			for _, row := range c.Rows {
				var id struct{ Province struct{ ID string } }
				json.Unmarshal(row, &id)
				at[id.Province.ID] = row
			}
			for _, tr := range tb.Rows {
				sameJSON(t, fmt.Sprintf("cell %s %s %d", tr.Province.ID, col.Metric.ID, col.Year), tr.Cells[j], at[tr.Province.ID])
			}
		}
		// The CSV: one line per cell with a citation column, the same display.
		resp, err := http.Get(ts.URL + tb.CSVURL)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET %s: %v %v", tb.CSVURL, err, resp.Status)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		lines, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(body), "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		head := lines[0]
		if head[0] != "province_id" || !slices.Contains(head, "citation") || len(lines)-1 != len(tb.Rows)*len(tb.Columns) {
			t.Fatalf("%s: header %v, %d lines for %d cells", tb.CSVURL, head, len(lines)-1, len(tb.Rows)*len(tb.Columns))
		}
		col := map[string]int{}
		for i, h := range head {
			col[h] = i
		}
		k := 1
		for _, tr := range tb.Rows {
			for j, cell := range tr.Cells {
				var c struct {
					Display string
					Figure  struct{ Parts []struct{ Citation string } }
				}
				json.Unmarshal(cell, &c)
				l := lines[k]
				k++
				if l[col["province_id"]] != tr.Province.ID || l[col["metric"]] != tb.Columns[j].Metric.ID || strings.TrimPrefix(l[col["display"]], "'") != c.Display {
					t.Fatalf("CSV line %d = %v; want %s %s %q", k, l, tr.Province.ID, tb.Columns[j].Metric.ID, c.Display)
				}
				for _, p := range c.Figure.Parts {
					if !strings.Contains(l[col["citation"]], strings.SplitN(p.Citation, ",", 2)[0]) {
						t.Fatalf("CSV line %d does not cite %q: %q", k, p.Citation, l[col["citation"]])
					}
				}
			}
		}
	}
}

// bigServer raises the complexity limit for tests that ask for every field of every cell.
func bigServer() server.Config {
	cfg := server.Defaults()
	cfg.MaxComplexity = 100000
	return cfg
}

// TestTableAndSeriesArguments: limits and coded errors of table, and series by group or ALL.
func TestTableAndSeriesArguments(t *testing.T) {
	ts, _ := newAnalyticsServerWith(t, bigServer())
	many := make([]string, 21)
	for i := range many {
		many[i] = fmt.Sprintf("m%d", i)
	}
	years := make([]int, 21)
	for i := range years {
		years[i] = 2000 + i
	}
	for _, tc := range []struct {
		vars map[string]any
		code string
		msg  string
	}{
		{map[string]any{"ms": many, "ys": []int{2020}}, "BAD_USER_INPUT", "metrics lists more than 20 distinct entries; the limit is 20"},
		{map[string]any{"ms": []string{"voter_turnout"}, "ys": years}, "BAD_USER_INPUT", "years lists more than 20 distinct entries; the limit is 20"},
		{map[string]any{"ms": []string{}, "ys": []int{2020}}, "BAD_USER_INPUT", "metrics is empty; give at least one metric"},
		{map[string]any{"ms": []string{"voter_turnout"}, "ys": []int{}}, "BAD_USER_INPUT", "years is empty; give at least one year"},
		{map[string]any{"ms": []string{"voter_turnout"}, "ys": []int{3000}}, "BAD_USER_INPUT", "year in years: 3000 is outside 1945–2100"},
		{map[string]any{"ms": []string{"nope"}, "ys": []int{2020}}, "NOT_FOUND", `unknown metric "nope"`},
		{map[string]any{"ms": []string{"voter_turnout"}, "ys": []int{2020}, "g": "nope"}, "NOT_FOUND", `unknown group "nope" in group`},
		{map[string]any{"ms": []string{"voter_turnout"}, "ys": []int{2020}, "p": []string{"VN34-01"}}, "BAD_USER_INPUT", ""},
	} {
		res := post(t, ts, `query($ms: [ID!]!, $ys: [Int!]!, $p: [ID!], $g: ID) { table(metrics: $ms, years: $ys, provinces: $p, group: $g) { years } }`, tc.vars)
		if len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != tc.code || (tc.msg != "" && res.Errors[0].Message != tc.msg) {
			t.Fatalf("%v: %+v; want %s %q", tc.vars, res.Errors, tc.code, tc.msg)
		}
	}
	// Every unit × 20 metrics × 20 years is accepted: TestCostMeasuresWork.
	def, _ := newAnalyticsServer(t)
	res := post(t, def, `{ table(metrics: ["voter_turnout", "female_na_share"], years: [2016, 2021]) { rows { province { id } cells { display targetStatus } } } }`, nil)
	if len(res.Errors) > 0 {
		t.Fatalf("a 63 × 2 × 2 table on a default server: %+v", res.Errors)
	}

	// series: "ALL" is every unit of the map, group its members; "VN" may come with them.
	type series []struct{ Province struct{ ID string } }
	for _, tc := range []struct {
		args string
		n    int
	}{
		{`provinces: ["ALL"]`, 63},
		{`provinces: ["ALL", "VN"]`, 64},
		{`provinces: ["all"], map: VN34`, 34},
		{`group: "region:VN63:southeast"`, 6},
		{`group: "region:VN63:southeast", provinces: ["VN", "region:VN63:southeast"]`, 8},
	} {
		res := post(t, ts, `{ series(metric: "voter_turnout", from: 2016, to: 2021, `+tc.args+`) { province { id } } }`, nil)
		var s series
		json.Unmarshal(res.Data["series"], &s)
		if len(res.Errors) > 0 || len(s) != tc.n {
			t.Fatalf("series(%s): %d units, %+v; want %d", tc.args, len(s), res.Errors, tc.n)
		}
	}
	for _, tc := range []struct{ args, code, msg string }{
		{``, "BAD_USER_INPUT", `give provinces (IDs, group IDs, "VN" or "ALL") or group`},
		{`group: "nope"`, "NOT_FOUND", `unknown group "nope" in group`},
		{`group: "region:VN34:southeast"`, "BAD_USER_INPUT", "group: region:VN34:southeast is on map VN34, not VN63"},
	} {
		res := post(t, ts, `{ series(metric: "voter_turnout", from: 2016, to: 2021 `+tc.args+`) { province { id } } }`, nil)
		if len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != tc.code || res.Errors[0].Message != tc.msg {
			t.Fatalf("series(%s): %+v; want %s %q", tc.args, res.Errors, tc.code, tc.msg)
		}
	}
}
