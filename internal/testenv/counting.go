package testenv

import (
	"context"
	"sync/atomic"

	"github.com/cadrestat/cadrestat/warehouse"
)

// Counting wraps a Store and counts observation queries, so tests can prove how many
// warehouse round trips a request costs.
type Counting struct {
	warehouse.Store
	Calls atomic.Int64
}

func (c *Counting) Observations(ctx context.Context, f warehouse.ObservationFilter) ([]warehouse.Observation, error) {
	c.Calls.Add(1)
	return c.Store.Observations(ctx, f)
}
