// Package loaders batches nested GraphQL fields into one warehouse query per request and
// kind of data. Loaders are made per request by Middleware and fetched with For(ctx).
package loaders

import (
	"context"
	"net/http"
	"strings"

	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/warehouse"
)

type ctxKey struct{}

// Loaders holds one request's loaders.
type Loaders struct {
	// Alternatives loads every observation of a cell (subject|metric|period label).
	Alternatives *Batch[string, []warehouse.Observation]
	// Revisions loads every committed revision of an observation ID, newest first.
	Revisions *Batch[string, []warehouse.Observation]
}

// New makes loaders over the service's store.
func New(svc *service.Service) *Loaders {
	return &Loaders{
		Alternatives: NewBatch(func(ctx context.Context, cells []string) (map[string][]warehouse.Observation, error) {
			return fetchCells(ctx, svc, cells)
		}),
		Revisions: NewBatch(func(ctx context.Context, ids []string) (map[string][]warehouse.Observation, error) {
			// ClickHouse returns rows in its own order: Revisions maps them back by ID.
			revs, err := svc.Store.Revisions(ctx, ids)
			for _, r := range revs {
				svc.AttachSources(r)
			}
			return revs, err
		}),
	}
}

// Expect announces the observations a response will show, so their alternatives and
// revisions (if asked for) come in one query each.
func (l *Loaders) Expect(obs ...*warehouse.Observation) {
	if l == nil {
		return
	}
	cells := make([]string, 0, len(obs))
	ids := make([]string, 0, len(obs))
	for _, o := range obs {
		if o != nil {
			cells = append(cells, o.CellKey())
			ids = append(ids, o.ID)
		}
	}
	l.Alternatives.Expect(cells...)
	l.Revisions.Expect(ids...)
}

// fetchCells reads all cells in one query (the cross product of their subjects, metrics
// and periods, filtered back to the cells asked for).
func fetchCells(ctx context.Context, svc *service.Service, cells []string) (map[string][]warehouse.Observation, error) {
	subj, met, per := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, c := range cells {
		p := strings.SplitN(c, "|", 3)
		if len(p) == 3 {
			subj[p[0]], met[p[1]], per[p[2]] = true, true, true
		}
	}
	obs, err := svc.Store.Observations(ctx, warehouse.ObservationFilter{SubjectIDs: set(subj), MetricIDs: set(met), PeriodLabels: set(per)})
	if err != nil {
		return nil, err
	}
	svc.AttachSources(obs)
	byCell := map[string][]warehouse.Observation{}
	for _, o := range obs {
		byCell[o.CellKey()] = append(byCell[o.CellKey()], o)
	}
	return byCell, nil
}

func set(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Middleware gives each request fresh loaders (no data is cached across requests).
func Middleware(svc *service.Service, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, New(svc))))
	})
}

// For returns the request's loaders.
func For(ctx context.Context) *Loaders {
	l, _ := ctx.Value(ctxKey{}).(*Loaders)
	return l
}
