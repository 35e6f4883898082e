package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/sync/semaphore"
)

// A request that waits for a place past its deadline gets a coded 503, not a hang; one
// that finds a place goes on (places go in arrival order: x/sync's semaphore is FIFO).
func TestAdmitQueueDeadlineAndOrder(t *testing.T) {
	sem := semaphore.NewWeighted(1)
	r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	if !admit(context.Background(), httptest.NewRecorder(), r, sem) {
		t.Fatal("a free place was refused")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	w := httptest.NewRecorder()
	if admit(ctx, w, r, sem) {
		t.Fatal("admitted while the only place was taken")
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
