package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"golang.org/x/sync/semaphore"
)

// A request that waits for a place past its deadline gets a coded 503, not a hang; one
// that finds a place goes on (places go in arrival order: x/sync's semaphore is FIFO).
func TestAdmitQueueDeadlineAndOrder(t *testing.T) {
	sem := semaphore.NewWeighted(1)
	m := NewMetrics()
	r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	if !admit(context.Background(), httptest.NewRecorder(), r, sem, m) {
		t.Fatal("a free place was refused")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	w := httptest.NewRecorder()
	refused := make(chan bool)
	go func() { refused <- !admit(ctx, w, r, sem, m) }()
	// The gauges show one running and, while the second waits, one queued.
	for testutil.ToFloat64(m.execQueued) != 1 {
		select {
		case <-refused:
			t.Fatal("the second request did not wait")
		case <-time.After(time.Millisecond):
		}
	}
	if got := testutil.ToFloat64(m.execRunning); got != 1 {
		t.Fatalf("running %v, want 1", got)
	}
	if !<-refused {
		t.Fatal("admitted while the only place was taken")
	}
	if q := testutil.ToFloat64(m.execQueued); q != 0 {
		t.Fatalf("queue %v after the wait ended, want 0", q)
	}
	release(sem, m)
	if got := testutil.ToFloat64(m.execRunning); got != 0 {
		t.Fatalf("running %v after release, want 0", got)
	}
	var body struct {
		Errors []struct {
			Message    string
			Extensions map[string]any
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Code != http.StatusServiceUnavailable ||
		len(body.Errors) != 1 || body.Errors[0].Extensions["code"] != "TIMEOUT" || w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("%d %s", w.Code, w.Body.String())
	}
}
