package lifecycle_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cadrestat/cadrestat/lifecycle"
	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/warehouse"
)

// slowCells is a warehouse of two metrics whose cells take a while to read.
type slowCells struct{ down }

func (s *slowCells) Catalog(ctx context.Context) (*warehouse.Catalog, error) {
	c, err := s.down.Catalog(ctx)
	c.Metrics = []warehouse.Metric{{ID: "a", Kind: warehouse.MetricCount}, {ID: "b", Kind: warehouse.MetricCount}}
	c.Index()
	return c, err
}

func (s *slowCells) Observations(context.Context, warehouse.ObservationFilter) ([]warehouse.Observation, error) {
	time.Sleep(40 * time.Millisecond)
	return nil, nil
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A long warm-up says it is still running, with how many metrics, and says when it is over.
func TestWarmUpLogsItsProgress(t *testing.T) {
	st := &slowCells{}
	st.up.Store(true)
	var out syncBuffer
	svc := service.New(st, slog.New(slog.NewTextHandler(&out, nil)))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	m := lifecycle.New(svc, slog.New(slog.NewTextHandler(&out, nil)))
	m.WarmLogEvery = 30 * time.Millisecond
	warmOnChange(ctx, svc, m)
	m.Start(ctx, time.Hour)
	eventually(t, "the warm-up ending", func() bool { return strings.Contains(out.String(), `msg="metric cache warm" metrics=2`) })
	if !strings.Contains(out.String(), `msg="warming the metric cache" metrics=2 elapsed_s=0`) {
		t.Fatalf("no progress line in %q", out.String())
	}
}
