package main

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cadrestat/cadrestat/internal/testenv"
)

// logBuffer is a server's log, written by exec's copying goroutine and read by the test.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// messages are the msg fields of the log's JSON lines that are among want, in order.
func (l *logBuffer) messages(want ...string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(l.String()))
	for sc.Scan() {
		for _, w := range want {
			if strings.Contains(sc.Text(), `"msg":"`+w+`"`) {
				out = append(out, w)
			}
		}
	}
	return out
}

var dataVersionRE = regexp.MustCompile(`(?m)^cadrestat_data_version (\d+)$`)

// TestServeChangeCascade: every data version serve sees goes through its change cascade
// (ServeMain.onChange), in order: /metrics reports the version at once, the metric cells
// warm, and only then are the explorer's standard views rendered; for the bundle loaded at
// start, and again for a load handed off later.
func TestServeChangeCascade(t *testing.T) {
	testenv.Engine(t)
	bin := buildBinary(t)
	dir, addr := t.TempDir(), freePort(t)
	var log logBuffer
	srv := exec.Command(bin, "serve", "-data", dir, "-addr", addr, "-synthetic-seed", "0", "-metrics-public")
	srv.Stderr = &log
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Signal(os.Interrupt); srv.Wait() })
	waitReady(t, addr, log.String)
	version := func() uint64 {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		m := dataVersionRE.FindSubmatch(body)
		if m == nil {
			t.Fatalf("no cadrestat_data_version in /metrics:\n%s", body)
		}
		v, _ := strconv.ParseUint(string(m[1]), 10, 64)
		return v
	}
	steps := func() []string { return log.messages("metric cache warm", "standard views warm") }
	waitSteps := func(n int) {
		t.Helper()
		for deadline := time.Now().Add(3 * time.Minute); len(steps()) < n; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("want %d warm-up steps, got %q; log:\n%s", n, steps(), log.String())
			}
		}
	}
	waitSteps(2)
	if v := version(); v == 0 {
		t.Fatal("/metrics reports data version 0 after the bundle was loaded")
	}

	file := filepath.Join(t.TempDir(), "src.csv")
	os.WriteFile(file, []byte("id,title,issuer,doc_number,date,language,location,kind,licence\nuser-doc,A user's document,Someone,,2024-05-01,vi,doc.pdf,user,\n"), 0o644)
	out, err := exec.Command(bin, "ingest", "-data", dir, file).Output()
	m := regexp.MustCompile(`data version (\d+)`).FindSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	if v := version(); strconv.FormatUint(v, 10) != string(m[1]) {
		t.Fatalf("/metrics reports data version %d once the load is answered; the load made %s", v, m[1])
	}
	waitSteps(4)
	want := []string{"metric cache warm", "standard views warm", "metric cache warm", "standard views warm"}
	if got := steps(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("warm-up steps %q, want %q", got, want)
	}
}
