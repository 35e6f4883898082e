package service

import (
	"context"

	"github.com/cadrestat/cadrestat/warehouse"
)

// Briefs and tables read many metrics at once. Each metric's slice is normally one
// warehouse query (see metricSlice); preloadSlices reads every slice a request needs that
// is not cached yet in one query for all of them, splits the rows by metric, picks each
// cell by the same rule (pickCells) and puts the slices in the cache and in the request's
// context, where metricSlice finds them. Compare, Series and the rest then run unchanged.

type preloadedKey struct{}

// preloaded is the set of slices a request has read ahead.
type preloaded map[sliceKey]*slice

// preloadedSlice returns the slice read ahead for key, if any (the hook metricSlice calls).
func preloadedSlice(ctx context.Context, key sliceKey) *slice {
	if p, _ := ctx.Value(preloadedKey{}).(preloaded); p != nil {
		return p[key]
	}
	return nil
}

// preloadSlices returns ctx carrying the published slices (no synthetic rows) of every
// metric listed: the cached ones, and the rest read in one warehouse query.
func (s *Service) preloadSlices(ctx context.Context, metrics []string) (context.Context, error) {
	version := s.Catalog().Version
	pre := preloaded{}
	var missing []string
	for _, m := range metrics {
		key := sliceKey{m, false}
		if s.slices != nil {
			if sl := s.slices.peek(key, version); sl != nil {
				pre[key] = sl
				continue
			}
		}
		missing = append(missing, m)
	}
	if len(missing) > 0 {
		var rows []warehouse.Observation
		err := s.readAtVersion(ctx, func() (err error) {
			rows, err = s.Store.Observations(ctx, warehouse.ObservationFilter{MetricIDs: missing})
			return err
		})
		if err != nil {
			return ctx, err
		}
		s.AttachSources(rows)
		byMetric := make(map[string][]warehouse.Observation, len(missing))
		for i := range rows {
			byMetric[rows[i].MetricID] = append(byMetric[rows[i].MetricID], rows[i])
		}
		for _, m := range missing {
			cells, contested := s.pickCells(byMetric[m])
			compact(cells)
			built := &slice{sliceData: sliceData{cells: cells, contested: contested, bytes: sizeOf(cells)}}
			built.index(s)
			key := sliceKey{m, false}
			if s.slices != nil {
				sl, err := s.slices.get(ctx, key, version, func(context.Context) (*slice, error) { return built, nil })
				if err == nil {
					pre[key] = sl
					continue
				}
			}
			built.key, built.version = key, version
			pre[key] = built
		}
	}
	return context.WithValue(ctx, preloadedKey{}, pre), nil
}
