package loaders

import (
	"context"
	"sync"
)

// Batch is a per-request loader that fetches every key it knows about in one call. Parent
// resolvers announce the keys their children will ask for (Expect); the first Load then
// fetches them all at once, so a list of any length costs one warehouse query. A time
// window (as in dataloadgen) cannot promise that: on a busy machine list items resolve
// over several windows and the fetch splits into several queries (measured: 4 instead of 1
// for 63 rows). Keys not announced are fetched with whatever else is pending.
type Batch[K comparable, V any] struct {
	fetch func(ctx context.Context, keys []K) (map[K]V, error)

	mu       sync.Mutex
	pending  map[K]bool
	done     map[K]V
	inflight *fetchCall
	err      error
}

type fetchCall struct{ wait chan struct{} }

// NewBatch makes a loader around fetch, which must return the values of the keys it found
// (missing keys get the zero value).
func NewBatch[K comparable, V any](fetch func(ctx context.Context, keys []K) (map[K]V, error)) *Batch[K, V] {
	return &Batch[K, V]{fetch: fetch, pending: map[K]bool{}, done: map[K]V{}}
}

// Expect announces keys that will be loaded; nothing is fetched yet.
func (b *Batch[K, V]) Expect(keys ...K) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, k := range keys {
		if _, ok := b.done[k]; !ok {
			b.pending[k] = true
		}
	}
}

// Load returns the value of key, fetching it with every pending key if needed.
func (b *Batch[K, V]) Load(ctx context.Context, key K) (V, error) {
	for {
		b.mu.Lock()
		if v, ok := b.done[key]; ok {
			b.mu.Unlock()
			return v, nil
		}
		if b.err != nil {
			err := b.err
			b.mu.Unlock()
			var zero V
			return zero, err
		}
		b.pending[key] = true
		if call := b.inflight; call != nil {
			b.mu.Unlock()
			select {
			case <-call.wait:
				continue // the key may have been in that fetch; if not, fetch again
			case <-ctx.Done():
				var zero V
				return zero, ctx.Err()
			}
		}
		keys := make([]K, 0, len(b.pending))
		for k := range b.pending {
			keys = append(keys, k)
		}
		b.pending = map[K]bool{}
		call := &fetchCall{wait: make(chan struct{})}
		b.inflight = call
		b.mu.Unlock()

		vals, err := b.fetch(ctx, keys)

		b.mu.Lock()
		if err != nil {
			b.err = err
		} else {
			for _, k := range keys {
				b.done[k] = vals[k] // missing keys get the zero value
			}
		}
		b.inflight = nil
		close(call.wait)
		b.mu.Unlock()
	}
}
