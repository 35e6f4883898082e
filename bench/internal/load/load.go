// Package load is the benchmark harnesses' load driver (bench and bench/cluster): a fixed
// number of connections posting for a fixed time over loopback, bounded and self-stopping,
// with throughput and latency percentiles, plus the helpers both start servers with.
package load

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Result is one scenario's figures.
type Result struct {
	Scenario string  `json:"scenario"`
	Requests int64   `json:"requests"`
	Errors   int64   `json:"errors"`
	RPS      float64 `json:"rps"`
	P50ms    float64 `json:"p50_ms"`
	P99ms    float64 `json:"p99_ms"`
}

// Drive posts body() to url from conns connections until d has passed and reports what
// came back. A request counts as an error when it fails, answers other than 200, or carries
// GraphQL "errors"; failed requests (no answer) are not in Requests or the latencies.
// timeout bounds one request.
func Drive(name, url string, conns int, d, timeout time.Duration, body func() []byte) Result {
	var (
		mu       sync.Mutex
		lat      []float64
		reqs, ne atomic.Int64
		wg       sync.WaitGroup
	)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns}, Timeout: timeout}
	defer client.CloseIdleConnections()
	deadline := time.Now().Add(d)
	for c := 0; c < conns; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local []float64
			for time.Now().Before(deadline) {
				t := time.Now()
				resp, err := client.Post(url, "application/json", bytes.NewReader(body()))
				if err != nil {
					ne.Add(1)
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || bytes.Contains(b, []byte(`"errors"`)) {
					ne.Add(1)
				}
				reqs.Add(1)
				local = append(local, float64(time.Since(t).Microseconds())/1000)
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Float64s(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	return Result{Scenario: name, Requests: reqs.Load(), Errors: ne.Load(), RPS: float64(reqs.Load()) / d.Seconds(), P50ms: pct(0.5), P99ms: pct(0.99)}
}

// Post sends one request and returns the answer's body ("error: …" when there is none).
func Post(url string, body []byte) []byte {
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return []byte("error: " + err.Error())
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return b
}

// Query is a GraphQL request body.
func Query(query string, vars map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return b
}

// WaitReady polls base+"/readyz" every 100 ms for up to a minute; 404 counts as ready (a
// server without the endpoint, such as the bare reference).
func WaitReady(base string) error {
	for i := 0; i < 600; i++ {
		if r, err := http.Get(base + "/readyz"); err == nil {
			r.Body.Close()
			if r.StatusCode == http.StatusOK || r.StatusCode == http.StatusNotFound {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready after 60 s", base)
}

// FreePort is a loopback TCP port free at the time of the call.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Uptime is the machine's load averages ("load average 1.2, 0.9, 0.8"), to print beside
// figures taken on a shared machine.
func Uptime() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "load average ?"
	}
	return "load average " + strings.Join(f[:3], ", ")
}
