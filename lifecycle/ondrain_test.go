package lifecycle_test

import (
	"testing"

	"github.com/cadrestat/cadrestat/lifecycle"
	"github.com/cadrestat/cadrestat/service"
)

// OnDrain's functions run once, when Drain is first called, after Draining turns true.
func TestOnDrainRunsOnce(t *testing.T) {
	m := lifecycle.New(service.New(&slowCells{}, nil), nil)
	var calls int
	var drainingSeen bool
	m.OnDrain(func() { calls++; drainingSeen = m.Draining() })
	if calls != 0 {
		t.Fatal("ran before Drain")
	}
	m.Drain()
	m.Drain()
	if calls != 1 || !drainingSeen {
		t.Fatalf("calls %d, draining seen %v", calls, drainingSeen)
	}
}
