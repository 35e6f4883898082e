package graph

import (
	"github.com/cadrestat/cadrestat/graph/model"
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
