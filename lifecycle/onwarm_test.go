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

// warmOnChange wires m the way serve does: every change of data version warms the cells.
func warmOnChange(ctx context.Context, svc *service.Service, m *lifecycle.Manager) {
	svc.OnChange(func(v uint64) { m.WarmCells(ctx, v) })
}

// Work registered with AfterWarm starts only once the metric cells are warm (the log line
// is out), once per warm-up, and again after the next change of data version.
func TestAfterWarmRunsAfterTheWarmUp(t *testing.T) {
	st := &slowCells{}
	st.up.Store(true)
	var out syncBuffer
	log := slog.New(slog.NewTextHandler(&out, nil))
	svc := service.New(st, log)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	m := lifecycle.New(svc, log)
	var runs, logged atomic.Int32
	m.AfterWarm(func(v uint64) {
		if strings.Contains(out.String(), `msg="metric cache warm"`) && v == svc.Catalog().Version {
			logged.Add(1)
		}
		runs.Add(1)
	})
	warmOnChange(ctx, svc, m)
	m.Start(ctx, time.Hour)
	eventually(t, "the function", func() bool { return runs.Load() == 1 })
	if logged.Load() != 1 {
		t.Fatalf("AfterWarm's function ran before the warm-up ended: %q", out.String())
	}
	time.Sleep(100 * time.Millisecond)
	if runs.Load() != 1 {
		t.Fatalf("ran %d times after one warm-up, want once", runs.Load())
	}
	st.version.Add(1)
	if err := svc.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the function after a change", func() bool { return runs.Load() == 2 })
}

// A manager whose WarmCells nobody calls warms nothing: Start only loads the catalogue.
func TestStartAloneWarmsNothing(t *testing.T) {
	st := &slowCells{}
	st.up.Store(true)
	var out syncBuffer
	log := slog.New(slog.NewTextHandler(&out, nil))
	svc := service.New(st, log)
	m := lifecycle.New(svc, log)
	var runs atomic.Int32
	m.AfterWarm(func(uint64) { runs.Add(1) })
	m.Start(t.Context(), time.Hour)
	if !m.Ready() {
		t.Fatal("no catalogue after Start")
	}
	time.Sleep(150 * time.Millisecond)
	if runs.Load() != 0 || strings.Contains(out.String(), "metric cache warm") {
		t.Fatalf("warmed without being asked: %d runs, log %q", runs.Load(), out.String())
	}
}
