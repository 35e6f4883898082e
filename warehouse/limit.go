package warehouse

import (
	"context"
	"sync/atomic"
)

// Limited bounds how many warehouse calls run at once. A dashboard burst then queues in
// the server instead of piling onto ClickHouse; a caller that waits past its deadline gets
// a clear UNAVAILABLE error.
type Limited struct {
	Store
	sem chan struct{}
}

// Limit wraps s so at most n calls run at a time (n ≤ 0: no limit on concurrency) and
// every request spends its query budget (WithQueryBudget) on each call.
func Limit(s Store, n int) Store {
	l := &Limited{Store: s}
	if n > 0 {
		l.sem = make(chan struct{}, n)
	}
	return l
}

type budgetKey struct{}

// WithQueryBudget allows at most n warehouse queries (Observations, CountObservations,
// Revisions through a Limited store) under ctx; the next one fails with
// COMPLEXITY_LIMIT_EXCEEDED. The complexity limit already bounds what a query can ask
// for; the budget is the backstop that bounds what it can make the warehouse do, whatever
// the resolvers turn it into. n ≤ 0 means no budget.
func WithQueryBudget(ctx context.Context, n int) context.Context {
	if n <= 0 {
		return ctx
	}
	b := &queryBudget{max: n}
	b.left.Store(int64(n))
	return context.WithValue(ctx, budgetKey{}, b)
}

type queryBudget struct {
	left atomic.Int64
	max  int
}

func spend(ctx context.Context) error {
	b, _ := ctx.Value(budgetKey{}).(*queryBudget)
	if b == nil || b.left.Add(-1) >= 0 {
		return nil
	}
	return Errorf(KindTooComplex, "this request needs more than %d warehouse queries, the limit per request; split it into several requests", b.max)
}

func (l *Limited) acquire(ctx context.Context) (func(), error) {
	if err := spend(ctx); err != nil {
		return nil, err
	}
	if l.sem == nil {
		return func() {}, nil
	}
	select {
	case l.sem <- struct{}{}:
		return func() { <-l.sem }, nil
	case <-ctx.Done():
		return nil, Wrap(ctx.Err(), KindUnavailable, "the server is busy; try again shortly")
	}
}

func (l *Limited) Observations(ctx context.Context, f ObservationFilter) ([]Observation, error) {
	release, err := l.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return l.Store.Observations(ctx, f)
}

func (l *Limited) CountObservations(ctx context.Context, f ObservationFilter) (int, error) {
	release, err := l.acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer release()
	return l.Store.CountObservations(ctx, f)
}

func (l *Limited) Revisions(ctx context.Context, ids []string) (map[string][]Observation, error) {
	release, err := l.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return l.Store.Revisions(ctx, ids)
}

// HasLoad passes through to the wrapped store (used to load bundled data once).
func (l *Limited) HasLoad(ctx context.Context, file string) (bool, error) {
	if h, ok := l.Store.(interface {
		HasLoad(context.Context, string) (bool, error)
	}); ok {
		return h.HasLoad(ctx, file)
	}
	return false, nil
}

// RecordRejection passes through to the wrapped store.
func (l *Limited) RecordRejection(ctx context.Context, file string, problems int, first string) error {
	if r, ok := l.Store.(interface {
		RecordRejection(context.Context, string, int, string) error
	}); ok {
		return r.RecordRejection(ctx, file, problems, first)
	}
	return nil
}
