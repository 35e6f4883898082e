package server

import (
	"context"
	"net/http"

	"golang.org/x/sync/semaphore"
)

// admit waits, in arrival order, for one of the executor's places (Config.MaxExecuting) and
// reports whether the request got one before its deadline; if not, it has answered 503
// TIMEOUT.
//
// Why a queue in front of the executor: gqlgen marshals every list element in a goroutine
// of its own (graphql.MarshalSliceConcurrently), and a goroutine started by a running one
// is run next on the same processor, so with 16 comparisons of 63 rows in flight on 2 cores
// a few requests ran through while the others starved. In process (BenchmarkCompareMiss,
// 16 at once, 2 cores shared with other work): p50 13–19 ms but p99 111–159 ms without a
// queue; with 4 places p50 23–27 ms and p99 53–85 ms. The mean is the same either way
// (16 clients over the same throughput); the queue makes it fair, so the tail is no longer
// ten times the median. A cache hit never waits: the response cache is in front of this.
// The metrics follow how many wait (cadrestat_executor_queue_length) and run; the caller
// releases its place with release.
func admit(ctx context.Context, w http.ResponseWriter, r *http.Request, sem *semaphore.Weighted, m *Metrics) bool {
	if sem.TryAcquire(1) {
		m.executing(1)
		return true
	}
	m.queued(1)
	err := sem.Acquire(ctx, 1)
	m.queued(-1)
	if err != nil {
		writeRequestError(w, r, http.StatusServiceUnavailable, "TIMEOUT", "the server is busy: no place to run this request before its deadline; try again")
		return false
	}
	m.executing(1)
	return true
}

func release(sem *semaphore.Weighted, m *Metrics) {
	m.executing(-1)
	sem.Release(1)
}
