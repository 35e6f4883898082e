package graph

import (
	"slices"
	"strings"

	"github.com/cadrestat/cadrestat/graph/model"
	"github.com/cadrestat/cadrestat/service"
)

// WarehouseQueryCost is the complexity of a field that costs a warehouse query of its own
// (an observations page, its totalCount, a metric's cells for compare, series, trend or
// attainment). Measured: one totalCount over 3 M rows takes 5 s on the embedded engine, so
// such fields weigh far more than the fields computed in memory. With the default limit
// of 10,000 a request can ask for at most 50 of them; 500 aliases of
// observations(first:1){totalCount} (complexity 200,500) are refused before anything runs.
const WarehouseQueryCost = 200

// complexity weights every list by how long it can be, so the complexity limit bounds the
// real work of a query: a page of observations costs its page size times its fields, and a
// field that reaches the warehouse adds WarehouseQueryCost.
func complexity(c *ComplexityRoot) {
	times := func(n int) func(int) int { return func(child int) int { return 1 + n*child } }
	// An observations field costs up to two warehouse queries (its page and its
	// totalCount); both are counted on the field, since totalCount's own weight would be
	// multiplied by the page size. An invalid first is refused by the resolver, so it
	// weighs as an empty page.
	c.Query.Observations = func(child int, _ *model.ObservationFilter, first *int, _ *string) int {
		n := 50
		if first != nil {
			n = *first
		}
		if n < 0 || n > service.MaxPageSize {
			n = 0
		}
		return 2*WarehouseQueryCost + n*child
	}
	// A comparison returns at most one row per unit of the map (and "VN").
	c.Query.Compare = func(child int, _ string, _ *int, _ *string, _ *model.Map, _ []string, _ *string, _ *bool) int {
		return WarehouseQueryCost + child
	}
	// "ALL" and group stand for a whole map or group: counted as MaxUnits units.
	c.Query.Series = func(child int, _ string, provinces []string, from, to int, _ *model.Map, _ *bool, group *string) int {
		years := min(max(to-from+1, 1), 200)
		units := min(max(len(provinces), 1), service.MaxUnits)
		if group != nil || slices.ContainsFunc(provinces, func(p string) bool { return strings.EqualFold(p, "ALL") }) {
			units = service.MaxUnits
		}
		return WarehouseQueryCost + units*years*child
	}
	// A brief reads every metric's published slice in one query; its items number at most
	// the metrics of the catalogue (briefItems across all sections), each with a series of
	// at most one yearly point per year of BriefSparkYears and up to three predecessors
	// (the most VN63 units merged into one VN34 unit).
	c.Query.Brief = func(child int, _ string, _ *int, _ *model.Map) int { return WarehouseQueryCost + child }
	c.Brief.Sections = times(1)
	c.BriefSection.Items = times(briefItems)
	c.BriefItem.Predecessors = times(3)
	c.BriefItem.Series = times(service.BriefSparkYears + 1)
	c.Brief.Sources = times(40)
	c.Brief.Predecessors = times(6)
	c.Brief.Successors = times(1)
	// A table is one query for its metrics' published slices (one more per metric with
	// synthetic rows), and units × metrics × years cells. Its lists' lengths are known only
	// here, so the whole selection is weighed as one cell's and multiplied by the number of
	// cells (the few per-column fields are over-counted, never under-counted); an over-long
	// list counts at its limit and is refused by the resolver.
	c.Query.Table = func(child int, metrics []string, years []int, _ *model.Map, provinces []string, _ *string, synthetic *bool) int {
		nm := min(max(len(metrics), 1), service.MaxTableMetrics)
		ny := min(max(len(years), 1), service.MaxTableYears)
		units := service.MaxUnits
		if len(provinces) > 0 {
			units = min(len(provinces), service.MaxUnits)
		}
		cost := WarehouseQueryCost
		if synthetic != nil && *synthetic {
			cost += nm * WarehouseQueryCost
		}
		return cost + units*nm*ny*child
	}
	c.Table.Rows = times(1)
	c.Table.Columns = times(1)
	c.Table.Metrics = times(1)
	c.Table.Years = times(1)
	c.TableRow.Cells = times(1)
	c.Query.Trend = func(child int, _, _ string, _, _ int, _ *string, _ *bool) int { return WarehouseQueryCost + child }
	c.Query.TargetAttainment = func(child int, _ string, _ *int, _ *string, _ *model.Map, _ *bool) int {
		return WarehouseQueryCost + child
	}
	c.Query.Provinces = func(child int, _ *model.Map, _ *string, _ *string) int { return 1 + 63*child }
	c.Query.Groups = func(child int, _ *model.Map) int { return 1 + 20*child }
	c.Query.Metrics = times(60)
	c.Query.Sources = times(40)
	c.Query.Targets = func(child int, _ *string) int { return 1 + 20*child }
	c.Comparison.Rows = times(service.MaxUnits)
	c.Comparison.Benchmarks = times(8)
	c.Attainment.Rows = times(63)
	c.Province.Predecessors = times(6)
	c.Province.Successors = times(1)
	c.Group.Members = times(63)
	c.Metric.Targets = times(5)
	// A metric's coverage may read its slice (so every metric's, asked as metrics{coverage},
	// is over the limit); coverage over many metrics reads every slice in one query, one
	// entry per metric listed (or per metric of the catalogue, briefItems at most). Its
	// periods are computed in memory from the slice and number what the data holds, not
	// what the request asks, so they are weighed once, like a table's rows.
	c.Metric.Coverage = func(child int, _ *model.Map) int { return WarehouseQueryCost + child }
	c.Query.Coverage = func(child int, _ *model.Map, metrics []string) int {
		n := len(metrics)
		if n == 0 || n > service.MaxCoverageMetrics {
			n = briefItems
		}
		return WarehouseQueryCost + n*child
	}
	c.MetricCoverage.Periods = times(1)
	c.Observation.Alternatives = times(5)
	c.Observation.Corroborating = times(5)
	c.Observation.Revisions = times(5)
	c.Figure.Combined = times(6)
	c.Figure.MissingUnits = times(6)
	c.Trend.Points = times(21)
}

// briefItems bounds the items of a brief: one per metric of the catalogue (70 in the bundle).
const briefItems = 80
