package progress

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 999: "999 B", 1000: "1.00 kB", 1500: "1.50 kB", 288_000_000: "288 MB", 2_612_345_678: "2.61 GB", 45_600_000: "45.6 MB"} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 3_400_000: "3,400,000", -12345: "-12,345"} {
		if got := Count(n); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestRate(t *testing.T) {
	cases := []struct {
		n       int64
		elapsed time.Duration
		bytes   bool
		want    string
	}{
		{85_000_000 * 4, 4 * time.Second, true, "85.0 MB/s"},
		{1_648_000, 4 * time.Second, false, "412,000 rows/s"},
		{1 << 30, 50 * time.Millisecond, true, "-- B/s"}, // too early to say
		{10, 0, false, "-- rows/s"},
	}
	for _, c := range cases {
		if got := Rate(c.n, c.elapsed, c.bytes); got != c.want {
			t.Errorf("Rate(%d, %v, %v) = %q, want %q", c.n, c.elapsed, c.bytes, got, c.want)
		}
	}
}

func TestETA(t *testing.T) {
	cases := []struct {
		frac    float64
		elapsed time.Duration
		want    string
	}{
		{0.5, 10 * time.Second, "ETA 10s"},
		{0.25, 10 * time.Second, "ETA 30s"},
		{0.1, 30 * time.Second, "ETA 4m30s"},
		{0.01, time.Hour, "ETA 99h00m"},
		{0, 10 * time.Second, "ETA --"},
		{0.5, 10 * time.Millisecond, "ETA --"},
		{1, 75 * time.Second, "1m15s"},
	}
	for _, c := range cases {
		if got := ETA(c.frac, c.elapsed); got != c.want {
			t.Errorf("ETA(%v, %v) = %q, want %q", c.frac, c.elapsed, got, c.want)
		}
	}
}

func TestLine(t *testing.T) {
	s := State{Phase: "reading", Bytes: 1_200_000_000, TotalBytes: 2_400_000_000, Rows: 3_400_000, Written: 3_000_000}
	got := Line("ingest", s, 15*time.Second, 0)
	want := "ingest reading  [##########----------]   50%  1.20 GB / 2.40 GB  3,400,000 rows  80.0 MB/s  ETA 15s"
	if got != want {
		t.Errorf("Line = %q\n        want %q", got, want)
	}
	// Rows of a known total (synth): rate in rows.
	got = Line("synth", State{Rows: 250_000, TotalRows: 1_000_000}, 5*time.Second, 0)
	want = "synth  [#####---------------]   25%  250,000 / 1,000,000 rows  50,000 rows/s  ETA 15s"
	if got != want {
		t.Errorf("Line = %q\n        want %q", got, want)
	}
	// No total (a backup's archive as it grows): bytes, rate and elapsed time, no bar.
	got = Line("backup", State{Phase: "archiving", Bytes: 90_000_000}, 3*time.Second, 0)
	want = "backup archiving  90.0 MB  30.0 MB/s  3s"
	if got != want {
		t.Errorf("Line = %q\n        want %q", got, want)
	}
	// A narrow terminal loses the bar first, then the end of the line.
	got = Line("synth", State{Rows: 250_000, TotalRows: 1_000_000}, 5*time.Second, 70)
	want = "synth   25%  250,000 / 1,000,000 rows  50,000 rows/s  ETA 15s"
	if got != want {
		t.Errorf("Line at 70 = %q\n              want %q", got, want)
	}
	if got := Line("ingest", s, time.Second, 30); len(got) != 30 {
		t.Errorf("Line cut to 30 is %d long: %q", len(got), got)
	}
}

// A bar on a writer that is not a terminal writes nothing at all, whatever it is told.
func TestBarQuietWhenNotATerminal(t *testing.T) {
	var out bytes.Buffer
	b := New(&out, false, "ingest")
	b.Set(State{Phase: "reading", Bytes: 5, TotalBytes: 10})
	b.Set(State{Phase: "done", Bytes: 10, TotalBytes: 10})
	b.Done()
	b.Clear()
	if out.Len() != 0 {
		t.Fatalf("a bar off a terminal wrote %q", out.String())
	}
	var nilBar *Bar
	nilBar.Set(State{}) // a nil bar is a quiet one
	nilBar.Done()
}

// On a terminal the bar redraws one line in place, at most every Every unless the phase
// changes, and Done ends the line.
func TestBarOnATerminal(t *testing.T) {
	var out bytes.Buffer
	b := New(&out, true, "ingest")
	now := time.Unix(1000, 0)
	b.start, b.now = now, func() time.Time { return now }
	b.Set(State{Phase: "reading", Bytes: 1, TotalBytes: 100})
	now = now.Add(10 * time.Millisecond)
	b.Set(State{Phase: "reading", Bytes: 2, TotalBytes: 100}) // too soon: not drawn
	now = now.Add(200 * time.Millisecond)
	b.Set(State{Phase: "reading", Bytes: 50, TotalBytes: 100})
	b.Set(State{Phase: "committing", Bytes: 100, TotalBytes: 100}) // a new phase: drawn at once
	b.Done()
	text := out.String()
	if n := strings.Count(text, "\r"); n != 4 {
		t.Fatalf("%d redraws, want 4 (three Sets and Done): %q", n, text)
	}
	if strings.Contains(text, " 2 B /") || !strings.Contains(text, "50 B / 100 B") || !strings.HasSuffix(text, "\x1b[K\n") {
		t.Fatalf("unexpected drawing %q", text)
	}
	if strings.Contains(text, "\n") && strings.Index(text, "\n") != len(text)-1 {
		t.Fatalf("the bar used more than one line: %q", text)
	}
}

// The server's log of long work: nothing for work shorter than the interval, then the
// latest state every interval, even when nothing new was reported (a long commit).
func TestLogEvery(t *testing.T) {
	var mu sync.Mutex
	var out bytes.Buffer
	log := slog.New(slog.NewTextHandler(lockedWriter{&mu, &out}, nil))
	set, stop := LogEvery(log, "ingest", 50*time.Millisecond, "files", 1)
	set(State{Phase: "reading", Bytes: 1, TotalBytes: 10})
	set(State{Phase: "committing", Bytes: 10, TotalBytes: 10, Rows: 7})
	read := func() string { mu.Lock(); defer mu.Unlock(); return out.String() }
	for deadline := time.Now().Add(5 * time.Second); strings.Count(read(), "\n") < 2; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) { // two ticks with no new report
			t.Fatalf("logged %q, want two lines", read())
		}
	}
	stop()
	stop() // twice is fine
	text := read()
	time.Sleep(120 * time.Millisecond)
	if read() != text {
		t.Fatalf("logged after stop: %q", read())
	}
	mu.Lock()
	out.Reset()
	mu.Unlock()
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		if !strings.Contains(l, `msg="ingest progress" files=1 phase=committing bytes=10 total_bytes=10 rows=7 pct=100`) {
			t.Fatalf("logged %q", l)
		}
	}

	_, stop = LogEvery(log, "ingest", 20*time.Millisecond)
	time.Sleep(50 * time.Millisecond)
	stop()
	mu.Lock()
	defer mu.Unlock()
	if out.Len() != 0 {
		t.Fatalf("logged %q before any state was set", out.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
