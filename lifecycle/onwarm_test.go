package lifecycle_test

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cadrestat/cadrestat/lifecycle"
	"github.com/cadrestat/cadrestat/service"
)

// Work registered with OnWarm starts only once the metric cells are warm (the log line is
// out), and work registered after that starts at once; each runs once per warm-up.
func TestOnWarmRunsAfterTheWarmUp(t *testing.T) {
	st := &slowCells{}
	st.up.Store(true)
	var out syncBuffer
	log := slog.New(slog.NewTextHandler(&out, nil))
	svc := service.New(st, log)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	m := lifecycle.New(svc, log)
	m.Start(ctx, time.Hour)
	var early, late, logged atomic.Int32
	m.OnWarm(func(v uint64) {
		if strings.Contains(out.String(), `msg="metric cache warm"`) && v == svc.Catalog().Version {
			logged.Add(1)
		}
		early.Add(1)
	})
	eventually(t, "the first function", func() bool { return early.Load() == 1 })
	if logged.Load() != 1 {
		t.Fatalf("OnWarm's function ran before the warm-up ended: %q", out.String())
	}
	m.OnWarm(func(uint64) { late.Add(1) })
	eventually(t, "the function registered after the warm-up", func() bool { return late.Load() == 1 })
	time.Sleep(100 * time.Millisecond)
	if early.Load() != 1 || late.Load() != 1 {
		t.Fatalf("ran %d and %d times, want once each", early.Load(), late.Load())
	}
}

// A manager that was never started warms nothing: OnWarm's function runs when a catalogue
// is there, and again after each change of data version.
func TestOnWarmWithoutStartFollowsChanges(t *testing.T) {
	st := &slowCells{}
	st.up.Store(true)
	svc := service.New(st, slog.Default())
	if err := svc.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	var runs atomic.Int32
	lifecycle.New(svc, nil).OnWarm(func(uint64) { runs.Add(1) })
	eventually(t, "the function", func() bool { return runs.Load() == 1 })
	st.version.Add(1)
	if err := svc.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the function after a change", func() bool { return runs.Load() == 2 })
}
