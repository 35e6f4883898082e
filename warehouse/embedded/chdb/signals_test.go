//go:build linux

package chdb

import (
	"testing"
	"time"
)

// TestGoPanicsSurviveTheEngine: after the engine is loaded and connected, a nil-pointer
// dereference must still be an ordinary, recoverable Go panic (ClickHouse's own SIGSEGV
// handler would hang the process instead).
func TestGoPanicsSurviveTheEngine(t *testing.T) {
	before := saveSignals()
	c, err := Open(tempDir) // the package's folder: chDB serves one folder per process
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Query("SELECT 1", "TabSeparated"); err != nil {
		t.Fatal(err)
	}
	if changed := before.changedSignals(); len(changed) > 0 {
		t.Fatalf("signal handlers changed by the engine: %v", changed)
	}
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		var p *int
		_ = *p
	}()
	select {
	case r := <-done:
		if r == nil {
			t.Fatal("nil dereference did not panic")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("nil dereference hung: the engine's signal handler took SIGSEGV")
	}
}
