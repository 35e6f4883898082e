package loaders

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

func TestBatchOneFetchForExpectedKeys(t *testing.T) {
	var calls atomic.Int64
	b := NewBatch(func(ctx context.Context, keys []int) (map[int]int, error) {
		calls.Add(1)
		out := map[int]int{}
		for _, k := range keys {
			if k != 13 { // 13 is "not found": zero value
				out[k] = k * 10
			}
		}
		return out, nil
	})
	keys := make([]int, 200)
	for i := range keys {
		keys[i] = i
	}
	b.Expect(keys...)
	var wg sync.WaitGroup
	for _, k := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := b.Load(context.Background(), k)
			if err != nil || (k != 13 && v != k*10) || (k == 13 && v != 0) {
				t.Errorf("Load(%d) = %d, %v", k, v, err)
			}
		}()
	}
	wg.Wait()
	if calls.Load() != 1 {
		t.Fatalf("%d fetches for 200 expected keys; want 1", calls.Load())
	}
	if _, err := b.Load(context.Background(), 5); err != nil || calls.Load() != 1 {
		t.Fatalf("a loaded key must not be fetched again (calls %d)", calls.Load())
	}
}

func TestBatchUnexpectedKeyAndError(t *testing.T) {
	boom := errors.New("warehouse down")
	b := NewBatch(func(ctx context.Context, keys []string) (map[string]int, error) { return nil, boom })
	if _, err := b.Load(context.Background(), "x"); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if _, err := b.Load(context.Background(), "y"); !errors.Is(err, boom) {
		t.Fatalf("a failed request stays failed: %v", err)
	}
}
