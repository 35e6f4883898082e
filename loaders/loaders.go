// Package loaders batches nested GraphQL fields into one warehouse query per request and
// kind of data. Loaders are made per operation (With, called by graph's handler) and
// fetched with For(ctx); the look-ups themselves are the service's.
package loaders

import (
	"context"

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

// New makes loaders over the service.
func New(svc *service.Service) *Loaders {
	return &Loaders{Alternatives: NewBatch(svc.Cells), Revisions: NewBatch(svc.Revisions)}
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

// With returns ctx carrying fresh loaders (no data is cached across operations).
func With(ctx context.Context, svc *service.Service) context.Context {
	return context.WithValue(ctx, ctxKey{}, New(svc))
}

// For returns the request's loaders.
func For(ctx context.Context) *Loaders {
	l, _ := ctx.Value(ctxKey{}).(*Loaders)
	return l
}
