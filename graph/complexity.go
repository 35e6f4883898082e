package graph

import (
	"context"
	"encoding/json"
	"math"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cadrestat/cadrestat/service"
)

// The cost of an operation counts the work it can cause, not the fields it names, in points:
//
//   - ObjectCost (1) for every object answered from memory (a table cell, a comparison row,
//     a province, a nested figure): a scalar field is part of its object's bytes and free,
//     except a text that may run to hundreds of characters (LongTextCost);
//   - WarehouseRowCost for every object read from the warehouse (an observation of a page,
//     its alternatives, corroborating figures and revisions);
//   - WarehouseQueryCost for every warehouse query the operation may send: an observations
//     page and its totalCount, a metric's cells for compare, series, trend, attainment, a
//     brief or a table, and one batched query per level of alternatives, corroborating or
//     revisions (the loaders send one per level, whatever the page size).
//
// Lists count their longest possible length, from their arguments where they have any (a
// table's units × metrics × years, an observations page's first, a series' years), else
// from the catalogue's bounds (listLengths). Measured on the bundled data (2 shared cores,
// TestCostMeasuresWork): a 20 × 20 table of the 63 units with display, value, rank,
// rankRange and its columns (55,329 points) was answered in 0.37–0.44 s, 1.5 MB. The default
// limit of 100,000 points admits one such table, or 50 warehouse queries, not two tables.
const (
	ObjectCost         = 1
	LongTextCost       = 1
	WarehouseRowCost   = 4
	WarehouseQueryCost = 2000
)

// listLengths bounds the lists whose length no argument gives.
var listLengths = map[string]int{
	"Query.provinces": service.MaxUnits, "Query.searchProvinces": service.MaxUnits, "Query.groups": 20,
	"Query.metrics": 80, "Query.sources": 40, "Query.targets": 20,
	"Province.predecessors": 6, "Province.successors": 1, "Group.members": 63, "Metric.targets": 5,
	"Observation.alternatives": 5, "Observation.corroborating": 5, "Observation.revisions": 5,
	"Figure.parts": 6, "Comparison.rows": service.MaxUnits, "Comparison.benchmarks": 8, "Comparison.periodsUsed": service.MaxUnits,
	"Attainment.rows": service.MaxUnits, "Attainment.groups": 20,
	// A brief has one item per metric of the catalogue across all its sections, each with at
	// most one yearly point per year of BriefSparkYears and up to three predecessors (the
	// most VN63 units merged into one VN34 unit).
	"Brief.sections": 1, "BriefSection.items": 80, "BriefItem.predecessors": 3,
	"BriefItem.series": service.BriefSparkYears + 1, "Brief.sources": 40, "Brief.predecessors": 6, "Brief.successors": 1,
	// Coverage: one entry per metric of the catalogue, each with at most one period per
	// year, term, range and date the data holds (a metric has a few dozen at most).
	"Query.coverage": 80, "Metric.coverage": 40, "MetricCoverage.periods": 40,
}

// warehouseLists are read from the warehouse, one batched query per level of the document.
var warehouseLists = map[string]bool{"Observation.alternatives": true, "Observation.corroborating": true, "Observation.revisions": true}

// longText are the text fields that may hold hundreds to 2,000 characters (README, text limits).
var longText = map[string]bool{"quote": true, "note": true, "description": true, "title": true, "directive": true, "citation": true}

// scope carries the lengths a root field's arguments give to lists below it.
type scope struct {
	page  int // ObservationConnection.edges
	units int // Table.rows, Query.series
	cells int // TableRow.cells, Table.columns: metrics × years
	nm    int // Table.metrics
	years int // Series.points, Trend.points, Trend.leftOut
}

type costWalker struct {
	vars    map[string]any
	objects int // points of objects and rows
	queries int // warehouse queries
}

// OperationCost is the cost of op in points (see above).
func OperationCost(op *ast.OperationDefinition, vars map[string]any) int {
	w := &costWalker{vars: vars}
	w.objects = w.set(op.SelectionSet, scope{})
	return sat(w.objects, mul(w.queries, WarehouseQueryCost))
}

func (w *costWalker) set(ss ast.SelectionSet, sc scope) int {
	total := 0
	for _, sel := range ss {
		switch s := sel.(type) {
		case *ast.Field:
			total = sat(total, w.field(s, sc))
		case *ast.FragmentSpread:
			if s.Definition != nil {
				total = sat(total, w.set(s.Definition.SelectionSet, sc))
			}
		case *ast.InlineFragment:
			total = sat(total, w.set(s.SelectionSet, sc))
		}
	}
	return total
}

