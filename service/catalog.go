package service

import (
	"github.com/cadrestat/cadrestat/warehouse"
)

// Provinces lists a map's provinces, optionally only those of a region (matched on the
// region code) or of a group; an unknown group is an error, not an empty list.
func (s *Service) Provinces(m warehouse.Map, region, group string) ([]*warehouse.Province, error) {
	cat := s.Catalog()
	var members map[string]bool
	if group != "" {
		g := cat.Group(group)
		if g == nil {
			return nil, warehouse.Errorf(warehouse.ErrNotFound, "unknown group %q", group)
		}
		members = map[string]bool{}
		for _, id := range g.Members {
			members[id] = true
		}
	}
	var out []*warehouse.Province
	for _, p := range cat.ProvincesOn(m) {
		if region != "" && p.Region != region {
			continue
		}
		if members != nil && !members[p.ID] {
			continue
		}
		out = append(out, p)
	}
	return out, nil
}
