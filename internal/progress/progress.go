// Package progress shows how long work goes: a one-line bar on a terminal (redrawn in
// place, at most every Every), nothing at all otherwise, and periodic log lines for a
// server. The figures always come from the work itself (bytes read, rows checked); nothing
// here guesses.
//
// It is a small renderer over golang.org/x/term rather than a progress-bar library: the
// figures of a load handed to a server arrive as events over HTTP and are set from outside
// (a library's bar wants to be written to or incremented), the formatting is a pure
// function that tests call directly, and x/term was already in the module graph.
package progress

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

// State is how far some work is. Totals are 0 when not known. The JSON form is what a
// server streams to the client of a handed-off load.
type State struct {
	Phase      string `json:"phase"`
	Bytes      int64  `json:"bytes"`
	TotalBytes int64  `json:"totalBytes,omitempty"`
	Rows       int64  `json:"rows"`
	TotalRows  int64  `json:"totalRows,omitempty"`
	// Written is how many of Rows the warehouse has taken (a load), when it differs.
	Written int64 `json:"written,omitempty"`
}

// fraction is how much of the work is done, from bytes if their total is known, else from
// rows; ok is false when neither total is known.
func (s State) fraction() (float64, bool) {
	switch {
	case s.TotalBytes > 0:
		return min(float64(s.Bytes)/float64(s.TotalBytes), 1), true
	case s.TotalRows > 0:
		return min(float64(s.Rows)/float64(s.TotalRows), 1), true
	}
	return 0, false
}

// Bar draws a State on one terminal line, and redraws it every second (the elapsed time
// moves on) until Done or Clear. A Bar made for a writer that is not a terminal
// writes nothing, ever. Its methods may be called from any goroutine.
type Bar struct {
	w     io.Writer
	on    bool
	label string
	width int
	now   func() time.Time
	// Every is the shortest time between two redraws.
	Every time.Duration

	mu      sync.Mutex
	start   time.Time
	last    time.Time
	drawn   bool
	cur     State
	ticking chan struct{} // closed to stop the redraw of the elapsed time
}

// New returns a bar drawing on w when isTerminal, else a quiet one.
func New(w io.Writer, isTerminal bool, label string) *Bar {
	return &Bar{w: w, on: isTerminal, label: label, width: 80, now: time.Now, Every: 100 * time.Millisecond, start: time.Now()}
}

// Stderr returns a bar on standard error, drawn only if standard error is a terminal
// (never in tests, CI or a redirected run), as wide as that terminal.
func Stderr(label string) *Bar {
	fd := int(os.Stderr.Fd())
	b := New(os.Stderr, IsTerminal(os.Stderr), label)
	if w, _, err := term.GetSize(fd); err == nil && w > 20 {
		b.width = w - 1
	}
	return b
}

// IsTerminal reports whether f is a terminal.
func IsTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// On reports whether the bar draws anything.
func (b *Bar) On() bool { return b != nil && b.on }

// Set records s and redraws if the last redraw is older than Every or the phase changed.
func (b *Bar) Set(s State) {
	if !b.On() {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	force := s.Phase != b.cur.Phase
	b.cur = s
	if !force && b.drawn && now.Sub(b.last) < b.Every {
		return
	}
	b.last = now
	b.draw(now)
	if b.ticking == nil {
		b.ticking = make(chan struct{})
		go b.tick(b.ticking)
	}
}

// tick redraws the last state every second, so the elapsed time and rate stay current
// through a long phase that reports nothing (a load's commit).
func (b *Bar) tick(stop chan struct{}) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			b.mu.Lock()
			if b.drawn {
				b.draw(b.now())
			}
			b.mu.Unlock()
		}
	}
}

func (b *Bar) stopTicking() {
	if b.ticking != nil {
		close(b.ticking)
		b.ticking = nil
	}
}

// Done draws the last state and ends the line, so what is printed next starts clean.
func (b *Bar) Done() { b.finish(true) }

// Clear erases the line (work that ended in an error prints its own message).
func (b *Bar) Clear() { b.finish(false) }

