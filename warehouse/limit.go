package warehouse

import (
	"context"
)

// Limited bounds how many warehouse calls run at once. A dashboard burst then queues in
// the server instead of piling onto ClickHouse; a caller that waits past its deadline gets
// a clear UNAVAILABLE error.
type Limited struct {
	Store
	sem chan struct{}
}

// Limit wraps s so at most n calls run at a time (n ≤ 0: no limit, s itself).
func Limit(s Store, n int) Store {
	if n <= 0 {
		return s
	}
	return &Limited{Store: s, sem: make(chan struct{}, n)}
}

func (l *Limited) acquire(ctx context.Context) (func(), error) {
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
