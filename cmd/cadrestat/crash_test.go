package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cadrestat/cadrestat/internal/testenv"
	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/cadrestat/cadrestat/warehouse/embedded"
)

// TestKillMidLoadLeavesWarehouseAsItWas kills an ingest with SIGKILL after it has written
// the rows of a 66,000-row synthetic file into the warehouse, then reopens the folder:
// the data version, the visible rows and the raw tables are exactly as before the load.
func TestKillMidLoadLeavesWarehouseAsItWas(t *testing.T) {
	testenv.Engine(t)
	bin := buildBinary(t, "faultinject")
	dir := t.TempDir()
	if out, err := exec.Command(bin, "ingest", "-data", dir, "../../data").CombinedOutput(); err != nil {
		t.Fatalf("loading the bundle: %v\n%s", err, out)
	}
	syn := t.TempDir() + "/syn.csv"
	if out, err := exec.Command(bin, "synth", "-out", syn).CombinedOutput(); err != nil {
		t.Fatalf("synth: %v\n%s", err, out)
	}

	ctx := context.Background()
	snapshot := func() (uint64, int, uint64) {
		s, err := embedded.Open(ctx, dir, "cadrestat")
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		v, _ := s.DataVersion(ctx)
		n, _ := s.CountObservations(ctx, warehouse.ObservationFilter{IncludeSynthetic: true})
		raw, err := s.RawCount(ctx, "observations")
		if err != nil {
			t.Fatal(err)
		}
		return v, n, raw
	}
	v0, n0, raw0 := snapshot()

	c := exec.Command(bin, "ingest", "-data", dir, syn)
	c.Env = append(c.Environ(), "CADRESTAT_FAULT_PAUSE_AFTER_WRITE=observations")
	stderr, _ := c.StderrPipe()
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	paused := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "fault: paused after writing observations") {
				paused <- true
				return
			}
		}
		paused <- false
	}()
	select {
	case ok := <-paused:
		if !ok {
			c.Wait()
			t.Fatal("ingest ended without reaching the fault point")
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("ingest did not reach the fault point")
	}
	c.Process.Kill()
	c.Wait()
	// The killed load did write rows: they must be invisible and then removed on reopen,
	// and so must its temporary files.
	left, _ := os.ReadDir(filepath.Join(dir, "load-tmp"))
	if len(left) == 0 {
		t.Fatal("the killed load left no temporary file: the test no longer kills it mid-load")
	}
	v1, n1, raw1 := snapshot()
	if after, _ := os.ReadDir(filepath.Join(dir, "load-tmp")); len(after) != 0 {
		t.Fatalf("reopening left the killed load's temporary files: %v", after)
	}
	if v1 != v0 || n1 != n0 || raw1 != raw0 {
		t.Fatalf("after kill: version %d→%d, visible rows %d→%d, raw rows %d→%d", v0, v1, n0, n1, raw0, raw1)
	}
	// Every row of the file is new again: the killed load left nothing behind.
	raw, _ := os.ReadFile(syn)
	rows := bytes.Count(raw, []byte("\n")) - 1
	out, err := exec.Command(bin, "ingest", "-data", dir, syn).CombinedOutput()
	if err != nil || !strings.Contains(string(out), fmt.Sprintf("loaded %d rows from 1 file(s): %d new or changed", rows, rows)) {
		t.Fatalf("re-running the killed load: %v\n%s", err, out)
	}
}
