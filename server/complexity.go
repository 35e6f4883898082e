package server

import (
	"github.com/cadrestat/cadrestat/graph"
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
func complexity(c *graph.ComplexityRoot) {
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
	c.Query.Series = func(child int, _ string, provinces []string, from, to int, _ *model.Map, _ *bool) int {
		years := min(max(to-from+1, 1), 200)
		units := min(max(len(provinces), 1), service.MaxUnits)
		return WarehouseQueryCost + units*years*child
	}
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
	c.Observation.Alternatives = times(5)
	c.Observation.Revisions = times(5)
	c.Figure.Combined = times(6)
	c.Figure.MissingUnits = times(6)
	c.Trend.Points = times(21)
}
