package load

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The driver counts every answered request, flags non-200 answers and GraphQL errors as
// errors, stops at its deadline and reports latencies the server imposed.
func TestDrive(t *testing.T) {
	var served, bad atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		served.Add(1)
		time.Sleep(2 * time.Millisecond)
		switch string(b) {
		case "fail":
			bad.Add(1)
			w.WriteHeader(http.StatusInternalServerError)
		case "gqlerr":
			bad.Add(1)
			io.WriteString(w, `{"errors":[{"message":"x"}]}`)
		default:
			io.WriteString(w, `{"data":{}}`)
		}
	}))
	defer srv.Close()
	var i atomic.Int64
	bodies := []string{"ok", "ok", "fail", "ok", "gqlerr"}
	start := time.Now()
	r := Drive("mix", srv.URL, 4, 300*time.Millisecond, 5*time.Second, func() []byte { return []byte(bodies[i.Add(1)%int64(len(bodies))]) })
	took := time.Since(start)

	if r.Scenario != "mix" || r.Requests == 0 {
		t.Fatalf("no requests: %+v", r)
	}
	if r.Requests != served.Load() || r.Errors != bad.Load() {
		t.Errorf("driver counted %d requests, %d errors; the server saw %d, %d bad", r.Requests, r.Errors, served.Load(), bad.Load())
	}
	if r.Errors == 0 || r.Errors == r.Requests {
		t.Errorf("errors %d of %d: the mix has 2 bad bodies in 5", r.Errors, r.Requests)
	}
	if took < 300*time.Millisecond || took > 2*time.Second {
		t.Errorf("Drive took %v for a 300 ms scenario", took)
	}
	if r.P50ms < 2 || r.P99ms < r.P50ms {
		t.Errorf("latencies p50 %.2f p99 %.2f ms with a 2 ms handler", r.P50ms, r.P99ms)
	}
	if want := float64(r.Requests) / 0.3; r.RPS != want {
		t.Errorf("rps %.1f, want requests/duration %.1f", r.RPS, want)
	}
}

// A server that is not there gives errors and no requests (nothing answered), not a hang.
func TestDriveNoServer(t *testing.T) {
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	r := Drive("down", "http://127.0.0.1:"+strconv.Itoa(port), 2, 100*time.Millisecond, time.Second, func() []byte { return nil })
	if r.Requests != 0 || r.Errors == 0 || r.P99ms != 0 {
		t.Errorf("against a closed port: %+v", r)
	}
}

func TestWaitReadyAndPost(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/readyz" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		b, _ := io.ReadAll(r.Body)
		w.Write(b)
	}))
	defer srv.Close()
	if err := WaitReady(srv.URL); err != nil {
		t.Fatal(err)
	}
	body := Query("{ x }", map[string]any{"a": 1})
	if got := string(Post(srv.URL, body)); got != string(body) || !strings.Contains(got, `"variables":{"a":1}`) {
		t.Errorf("echo: %s", got)
	}
}