// finish stops the ticker and ends the line: drawn a last time and kept, or erased.
func (b *Bar) finish(keep bool) {
	if !b.On() {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stopTicking()
	if !b.drawn {
		return
	}
	if keep {
		b.draw(b.now())
		fmt.Fprint(b.w, "\n")
	} else {
		fmt.Fprint(b.w, "\r\x1b[K")
	}
	b.drawn = false
}

func (b *Bar) draw(now time.Time) {
	fmt.Fprint(b.w, "\r"+Line(b.label, b.cur, now.Sub(b.start), b.width)+"\x1b[K")
	b.drawn = true
}

// Line is the text of a bar: label, phase, a bar and percentage when a total is known,
// bytes and rows done (of their totals), the rate and the time left, cut to width.
//
//	ingest read [#########-----------]  45%  1.2 GB / 2.6 GB  3,400,000 rows  85 MB/s  ETA 17s
func Line(label string, s State, elapsed time.Duration, width int) string {
	var parts []string
	head := label
	if s.Phase != "" {
		head += " " + s.Phase
	}
	parts = append(parts, head)
	frac, known := s.fraction()
	if known {
		const cells = 20
		n := int(frac * cells)
		parts = append(parts, "["+strings.Repeat("#", n)+strings.Repeat("-", cells-n)+"]", fmt.Sprintf("%3d%%", int(frac*100)))
	}
	if s.Bytes > 0 || s.TotalBytes > 0 {
		if s.TotalBytes > 0 {
			parts = append(parts, Bytes(s.Bytes)+" / "+Bytes(s.TotalBytes))
		} else {
			parts = append(parts, Bytes(s.Bytes))
		}
	}
	if s.Rows > 0 || s.TotalRows > 0 {
		r := Count(s.Rows)
		if s.TotalRows > 0 {
			r += " / " + Count(s.TotalRows)
		}
		parts = append(parts, r+" rows")
	}
	if s.TotalBytes > 0 || (s.Bytes > 0 && s.TotalRows == 0) {
		parts = append(parts, Rate(s.Bytes, elapsed, true))
	} else if s.Rows > 0 {
		parts = append(parts, Rate(s.Rows, elapsed, false))
	}
	if known {
		parts = append(parts, ETA(frac, elapsed))
	} else {
		parts = append(parts, Duration(elapsed))
	}
	line := strings.Join(parts, "  ")
	if width > 0 && len(line) > width && known { // a narrow terminal: the percentage says it
		line = strings.Join(append(parts[:1:1], parts[2:]...), "  ")
	}
	if width > 0 && len(line) > width {
		line = line[:width] // ASCII but for names, which come first
	}
	return line
}

// Bytes formats n bytes in decimal units: 512 B, 1.5 kB, 288 MB, 2.61 GB.
func Bytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n), -1
	for v >= unit && i < 4 {
		v /= unit
		i++
	}
	return trimFloat(v) + " " + string("kMGTP"[i]) + "B"
}

// trimFloat gives three significant figures: 1.50, 15.0, 150.
func trimFloat(v float64) string {
	switch {
	case v < 10:
		return fmt.Sprintf("%.2f", v)
	case v < 100:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.0f", v)
}

// Count formats n with thousands separators: 3,400,000.
func Count(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

// Rate is n over elapsed per second: "85.0 MB/s" for bytes, "412,000 rows/s" for rows; "-- B/s"
// before a tenth of a second has passed (a rate from nothing is noise).
func Rate(n int64, elapsed time.Duration, bytes bool) string {
	if elapsed < 100*time.Millisecond {
		if bytes {
			return "-- B/s"
		}
		return "-- rows/s"
	}
	per := float64(n) / elapsed.Seconds()
	if bytes {
		return Bytes(int64(per)) + "/s"
	}
	return Count(int64(per)) + " rows/s"
}

// ETA is the time left at the rate so far, given the fraction done after elapsed: "ETA
// 17s", "ETA 4m05s"; "ETA --" before anything is done, the elapsed time ("12s") once the
// fraction is whole (a load then still commits: its phase says so).
func ETA(frac float64, elapsed time.Duration) string {
	if frac >= 1 {
		return Duration(elapsed) // all read; the phase says whether the work is over
	}
	if frac <= 0 || elapsed < 100*time.Millisecond {
		return "ETA --"
	}
	left := time.Duration(float64(elapsed) * (1 - frac) / frac)
	return "ETA " + Duration(left)
}

// Duration rounds d to a second and writes it as 7s, 4m05s or 2h03m.
func Duration(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	switch {
	case h > 0:
		return fmt.Sprintf("%dh%02dm", h, m)
	case m > 0:
		return fmt.Sprintf("%dm%02ds", m, s)
	}
	return fmt.Sprintf("%ds", s)
}

// LogEvery logs at info, as "<what> progress", the latest State given to set, every
// interval until stop is called; work that ends within the first interval logs nothing.
// It ticks on its own because a phase can be long and silent (a load's commit), and the log
// should still show the work is alive.
func LogEvery(log *slog.Logger, what string, every time.Duration, attrs ...any) (set func(State), stop func()) {
	var mu sync.Mutex
	var cur State
	seen := false
	stopTick := Every(every, func(elapsed time.Duration) {
		mu.Lock()
		s, ok := cur, seen
		mu.Unlock()
		if ok {
			log.Info(what+" progress", logAttrs(s, elapsed, attrs)...)
		}
	})
	return func(s State) {
		mu.Lock()
		cur, seen = s, true
		mu.Unlock()
	}, stopTick
}

// Every calls f with the time since the call, every period, until stop is called (stop
// may be called more than once).
func Every(every time.Duration, f func(elapsed time.Duration)) (stop func()) {
	start := time.Now()
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				f(now.Sub(start))
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done) }) }
}

func logAttrs(s State, elapsed time.Duration, attrs []any) []any {
	args := append([]any{}, attrs...)
	args = append(args, "phase", s.Phase, "bytes", s.Bytes)
	if s.TotalBytes > 0 {
		args = append(args, "total_bytes", s.TotalBytes)
	}
	args = append(args, "rows", s.Rows)
	if s.TotalRows > 0 {
		args = append(args, "total_rows", s.TotalRows)
	}
	if s.Written > 0 {
		args = append(args, "written", s.Written)
	}
	if frac, ok := s.fraction(); ok {
		args = append(args, "pct", int(frac*100))
	}
	args = append(args, "elapsed_s", int(elapsed.Seconds()))
	if elapsed > 0 {
		args = append(args, "rows_per_s", int64(float64(s.Rows)/elapsed.Seconds()))
	}
	return args
}
