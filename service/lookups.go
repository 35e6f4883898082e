package service

import (
	"context"
	"strings"

	"github.com/cadrestat/cadrestat/warehouse"
)

// Cells returns every observation of the cells given by their keys (Observation.CellKey),
// by key, with their sources, in one warehouse query: the cross product of the cells'
// subjects, metrics and periods, filtered back to the cells asked for. The loaders batch a
// response's alternatives into one call of it.
func (s *Service) Cells(ctx context.Context, keys []string) (map[string][]warehouse.Observation, error) {
	subj, met, per := map[string]bool{}, map[string]bool{}, map[string]bool{}
	asked := make(map[string]bool, len(keys))
	for _, k := range keys {
		p := strings.SplitN(k, "|", 3)
		if len(p) == 3 {
			subj[p[0]], met[p[1]], per[p[2]] = true, true, true
			asked[k] = true
		}
	}
	obs, err := s.Store.Observations(ctx, warehouse.ObservationFilter{SubjectIDs: setOf(subj), MetricIDs: setOf(met), PeriodLabels: setOf(per)})
	if err != nil {
		return nil, err
	}
	s.AttachSources(obs)
	byCell := map[string][]warehouse.Observation{}
	for _, o := range obs {
		if k := o.CellKey(); asked[k] {
			byCell[k] = append(byCell[k], o)
		}
	}
	return byCell, nil
}

// Revisions returns every committed revision of the observations with the given IDs, newest
// first, by ID, with their sources.
func (s *Service) Revisions(ctx context.Context, ids []string) (map[string][]warehouse.Observation, error) {
	revs, err := s.Store.Revisions(ctx, ids)
	for _, r := range revs {
		s.AttachSources(r)
	}
	return revs, err
}

func setOf(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
