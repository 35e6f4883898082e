package main

import (
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cadrestat/cadrestat/internal/testenv"
)

// TestFragmentBombIsRefusedByTheBinary: 40 fragments that each spread the previous one twice
// (1.6 KB, 2^40 selections once expanded) used to keep a core busy after the client left and
// made SIGTERM wait its full 20 s. The real binary now refuses it at once, stays responsive,
// and still shuts down cleanly.
func TestFragmentBombIsRefusedByTheBinary(t *testing.T) {
	testenv.Engine(t)
	bin := buildBinary(t)
	addr := freePort(t)
	srv := exec.Command(bin, "serve", "-data", t.TempDir(), "-addr", addr, "-synthetic-seed", "0")
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Process.Kill()
	waitReady(t, addr, nil)
	var q strings.Builder
	q.WriteString(`fragment F0 on Query { dataVersion } `)
	for i := 1; i <= 39; i++ {
		fmt.Fprintf(&q, `fragment F%d on Query { ...F%d ...F%d } `, i, i-1, i-1)
	}
	q.WriteString(`query { ...F39 }`)
	body := fmt.Sprintf(`{"query":%q}`, q.String())
	start := time.Now()
	resp, err := http.Post("http://"+addr+"/graphql", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	// A generous wall-clock bound: the refusal takes about a millisecond; the old walk never
	// ended. This is a correctness bound (it must not hang), not a speed target.
	if !strings.Contains(string(b), `"code":"COMPLEXITY_LIMIT_EXCEEDED"`) || took > 5*time.Second {
		t.Fatalf("fragment bomb: %s after %v", b, took)
	}
	if r, err := http.Post("http://"+addr+"/graphql", "application/json", strings.NewReader(`{"query":"{ dataVersion }"}`)); err != nil || r.StatusCode != 200 {
		t.Fatalf("server after the bomb: %v %v", r, err)
	}
	stopAt := time.Now()
	srv.Process.Signal(syscall.SIGTERM)
	if err := srv.Wait(); err != nil || time.Since(stopAt) > 15*time.Second {
		t.Fatalf("shutdown after the bomb: %v after %v", err, time.Since(stopAt))
	}
}
