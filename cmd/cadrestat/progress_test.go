package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cadrestat/cadrestat/admin"
	"github.com/cadrestat/cadrestat/data"
	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/internal/progress"
	"github.com/cadrestat/cadrestat/internal/testenv"
	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/synth"
	"github.com/cadrestat/cadrestat/warehouse"
)

// gatedStore holds every load until the test opens the gate, so the test can see what the
// client receives while the load is still running.
type gatedStore struct {
	warehouse.Store
	gate chan struct{}
}

func (s gatedStore) Load(ctx context.Context, b *warehouse.Batch) (*warehouse.LoadResult, error) {
	select {
	case <-s.gate:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return s.Store.Load(ctx, b)
}

// synthFile writes a file of synthetic observations and returns its path and row count.
func synthFile(t *testing.T, seed uint64) (string, int) {
	t.Helper()
	b, probs := ingest.Prepare(data.Files(), nil)
	if len(probs) > 0 {
		t.Fatal(probs[0])
	}
	rows := synth.Generate(b.Catalog(), synth.Options{Seed: seed, From: 2018, To: 2026})
	var buf bytes.Buffer
	if err := synth.WriteCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "synthetic.csv")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, len(rows)
}

// A load handed to a running server streams its progress to the client while it runs:
// the first event arrives while the load is still held, every progress event comes before
// the one final report, the counts never go back, and they end at the file's bytes and
// rows; the report is the one the client prints, as before.
func TestHandOffStreamsProgress(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	gate := make(chan struct{})
	store := gatedStore{Store: testenv.Store(t), gate: gate}
	svc := service.New(store, log)
	go func() { gate <- struct{}{} }() // the bundle passes the gate
	if rep, err := svc.LoadBundled(t.Context(), data.Files(), data.Digest()); err != nil || !rep.OK() {
		t.Fatalf("bundled data: %v %+v", err, rep)
	}
	adm := httptest.NewServer(admin.Handler(svc, "tok", log))
	defer adm.Close()

	path, n := synthFile(t, 7)
	st, _ := os.Stat(path)
	body, _ := json.Marshal(admin.IngestRequest{Files: []admin.IngestFile{{Name: "synthetic.csv", Path: path}}})
	req, _ := http.NewRequest(http.MethodPost, adm.URL+"/admin/ingest", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer tok")
	req.Header.Set("Accept", admin.IngestProgressType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != admin.IngestProgressType {
		t.Fatalf("%d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	first := make(chan string, 1)
	go func() {
		if sc.Scan() {
			first <- sc.Text()
		}
		close(first)
	}()
	select {
	case line := <-first: // the load is still held at the gate: this was flushed as it happened
		if !strings.HasPrefix(line, `{"progress":{"phase":"reading"`) {
			t.Fatalf("first event %s", line)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no progress event while the load runs")
	}
	gate <- struct{}{}
	var events []admin.IngestEvent
	for sc.Scan() {
		var ev admin.IngestEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		events = append(events, ev)
	}
	if len(events) < 2 || events[len(events)-1].Report == nil {
		t.Fatalf("the stream does not end with a report: %+v", events)
	}
	var last progress.State
	for i, ev := range events[:len(events)-1] {
		if ev.Progress == nil {
			t.Fatalf("event %d before the report is not progress: %+v", i, ev)
		}
		s := *ev.Progress
		if s.Bytes < last.Bytes || s.Rows < last.Rows || s.Written < last.Written || s.TotalBytes != st.Size() {
			t.Fatalf("event %d: %+v after %+v (file of %d bytes)", i, s, last, st.Size())
		}
		last = s
	}
	want := progress.State{Phase: ingest.PhaseDone, Bytes: st.Size(), TotalBytes: st.Size(), Rows: int64(n), Written: int64(n)}
	if last != want {
		t.Fatalf("last progress %+v, want %+v", last, want)
	}
	rep := events[len(events)-1].Report
	if !rep.OK() || rep.Rows != n || rep.Changed != n {
		t.Fatalf("report %+v, want %d rows loaded", rep, n)
	}

	// The client's own path: progress handed to its bar, then the same report.
	path2, n2 := synthFile(t, 8)
	var seen []progress.State
	go func() { gate <- struct{}{} }()
	info := adminInfo{Addr: strings.TrimPrefix(adm.URL, "http://"), Token: "tok"}
	rep, err = handOffTo(t.Context(), info, []ingest.File{{Name: "synthetic.csv", Path: path2}}, func(s progress.State) { seen = append(seen, s) })
	if err != nil || rep == nil || !rep.OK() || rep.Rows != n2 {
		t.Fatalf("handOffTo: %v %+v", err, rep)
	}
	if len(seen) < 2 || seen[len(seen)-1].Phase != ingest.PhaseDone || seen[len(seen)-1].Rows != int64(n2) {
		t.Fatalf("the client saw progress %+v", seen)
	}

	// A client of the version before progress (no Accept) gets one JSON report, as before.
	path3, n3 := synthFile(t, 9)
	go func() { gate <- struct{}{} }()
	body, _ = json.Marshal(admin.IngestRequest{Files: []admin.IngestFile{{Name: "synthetic.csv", Path: path3}}})
	req, _ = http.NewRequest(http.MethodPost, adm.URL+"/admin/ingest", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer tok")
	resp3, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp3.Body.Close()
	var old ingest.Report
	if err := json.NewDecoder(resp3.Body).Decode(&old); err != nil || resp3.StatusCode != 200 || resp3.Header.Get("Content-Type") != "application/json" || old.Rows != n3 {
		t.Fatalf("without Accept: %d %q %v %+v", resp3.StatusCode, resp3.Header.Get("Content-Type"), err, old)
	}
}

// Either side may be of the version before progress: a client that does not ask for the
// stream gets the single JSON report as before, and a server that ignores the ask gives a
// report the new client reads as before (it shows no progress).
func TestHandOffProtocolVersions(t *testing.T) {
	rep := ingest.Report{Files: []string{"a.csv"}, Rows: 3, Changed: 2, DataVersion: 9}
	old := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(rep)
	}))
	defer old.Close()
	calls := 0
	got, err := handOffTo(t.Context(), adminInfo{Addr: strings.TrimPrefix(old.URL, "http://"), Token: "tok"},
		[]ingest.File{{Name: "a.csv", Data: []byte("x")}}, func(progress.State) { calls++ })
	if err != nil || got == nil || got.Rows != 3 || got.Changed != 2 || got.DataVersion != 9 || calls != 0 {
		t.Fatalf("from a server before progress: %v %+v (%d progress calls)", err, got, calls)
	}

	// A stream cut before its report is an error, not a reason to load the files here.
	cut := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", admin.IngestProgressType)
		io.WriteString(w, `{"progress":{"phase":"reading","bytes":10,"totalBytes":100,"rows":1}}`+"\n")
	}))
	defer cut.Close()
	got, err = handOffTo(t.Context(), adminInfo{Addr: strings.TrimPrefix(cut.URL, "http://"), Token: "tok"},
		[]ingest.File{{Name: "a.csv", Data: []byte("x")}}, nil)
	if err == nil || got != nil || !strings.Contains(err.Error(), "stopped answering before the load ended") {
		t.Fatalf("a cut stream gave %v %+v", err, got)
	}

	// An error at the end of a stream reads as the 500 it used to be.
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", admin.IngestProgressType)
		io.WriteString(w, `{"progress":{"phase":"reading","bytes":0,"rows":0}}`+"\n"+`{"error":"load failed: disk full"}`+"\n")
	}))
	defer failing.Close()
	_, err = handOffTo(t.Context(), adminInfo{Addr: strings.TrimPrefix(failing.URL, "http://"), Token: "tok"},
		[]ingest.File{{Name: "a.csv", Data: []byte("x")}}, nil)
	if err == nil || err.Error() != "the running server refused the files: load failed: disk full" {
		t.Fatalf("a failed load gave %v", err)
	}
}
