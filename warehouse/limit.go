package warehouse

import (
	"context"
	"sync/atomic"
	"time"
)

// Limited bounds how many warehouse calls run at once. A dashboard burst then queues in
// the server instead of piling onto ClickHouse; a caller that waits past its deadline gets
// a clear UNAVAILABLE error.
type Limited struct {
	Store
	sem    chan struct{}
	obs    QueryObserver
	tracer QueryTracer
}

// Limit wraps s so at most n calls run at a time (n ≤ 0: no limit on concurrency) and
// every request spends its query budget (WithQueryBudget) on each call.
func Limit(s Store, n int) *Limited {
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
// the resolvers turn it into. n ≤ 0 means no budget. The same value counts the request's
// warehouse queries and their time (RequestStats), for its log line.
func WithQueryBudget(ctx context.Context, n int) context.Context {
	if b, _ := ctx.Value(budgetKey{}).(*queryBudget); b != nil && b.max == n {
		return ctx // already given (the GraphQL and HTTP layers both ask)
	}
	b := &queryBudget{max: n}
	b.left.Store(int64(n))
	return context.WithValue(ctx, budgetKey{}, b)
}

type queryBudget struct {
	left    atomic.Int64
	max     int
	queries atomic.Int64
	nanos   atomic.Int64
}

// RequestStats returns how many warehouse queries ran under ctx (given WithQueryBudget)
// and how long they took, queueing included.
func RequestStats(ctx context.Context) (queries int, took time.Duration) {
	b, _ := ctx.Value(budgetKey{}).(*queryBudget)
	if b == nil {
		return 0, 0
	}
	return int(b.queries.Load()), time.Duration(b.nanos.Load())
}

// spend takes one query from the budget (a nil budget is no budget).
func (b *queryBudget) spend() error {
	if b == nil || b.max <= 0 || b.left.Add(-1) >= 0 {
		return nil
	}
	return Errorf(ErrTooComplex, "this request needs more than %d warehouse queries, the limit per request; split it into several requests", b.max)
}

// QueryObserver is told about every warehouse call made through a Limited store (the
// server's Prometheus metrics implement it). Call names are fixed strings, never SQL.
type QueryObserver interface {
	// ObserveQuery: a query waited wait for a slot, then ran for run.
	ObserveQuery(call string, wait, run time.Duration, err error)
	// InFlight: queries running now changed by delta.
	InFlight(delta int)
	// ObserveLoad: a load wrote rows (changed of them) in took.
	ObserveLoad(rows, changed int, took time.Duration, err error)
}

// Observe makes l report to o (set before serving; not safe to change concurrently).
func (l *Limited) Observe(o QueryObserver) { l.obs = o }

// QueryTracer starts a span for one warehouse call (the server's OpenTelemetry tracing
// implements it); the returned func ends it. Call names are fixed strings, never SQL.
type QueryTracer interface {
	TraceQuery(ctx context.Context, call string) (context.Context, func(err error))
}

// Trace makes l open a span per call (set before serving).
func (l *Limited) Trace(t QueryTracer) { l.tracer = t }

// acquire waits for a slot (until ctx ends); release gives it back.
func (l *Limited) acquire(ctx context.Context) error {
	if l.sem != nil {
		select {
		case l.sem <- struct{}{}:
		case <-ctx.Done():
			return Wrap(ctx.Err(), ErrUnavailable, "the server is busy; try again shortly")
		}
	}
	if l.obs != nil {
		l.obs.InFlight(1)
	}
	return nil
}

func (l *Limited) release() {
	if l.obs != nil {
		l.obs.InFlight(-1)
	}
	if l.sem != nil {
		<-l.sem
	}
}

// call runs one warehouse call under the concurrency limit and the request's budget, and
// reports its queueing and running time.
func call[T any](l *Limited, ctx context.Context, name string, f func(context.Context) (T, error)) (v T, err error) {
	if l.tracer != nil {
		var end func(error)
		ctx, end = l.tracer.TraceQuery(ctx, name)
		defer func() { end(err) }()
	}
	b, _ := ctx.Value(budgetKey{}).(*queryBudget)
	if err = b.spend(); err != nil {
		return v, err
	}
	start := time.Now()
	if err = l.acquire(ctx); err != nil {
		return v, err
	}
	began := time.Now()
	v, err = f(ctx)
	l.release()
	end := time.Now()
	if b != nil {
		b.queries.Add(1)
		b.nanos.Add(int64(end.Sub(start)))
	}
	if l.obs != nil {
		l.obs.ObserveQuery(name, began.Sub(start), end.Sub(began), err)
	}
	return v, err
}

func (l *Limited) Observations(ctx context.Context, f ObservationFilter) ([]Observation, error) {
	name := "observations"
	if f.OnePerCell != nil {
		name = "cells"
	}
	return call(l, ctx, name, func(ctx context.Context) ([]Observation, error) { return l.Store.Observations(ctx, f) })
}

func (l *Limited) CountObservations(ctx context.Context, f ObservationFilter) (int, error) {
	return call(l, ctx, "count_observations", func(ctx context.Context) (int, error) { return l.Store.CountObservations(ctx, f) })
}

func (l *Limited) Revisions(ctx context.Context, ids []string) (map[string][]Observation, error) {
	return call(l, ctx, "revisions", func(ctx context.Context) (map[string][]Observation, error) {
		return l.Store.Revisions(ctx, ids)
	})
}

// Load passes through (loads are serialised by the store, not limited) and is observed.
func (l *Limited) Load(ctx context.Context, b *Batch) (*LoadResult, error) {
	start := time.Now()
	res, err := l.Store.Load(ctx, b)
	if l.obs != nil {
		rows, changed := 0, 0
		if res != nil {
			rows, changed = res.Rows, res.Changed
		}
		l.obs.ObserveLoad(rows, changed, time.Since(start), err)
	}
	return res, err
}

var (
	_ LoadHistory       = (*Limited)(nil)
	_ RejectionRecorder = (*Limited)(nil)
	_ CellReader        = (*Limited)(nil)
)

// Cells passes through to the wrapped store's CellReader as one limited call (its slot is
// held while each runs), or falls back to per-metric queries, each one limited.
func (l *Limited) Cells(ctx context.Context, q CellQuery, each func(metric string, obs []Observation) error) error {
	r, ok := l.Store.(CellReader)
	if !ok {
		return readCellsEach(ctx, l, q, each)
	}
	_, err := call(l, ctx, "cells_bulk", func(ctx context.Context) (struct{}, error) { return struct{}{}, r.Cells(ctx, q, each) })
	return err
}

// HasLoad passes through to the wrapped store's LoadHistory (false when it has none).
func (l *Limited) HasLoad(ctx context.Context, file string) (bool, error) {
	if h, ok := l.Store.(LoadHistory); ok {
		return h.HasLoad(ctx, file)
	}
	return false, nil
}

// RecordRejection passes through to the wrapped store's RejectionRecorder, if any.
func (l *Limited) RecordRejection(ctx context.Context, file string, problems int, first string) error {
	if r, ok := l.Store.(RejectionRecorder); ok {
		return r.RecordRejection(ctx, file, problems, first)
	}
	return nil
}
