package ingest

import (
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cadrestat/cadrestat/internal/progress"
)

// Options are a load's optional settings.
type Options struct {
	// Name is recorded for the load (empty: the files' names).
	Name string
	// Progress, when not nil, is told how the load goes, from the work itself: bytes read
	// of the files' total size, rows checked and rows handed to the warehouse, and the
	// phase (PhaseRead, PhaseCommit, PhaseDone). Calls never overlap; it is called once per
	// chunk of rows (a few MB of text), so it must be quick and throttle what it shows.
	Progress func(progress.State)
	// Now, when not nil, is the clock retrieval dates are checked against (a source read
	// "in the future" is refused); nil: time.Now.
	Now func() time.Time
}

// The phases a load's progress goes through: reading and checking the files while rows go
// to the warehouse's stage, then the commit (the engine merges the stage and writes the
// load), then done. A rejected load never reaches PhaseCommit.
const (
	PhaseRead   = "reading"
	PhaseCommit = "committing"
	PhaseDone   = "done"
)

// tracker counts a load's progress; a nil tracker counts nothing.
type tracker struct {
	files      []File // the load's files, each counting its bytes into read
	totalBytes int64
	totalRows  int64        // rows a program built, when no file has text
	read       atomic.Int64 // bytes read from the files
	inFlight   atomic.Int64 // of which in CSV chunks not yet checked
	rows       atomic.Int64
	wrote      atomic.Int64
	phase      atomic.Value // string
	mu         sync.Mutex
	bytes      int64 // the bytes last reported
	fn         func(progress.State)
}

func newTracker(files []File, fn func(progress.State)) *tracker {
	t := &tracker{fn: fn}
	t.phase.Store(PhaseRead)
	var built int64
	for _, f := range files {
		switch {
		case f.Rows != nil:
			built += int64(len(f.Rows))
		case f.Data == nil && f.Path != "":
			if st, err := os.Stat(f.Path); err == nil {
				t.totalBytes += st.Size()
			}
		default:
			t.totalBytes += int64(len(f.Data))
		}
		f.read = &t.read
		t.files = append(t.files, f)
	}
	if t.totalBytes == 0 {
		t.totalRows = built
	}
	return t
}

// queued counts a CSV chunk read and handed out for checking; checked counts it checked.
// The bytes reported are those read less those waiting in chunks: the reader runs a few
// chunks ahead of the checking, and a bar should not reach its end before the rows do.
func (t *tracker) queued(n int) {
	if t != nil {
		t.inFlight.Add(int64(n))
	}
}

func (t *tracker) checked(n int) {
	if t != nil {
		t.inFlight.Add(-int64(n))
	}
}

func (t *tracker) validated(n int) {
	if t != nil {
		t.rows.Add(int64(n))
		t.notify()
	}
}

func (t *tracker) written(n int) {
	if t != nil {
		t.wrote.Add(int64(n))
		t.notify()
	}
}

// report moves to phase and says so.
func (t *tracker) report(phase string) {
	if t != nil {
		t.phase.Store(phase)
		t.notify()
	}
}

func (t *tracker) notify() {
	t.mu.Lock()
	defer t.mu.Unlock()
	// A chunk is counted as read just before it is queued: never go back for that moment.
	t.bytes = max(t.bytes, t.read.Load()-t.inFlight.Load())
	t.fn(progress.State{Phase: t.phase.Load().(string), Bytes: t.bytes, TotalBytes: t.totalBytes,
		Rows: t.rows.Load(), TotalRows: t.totalRows, Written: t.wrote.Load()})
}

// countingReader counts the bytes read through it.
type countingReader struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n.Add(int64(n))
	return n, err
}
