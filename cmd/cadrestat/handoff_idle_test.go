package main

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cadrestat/cadrestat/admin"
	"github.com/cadrestat/cadrestat/data"
	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/internal/progress"
	"github.com/cadrestat/cadrestat/internal/testenv"
	"github.com/cadrestat/cadrestat/service"
)

// setHandOffIdle shortens the client's idle limit for one test (handOffWith uses it).
func setHandOffIdle(t *testing.T, d time.Duration) {
	old := handOffIdle
	handOffIdle = d
	t.Cleanup(func() { handOffIdle = old })
}

// handOffIdle is the Client.Idle of the tests' hand-offs.
var handOffIdle = admin.DefaultIdle

// The hand-off client gives up after a silence, not after a total time: a load that keeps
// reporting runs past the idle limit, a server that stops talking (or never takes the
// upload) is given up soon after it.
func TestHandOffIdleTimeout(t *testing.T) {
	setHandOffIdle(t, 400*time.Millisecond)
	files := []ingest.File{{Name: "a.csv", Data: []byte("x")}}
	report := `{"report":{"files":["a.csv"],"rows":1,"changed":1,"dataVersion":2}}` + "\n"
	talking := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", admin.IngestProgressType)
		for i := range 12 { // 1.2 s of events 100 ms apart: three times the idle limit
			fmt.Fprintf(w, `{"progress":{"phase":"reading","rows":%d}}`+"\n", i)
			w.(http.Flusher).Flush()
			time.Sleep(100 * time.Millisecond)
		}
		io.WriteString(w, report)
	}))
	defer talking.Close()
	start := time.Now()
	events := 0
	rep, err := handOffTo(t.Context(), infoOf(talking), files, func(progress.State) { events++ })
	if err != nil || rep == nil || rep.Rows != 1 || events != 12 || time.Since(start) < time.Second {
		t.Fatalf("a load that keeps reporting: %v %+v, %d events in %v", err, rep, events, time.Since(start))
	}

	quit := make(chan struct{}) // a handler that never reads does not see its client leave
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", admin.IngestProgressType)
		io.WriteString(w, `{"progress":{"phase":"reading"}}`+"\n")
		w.(http.Flusher).Flush()
		<-quit // then nothing
	}))
	defer silent.Close()
	deaf := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-quit // takes no upload and answers nothing
	}))
	defer deaf.Close()
	defer close(quit) // before the servers' Close, which waits for their handlers
	for name, srv := range map[string]*httptest.Server{"silent after one event": silent, "never takes the upload": deaf} {
		start := time.Now()
		rep, err := handOffTo(t.Context(), infoOf(srv), files, nil)
		if took := time.Since(start); err == nil || rep != nil || !strings.Contains(err.Error(), "no word from the running server for 400ms") || took > 3*time.Second {
			t.Errorf("%s: %v %+v after %v", name, err, rep, took)
		}
	}
}

func infoOf(srv *httptest.Server) adminInfo {
	return adminInfo{Addr: strings.TrimPrefix(srv.URL, "http://"), Token: "tok"}
}

// While a load is silent (held here before the warehouse, as in a long commit), the server
// repeats its last progress event every heartbeat, so the client's idle limit does not end
// a load that is still running.
func TestHandOffHeartbeat(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	gate := make(chan struct{})
	svc := service.New(gatedStore{Store: testenv.Store(t), gate: gate}, log)
	go func() { gate <- struct{}{} }()
	if rep, err := svc.LoadBundled(t.Context(), data.Files(), data.Digest()); err != nil || !rep.OK() {
		t.Fatalf("bundled data: %v %+v", err, rep)
	}
	adm := httptest.NewServer(admin.HandlerWith(svc, admin.Config{Token: "tok", Log: log, SpoolDir: t.TempDir(), Heartbeat: 100 * time.Millisecond}))
	defer adm.Close()
	setHandOffIdle(t, 300*time.Millisecond)
	path := writeTemp(t, "h.csv", strings.ReplaceAll(userSource, "%s", "h"))
	var seen []progress.State
	go func() { time.Sleep(time.Second); gate <- struct{}{} }() // a second of silence: over three idle limits
	rep, err := handOffWith(t.Context(), infoOf(adm), []ingest.File{{Name: "h.csv", Path: path}}, true, func(s progress.State) { seen = append(seen, s) })
	if err != nil || rep == nil || !rep.OK() || rep.Changed != 1 {
		t.Fatalf("a held load: %v %+v", err, rep)
	}
	repeats := 0
	for i := 1; i < len(seen); i++ {
		if seen[i] == seen[i-1] {
			repeats++
		}
	}
	if repeats < 5 { // ~10 heartbeats in the held second
		t.Fatalf("%d repeated events in %+v, want the heartbeat's", repeats, seen)
	}
}
