package graph

import (
	"context"
	"net/url"
	"strconv"

	"github.com/cadrestat/cadrestat/graph/model"
	"github.com/cadrestat/cadrestat/loaders"
	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/warehouse"
)

func (r *Resolver) provincesByID(ids []string) []*warehouse.Province {
	cat := r.Svc.Catalog()
	out := make([]*warehouse.Province, 0, len(ids))
	for _, id := range ids {
		if p := cat.Province(id); p != nil {
			out = append(out, p)
		}
	}
	return out
}

func mapOf(m *model.Map) warehouse.Map {
	if m == nil {
		return warehouse.VN63
	}
	return warehouse.Map(*m)
}

func mapOrEmpty(m *model.Map) warehouse.Map {
	if m == nil {
		return ""
	}
	return warehouse.Map(*m)
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func ptrs[T any](in []T) []*T {
	out := make([]*T, len(in))
	for i := range in {
		out[i] = &in[i]
	}
	return out
}

func yearOrNil(y int) *int {
	if y == 0 {
		return nil
	}
	return &y
}

func filterArgs(f *model.ObservationFilter) service.FilterArgs {
	if f == nil {
		return service.FilterArgs{}
	}
	return service.FilterArgs{Metrics: f.Metrics, Provinces: f.Provinces, Periods: f.Periods, Sources: f.Sources, Statuses: f.Statuses,
		Group: deref(f.Group), FromYear: deref(f.FromYear), ToYear: deref(f.ToYear), IncludeSynthetic: deref(f.IncludeSynthetic),
		IncludePredecessors: deref(f.IncludePredecessors)}
}

// csvURL is the export link of a comparison (served by the binary at /export/compare.csv).
func csvURL(c *service.Comparison) string {
	v := url.Values{}
	v.Set("metric", c.Metric.ID)
	if c.Period != nil {
		v.Set("period", c.Period.Label)
	} else {
		v.Set("year", strconv.Itoa(c.Year))
	}
	v.Set("map", string(c.Map))
	return "/export/compare.csv?" + v.Encode()
}

// alternatives are the other observations of the same cell, preferred first, through the
// request's loader (one warehouse query for all cells of the response).
func (r *Resolver) alternatives(ctx context.Context, o *warehouse.Observation) ([]*warehouse.Observation, error) {
	l := loaders.For(ctx)
	if l == nil {
		return nil, warehouse.Errorf(warehouse.ErrInternal, "loaders missing from request")
	}
	all, err := l.Alternatives.Load(ctx, o.CellKey())
	if err != nil {
		return nil, err
	}
	var out []*warehouse.Observation
	for i := range all {
		if all[i].ID != o.ID {
			out = append(out, &all[i])
		}
	}
	r.Svc.Order(out)
	return out, nil
}

func (r *Resolver) revisions(ctx context.Context, o *warehouse.Observation) ([]*warehouse.Observation, error) {
	l := loaders.For(ctx)
	if l == nil {
		return nil, warehouse.Errorf(warehouse.ErrInternal, "loaders missing from request")
	}
	all, err := l.Revisions.Load(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	var out []*warehouse.Observation
	for i := range all {
		if all[i].Revision != o.Revision {
			out = append(out, &all[i])
		}
	}
	return out, nil
}

// expectRows and expectPoints announce the observations of a result to the request's
// loaders, so nested alternatives/revisions cost one query for the whole list.
func expectRows(ctx context.Context, rows []*service.Row, extra *warehouse.Observation) {
	obs := []*warehouse.Observation{extra}
	for _, r := range rows {
		obs = append(obs, r.Fig.Observation)
	}
	loaders.For(ctx).Expect(obs...)
}

func expectPoints(ctx context.Context, pts []service.Point) {
	obs := make([]*warehouse.Observation, len(pts))
	for i := range pts {
		obs[i] = pts[i].Fig.Observation
	}
	loaders.For(ctx).Expect(obs...)
}

func expectItems(ctx context.Context, items []warehouse.Observation) {
	obs := make([]*warehouse.Observation, len(items))
	for i := range items {
		obs[i] = &items[i]
	}
	loaders.For(ctx).Expect(obs...)
}
