package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// tableQuery asks for what a cross-province dashboard shows: every unit, each cell's display,
// value, rank and rank range, and the columns' metric, national figure and target.
const tableQuery = `query($ms: [ID!]!, $ys: [Int!]!) { table(metrics: $ms, years: $ys) {
  csvUrl years
  columns { metric { id } year rankOf national { figure { display } } target { label } projected }
  rows { province { id name } cells { display value rank rankRange { best worst } } } } }`

// observationNode is every field of an observation, with one level of its alternatives,
// corroborating figures and revisions.
const observationNode = `id subjectKind subjectId province { id name } metric { id nameEn unit }
  period { kind start end label } value numerator denominator qualifier status
  source { id title issuer date url } quote note revision citation
  alternatives { id value status } corroborating { id } revisions { id revision value }`

// The cost counts work: a 20 × 20 table of every unit (its cells come from memory) and an
// observations page of 500 with every field are answered on a default server; what would
// read or answer far more is refused before anything runs.
func TestCostMeasuresWork(t *testing.T) {
	ts, _ := newServer(t)
	var cat struct{ Metrics []struct{ ID string } }
	if err := json.Unmarshal([]byte(`{"metrics":`+string(post(t, ts, `{ metrics { id } }`, nil).Data["metrics"])+`}`), &cat); err != nil || len(cat.Metrics) < 20 {
		t.Fatalf("metrics: %v %d", err, len(cat.Metrics))
	}
	var ms []string
	for _, m := range cat.Metrics[:20] {
		ms = append(ms, m.ID)
	}
	var ys []int
	for y := 2011; y <= 2030; y++ {
		ys = append(ys, y)
	}

	start := time.Now()
	resp, body := rawPost(t, ts, "application/json", mustJSON(map[string]any{"query": tableQuery, "variables": map[string]any{"ms": ms, "ys": ys}}), "")
	took := time.Since(start)
	var table struct {
		Data struct {
			Table struct {
				Columns []struct{ Year int }
				Rows    []struct{ Cells []struct{ Display string } }
			}
		}
		Errors []any
	}
	if err := json.Unmarshal(body, &table); err != nil || resp.StatusCode != 200 || len(table.Errors) > 0 {
		t.Fatalf("20 × 20 table: %d %v %.300s", resp.StatusCode, err, body)
	}
	if len(table.Data.Table.Columns) != 400 || len(table.Data.Table.Rows) != 63 || len(table.Data.Table.Rows[62].Cells) != 400 {
		t.Fatalf("20 × 20 table: %d columns, %d rows", len(table.Data.Table.Columns), len(table.Data.Table.Rows))
	}
	t.Logf("20 × 20 × 63 table: %d bytes in %v", len(body), took)

	res := post(t, ts, `{ observations(first: 500) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { `+observationNode+` } } } }`, nil)
	var page struct {
		Edges      []any
		TotalCount int
	}
	json.Unmarshal(res.Data["observations"], &page)
	if len(res.Errors) > 0 || page.TotalCount < 400 || len(page.Edges) != min(500, page.TotalCount) {
		t.Fatalf("observations(first: 500) with every field: %d edges of %d, %+v", len(page.Edges), page.TotalCount, res.Errors)
	}

	// Refused, each naming the limit: more than the work of two such tables, a page whose
	// nested alternatives could reach 78,000 warehouse rows, a cell selection that reads
	// observations' revisions under every cell, 60 comparisons (60 warehouse queries at most) and
	// 500 totalCounts (TestWarehouseWorkIsBounded).
	var aliases strings.Builder
	aliases.WriteString("{")
	for i := range 60 {
		fmt.Fprintf(&aliases, ` c%d: compare(metric: "female_na_share", year: %d) { year }`, i, 2000+i)
	}
	aliases.WriteString(" }")
	for _, tc := range []struct{ name, query string }{
		{"TwoFullTables", `query($ms: [ID!]!, $ys: [Int!]!) { a: table(metrics: $ms, years: $ys) { rows { cells { display value rank rankRange { best worst } } } }
			b: table(metrics: $ms, years: $ys) { rows { cells { display value rank rankRange { best worst } } } } }`},
		{"NestedAlternatives", `{ observations(first: 500) { edges { node { id alternatives { id alternatives { id alternatives { id } } } } } } }`},
		{"RevisionsUnderEveryCell", `query($ms: [ID!]!, $ys: [Int!]!) { table(metrics: $ms, years: $ys) { rows { cells { figure { parts { revisions { id quote } } } } } } }`},
		{"SixtyComparisons", aliases.String()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := post(t, ts, tc.query, map[string]any{"ms": ms, "ys": ys})
			if len(res.Errors) != 1 || res.Errors[0].Extensions["code"] != "COMPLEXITY_LIMIT_EXCEEDED" ||
				!strings.HasSuffix(res.Errors[0].Message, "which exceeds the limit of 100000") {
				t.Fatalf("%+v", res.Errors)
			}
		})
	}
	alive(t, ts)
}
