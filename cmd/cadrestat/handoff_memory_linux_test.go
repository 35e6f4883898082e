//go:build linux

// Linux only: the test reads and resets the processes' peak resident memory in /proc.

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cadrestat/cadrestat/admin"
	"github.com/cadrestat/cadrestat/internal/testenv"
)

// memBound is the most the hand-off may add to either process's peak resident memory;
// the file handed over is larger, so a hand-off that held the file would break it.
const memBound = 32 << 20

// An upload to a running serve (the real binaries) keeps both processes' memory bounded,
// whatever the file's size: the client's peak grows by less than memBound over the same
// upload of a tiny file, and the server's peak, from before the upload until the whole file
// is spooled, grows by less than memBound, for a file of more than twice memBound. The
// load that follows is the loader's (it reads the spool file by path exactly as it reads a
// file handed by path), so it is logged, not bounded here.
func TestHandOffUploadMemory(t *testing.T) {
	testenv.Engine(t)
	bin := os.Getenv("CADRESTAT_BIN")
	if bin == "" {
		bin = buildBinary(t)
	}
	work := t.TempDir()
	file, sources := filepath.Join(work, "obs.csv"), filepath.Join(work, "sources.csv")
	if out, err := exec.Command(bin, "synth", "-out", file, "-replicas", "9", "-sources-out", sources).CombinedOutput(); err != nil {
		t.Fatalf("synth: %v\n%s", err, out)
	}
	st, _ := os.Stat(file)
	if st.Size() < 2*memBound {
		t.Fatalf("the file is %d bytes: it must be over twice the bound of %d", st.Size(), memBound)
	}

	dir := t.TempDir()
	addr := freePort(t)
	// Without the standard views' pre-rendering after each load: it allocates in the
	// background while the file is spooled (+8 to +24 MB of the server's peak with it, near
	// the bound), and is not the hand-off's memory.
	srv := startServe(t, bin, dir, addr, "-warm-views=false")
	// ingest returns the client's peak RSS in bytes: its VmHWM, read every few milliseconds
	// while it runs (the last reading before it exits). Not the child's rusage: Linux counts
	// in it the test process's own size at the fork, hundreds of MB once the engine is open.
	ingest := func(files ...string) int64 {
		t.Helper()
		c := exec.Command(bin, append([]string{"ingest", "-data", dir, "-upload"}, files...)...)
		c.Env = append(os.Environ(), "GOMEMLIMIT=32MiB")
		var out bytes.Buffer
		c.Stdout, c.Stderr = &out, &out
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error)
		go func() { done <- c.Wait() }()
		var peak int64
		for {
			select {
			case err := <-done:
				if err != nil || !strings.Contains(out.String(), "handed to the running server") || peak == 0 {
					t.Fatalf("ingest: %v (peak read %d)\n%s", err, peak, out.String())
				}
				return peak
			case <-time.After(2 * time.Millisecond):
				if hwm := statusKB(c.Process.Pid, "VmHWM"); hwm > peak {
					peak = hwm
				}
			}
		}
	}
	tiny := writeTemp(t, "tiny.csv", strings.ReplaceAll(userSource, "%s", "tiny"))
	clientBase := ingest(tiny)

	pid := srv.Process.Pid
	time.Sleep(time.Second) // let the tiny load's aftermath (cache refresh) pass
	resetPeak(t, pid)
	serverBase := procKB(t, pid, "VmHWM")
	spooled := make(chan int64, 1) // the server's peak once the whole file is in its spool
	go func() {
		defer close(spooled)
		for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			parts, _ := filepath.Glob(filepath.Join(dir, admin.SpoolPattern))
			for _, p := range parts {
				if s, err := os.Stat(p); err == nil && s.Size() == st.Size() {
					spooled <- procKB(t, pid, "VmHWM")
					return
				}
			}
		}
	}()
	start := time.Now()
	clientPeak := ingest(sources, file)
	took := time.Since(start)
	serverSpooled, ok := <-spooled
	if !ok {
		t.Fatal("the file never appeared whole in the server's spool folder")
	}
	serverEnd := procKB(t, pid, "VmHWM")
	t.Logf("file %d MB in %v; client peak %d MB (tiny upload %d MB); server peak %d MB before, %d MB once spooled, %d MB after the load",
		st.Size()>>20, took.Round(time.Millisecond), clientPeak>>20, clientBase>>20, serverBase>>20, serverSpooled>>20, serverEnd>>20)
	if grow := clientPeak - clientBase; grow >= memBound {
		t.Errorf("the client's peak grew by %d MB for a %d MB file: over the %d MB bound", grow>>20, st.Size()>>20, memBound>>20)
	}
	if grow := serverSpooled - serverBase; grow >= memBound {
		t.Errorf("the server's peak grew by %d MB receiving a %d MB file: over the %d MB bound", grow>>20, st.Size()>>20, memBound>>20)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, admin.SpoolPattern)); len(left) > 0 {
		t.Errorf("spool files left after the load: %v", left)
	}
}

// procKB reads a "Name: N kB" line of the server's /proc/PID/status, in bytes.
func procKB(t *testing.T, pid int, name string) int64 {
	v := statusKB(pid, name)
	if v == 0 {
		t.Errorf("no %s in /proc/%d/status", name, pid)
	}
	return v
}

// statusKB is a "Name: N kB" line of /proc/PID/status in bytes, or 0 (no such process, or
// one that has exited: a zombie has no memory lines).
func statusKB(pid int, name string) int64 {
	raw, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// resetPeak sets the process's VmHWM to its current resident size (proc(5), clear_refs 5).
func resetPeak(t *testing.T, pid int) {
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0); err != nil {
		t.Fatalf("resetting the server's peak memory: %v", err)
	}
}
