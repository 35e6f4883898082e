package main

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cadrestat/cadrestat/internal/testenv"
)

// TestGracefulShutdown: SIGTERM during a stream of requests lets every started request
// finish with a whole response, the process exits 0, and it removes its admin.json.
func TestGracefulShutdown(t *testing.T) {
	testenv.Engine(t)
	bin := buildBinary(t)
	dir := t.TempDir()
	addr := freePort(t)
	srv := exec.Command(bin, "serve", "-data", dir, "-addr", addr, "-synthetic-seed", "0", "-drain", "1s")
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	waitReady(t, addr, nil)
	var ok, broken, notServed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	body := `{"query":"{ compare(metric: \"female_provincial_committee_share\", year: 2015) { rows { rank province { name } value observation { quote } } } }"}`
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := client.Post("http://"+addr+"/graphql", "application/json", strings.NewReader(body))
				if err != nil {
					// Refused, or closed before any response (a connection still in the
					// kernel's queue when the listener closed): never served, safe to
					// retry. What must not happen is a response cut short, below.
					notServed.Add(1)
					return
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 || !strings.HasSuffix(strings.TrimSpace(string(b)), "}") {
					t.Logf("response: %d %v %.100s", resp.StatusCode, err, b)
					broken.Add(1)
					return
				}
				ok.Add(1)
			}
		}()
	}
	time.Sleep(700 * time.Millisecond)
	srv.Process.Signal(syscall.SIGTERM)
	// While draining, /readyz says 503 so a load balancer stops sending (serve -drain 1s).
	time.Sleep(300 * time.Millisecond)
	if r, err := http.Get("http://" + addr + "/readyz"); err != nil || r.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz while draining: %v %v", err, r)
	} else {
		r.Body.Close()
	}
	done := make(chan error, 1)
	go func() { done <- srv.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve exited with %v after SIGTERM", err)
		}
	case <-time.After(30 * time.Second):
		srv.Process.Kill()
		t.Fatal("serve did not stop within 30 s of SIGTERM")
	}
	close(stop)
	wg.Wait()
	if broken.Load() > 0 || ok.Load() == 0 {
		t.Fatalf("%d whole responses, %d cut short, %d not served", ok.Load(), broken.Load(), notServed.Load())
	}
	if _, err := os.Stat(filepath.Join(dir, "admin.json")); !os.IsNotExist(err) {
		t.Fatalf("admin.json left behind: %v", err)
	}
}
