package ingest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/cadrestat/cadrestat/internal/progress"
)

// A load's progress comes from the work: bytes read grow to the file's size, rows checked
// and rows handed to the warehouse grow to the rows loaded, and the phases run reading,
// committing, done, in that order.
func TestLoadProgressFromTheWork(t *testing.T) {
	cat := bigCatalog()
	const n = 30000 // ~11 MB: several chunks, so several reports while reading
	data, _ := bigFile(n, nil)
	path := filepath.Join(t.TempDir(), "obs.csv")
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	var got []progress.State
	rep, err := LoadWith(context.Background(), &fakeStore{cat: cat}, []File{{Name: "obs.csv", Path: path}},
		Options{Progress: func(s progress.State) { got = append(got, s) }})
	if err != nil || !rep.OK() || rep.Rows != n {
		t.Fatalf("err %v, report %+v", err, rep)
	}
	if len(got) < 4 {
		t.Fatalf("%d progress reports for a file of several chunks: %+v", len(got), got)
	}
	phases := map[string]int{PhaseRead: 0, PhaseCommit: 1, PhaseDone: 2}
	var reading int
	for i, s := range got {
		if s.TotalBytes != int64(len(data)) {
			t.Fatalf("report %d: total %d bytes, the file has %d", i, s.TotalBytes, len(data))
		}
		if s.Phase == PhaseRead {
			reading++
		}
		if i == 0 {
			continue
		}
		p := got[i-1]
		if s.Bytes < p.Bytes || s.Rows < p.Rows || s.Written < p.Written || phases[s.Phase] < phases[p.Phase] {
			t.Fatalf("report %d goes back: %+v after %+v", i, s, p)
		}
	}
	if reading < 3 {
		t.Errorf("only %d reports while reading %d bytes", reading, len(data))
	}
	last := got[len(got)-1]
	want := progress.State{Phase: PhaseDone, Bytes: int64(len(data)), TotalBytes: int64(len(data)), Rows: n, Written: n}
	if last != want {
		t.Fatalf("last report %+v, want %+v", last, want)
	}
}

// A rejected load never says it is committing.
func TestLoadProgressOfARejectedLoad(t *testing.T) {
	cat := bigCatalog()
	_, lines := bigFile(20000, nil)
	bad, _ := bigFile(20000, map[int]string{lines[15000]: "VN63-99,staff_cut,2020,5,,,,PUBLISHED,src0,q,"})
	var phases []string
	rep, err := LoadWith(context.Background(), &fakeStore{cat: cat}, []File{{Name: "a.csv", Data: []byte(bad)}},
		Options{Progress: func(s progress.State) { phases = append(phases, s.Phase) }})
	if err != nil || rep.OK() {
		t.Fatalf("err %v, report %+v; want problems", err, rep)
	}
	for _, p := range phases {
		if p != PhaseRead {
			t.Fatalf("a rejected load reported phase %q", p)
		}
	}
}
