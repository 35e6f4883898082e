package server

import (
	"github.com/cadrestat/cadrestat/graph"
	"github.com/cadrestat/cadrestat/graph/model"
	"github.com/cadrestat/cadrestat/service"
)

// complexity weights every list by how long it can be, so the complexity limit bounds the
// real work of a query: a page of observations costs its page size times its fields.
func complexity(c *graph.ComplexityRoot) {
	times := func(n int) func(int) int { return func(child int) int { return 1 + n*child } }
	c.Query.Observations = func(child int, _ *model.ObservationFilter, first *int, _ *string) int {
		n := 50
		if first != nil && *first > 0 {
			n = min(*first, service.MaxPageSize)
		}
		return 1 + n*child
	}
	c.Query.Series = func(child int, _ string, provinces []string, from, to int, _ *model.Map, _ *bool) int {
		years := min(max(to-from+1, 1), 200)
		return 1 + max(len(provinces), 1)*years*child
	}
	c.Query.Provinces = func(child int, _ *model.Map, _ *string, _ *string) int { return 1 + 63*child }
	c.Query.Groups = func(child int, _ *model.Map) int { return 1 + 20*child }
	c.Query.Metrics = times(60)
	c.Query.Sources = times(40)
	c.Query.Targets = func(child int, _ *string) int { return 1 + 20*child }
	c.Comparison.Rows = times(63)
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
