package ingest

import (
	"runtime/debug"
	"testing"
)

func TestLimitHeapKeepsGOMEMLIMIT(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })

	debug.SetMemoryLimit(1 << 40)
	t.Setenv("GOMEMLIMIT", "1TiB")
	LimitHeap()
	if got := debug.SetMemoryLimit(-1); got != 1<<40 {
		t.Errorf("with GOMEMLIMIT set, the limit became %d", got)
	}

	t.Setenv("GOMEMLIMIT", "")
	LimitHeap()
	if got := debug.SetMemoryLimit(-1); got != HeapLimit {
		t.Errorf("without GOMEMLIMIT, the limit is %d, want %d", got, HeapLimit)
	}
}