func (w *costWalker) field(f *ast.Field, sc scope) int {
	// Introspection is bounded by its own depth limit and by the selections limit.
	if f.Definition == nil || f.ObjectDefinition == nil || strings.HasPrefix(f.Name, "__") {
		return 0
	}
	key := f.ObjectDefinition.Name + "." + f.Name
	if len(f.SelectionSet) == 0 { // a scalar or an enum
		if longText[f.Name] {
			return LongTextCost
		}
		return 0
	}
	per, n := ObjectCost, 1
	if f.Definition.Type.Elem != nil {
		n = listLengths[key]
	}
	switch key {
	case "Query.observations":
		sc = scope{page: w.pageSize(f)}
		w.queries++ // the page
		if selects(f.SelectionSet, "totalCount") {
			w.queries++
		}
	case "ObservationConnection.edges":
		n = sc.page
	case "ObservationEdge.node":
		per = WarehouseRowCost
	case "Query.compare", "Query.targetAttainment", "Query.brief", "Query.coverage":
		w.queries++ // coverage reads every slice not cached in one query
	case "Query.trend":
		w.queries++
		sc = scope{years: w.years(f, 21)}
	case "Query.series":
		w.queries++
		sc = scope{years: w.years(f, 200)}
		n = w.seriesUnits(f)
	case "Series.points", "Trend.points", "Trend.leftOut":
		n = sc.years
	case "Query.table":
		sc = w.tableScope(f)
		w.queries++
		if b, _ := f.ArgumentMap(w.vars)["includeSynthetic"].(bool); b {
			w.queries += sc.nm // one more per metric with synthetic rows
		}
	case "Table.rows":
		n = sc.units
	case "TableRow.cells", "Table.columns":
		n = sc.cells
	case "Table.metrics":
		n = sc.nm
	}
	if warehouseLists[key] {
		per = WarehouseRowCost
		w.queries++
	}
	if f.Definition.Type.Elem != nil && n == 0 && !listSized[key] {
		n = 1 // a list with no bound of its own (a new field): counted as one element
	}
	if key == "Metric.coverage" {
		// A metric's coverage may read its slice: a query per metric, so it weighs with its
		// parent list (metrics { coverage } is over the limit; ask coverage(map) instead).
		return sat(WarehouseQueryCost, mul(n, sat(per, w.set(f.SelectionSet, sc))))
	}
	return mul(n, sat(per, w.set(f.SelectionSet, sc)))
}

// listSized are the lists whose length comes from their root's arguments (0 is possible:
// an invalid argument is refused by the resolver, so it weighs as an empty list).
var listSized = map[string]bool{"ObservationConnection.edges": true, "Series.points": true, "Trend.points": true,
	"Trend.leftOut": true, "Table.rows": true, "TableRow.cells": true, "Table.columns": true, "Table.metrics": true, "Query.series": true}

func (w *costWalker) pageSize(f *ast.Field) int {
	n, ok := toInt(f.ArgumentMap(w.vars)["first"])
	if !ok {
		n = 50
	}
	if n < 0 || n > service.MaxPageSize {
		return 0 // refused by the resolver
	}
	return n
}

func (w *costWalker) years(f *ast.Field, most int) int {
	args := f.ArgumentMap(w.vars)
	from, _ := toInt(args["from"])
	to, _ := toInt(args["to"])
	return min(max(to-from+1, 1), most)
}

// seriesUnits: "ALL" and a group stand for a whole map or group, counted as MaxUnits units.
func (w *costWalker) seriesUnits(f *ast.Field) int {
	args := f.ArgumentMap(w.vars)
	provinces, _ := args["provinces"].([]any)
	units := min(max(len(provinces), 1), service.MaxUnits)
	if g, _ := args["group"].(string); g != "" {
		units = service.MaxUnits
	}
	for _, p := range provinces {
		if s, _ := p.(string); strings.EqualFold(s, "ALL") {
			units = service.MaxUnits
		}
	}
	return units
}

// tableScope: an over-long list counts at its limit (the resolver refuses it); no provinces
// means a whole map or group.
func (w *costWalker) tableScope(f *ast.Field) scope {
	args := f.ArgumentMap(w.vars)
	metrics, _ := args["metrics"].([]any)
	years, _ := args["years"].([]any)
	provinces, _ := args["provinces"].([]any)
	nm := min(max(len(metrics), 1), service.MaxTableMetrics)
	ny := min(max(len(years), 1), service.MaxTableYears)
	units := service.MaxUnits
	if len(provinces) > 0 {
		units = min(len(provinces), service.MaxUnits)
	}
	return scope{units: units, nm: nm, cells: nm * ny}
}

// selects reports whether ss asks for name at its top level (fragments included).
func selects(ss ast.SelectionSet, name string) bool {
	for _, sel := range ss {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == name {
				return true
			}
		case *ast.FragmentSpread:
			if s.Definition != nil && selects(s.Definition.SelectionSet, name) {
				return true
			}
		case *ast.InlineFragment:
			if selects(s.SelectionSet, name) {
				return true
			}
		}
	}
	return false
}

func toInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(max(min(n, math.MaxInt32), math.MinInt32)), true
	case float64:
		return int(max(min(n, math.MaxInt32), math.MinInt32)), true
	case json.Number:
		i, err := n.Int64()
		return int(max(min(i, math.MaxInt32), math.MinInt32)), err == nil
	}
	return 0, false
}

// sat and mul saturate, so no document can overflow its way under the limit.
func sat(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

func mul(a, b int) int {
	if a == 0 || b == 0 {
		return 0
	}
	if a > math.MaxInt/b {
		return math.MaxInt
	}
	return a * b
}

// costLimit refuses an operation whose cost exceeds max before any resolver runs, with the
// code and message of gqlgen's complexity limit, and records the cost where gqlgen's
// extension does (extension.GetComplexityStats), for the logs.
type costLimit struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = costLimit{}

func (costLimit) ExtensionName() string                   { return "ComplexityLimit" }
func (costLimit) Validate(graphql.ExecutableSchema) error { return nil }
func (c costLimit) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	cost := OperationCost(oc.Operation, oc.Variables)
	oc.Stats.SetExtension("ComplexityLimit", &extension.ComplexityStats{Complexity: cost, ComplexityLimit: c.max})
	if c.max > 0 && cost > c.max {
		return codedError("COMPLEXITY_LIMIT_EXCEEDED", "operation has complexity %d, which exceeds the limit of %d", cost, c.max)
	}
	return nil
}
