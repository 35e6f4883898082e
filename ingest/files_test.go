//go:build unix

package ingest

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// valueLast is a file of observations whose last column is the value, so a row cut short
// is still a whole row: "…,10" of "…,101994".
const valueLast = "subject,metric,period,numerator,denominator,qualifier,status,source,quote,value\n" +
	"VN63-92,staff_cut,2020,,,,PUBLISHED,src,q,5\n"

// appendOnce sets afterRead to append text to the file once, at the first read that when
// reports true; the file is read by path, so the writer is a real second writer.
func appendOnce(t *testing.T, when func(n int, err error) bool, text string) {
	t.Helper()
	done := false
	afterRead = func(path string, n int, err error) {
		if done || !when(n, err) {
			return
		}
		done = true
		f, ferr := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		if ferr != nil {
			t.Error(ferr)
			return
		}
		defer f.Close()
		if _, ferr := f.WriteString(text); ferr != nil {
			t.Error(ferr)
		}
	}
	t.Cleanup(func() { afterRead = nil })
}

// TestFileChangedWhileRead: a writer appends a row in two halves (…,10 then 1994\n) while
// the file is loaded by path. Whenever the halves land, the load is refused as a changed
// file and stores nothing; before, the end of the file reached between the halves took
// "…,10" as a complete last row (10 instead of 101994).
func TestFileChangedWhileRead(t *testing.T) {
	write := func(t *testing.T, text string) string {
		path := filepath.Join(t.TempDir(), "o.csv")
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	wantChanged := func(t *testing.T, path string) {
		t.Helper()
		b, probs := Prepare([]File{{Name: "o.csv", Path: path}}, catalog())
		want := "o.csv: the file changed while it was read (load it again once it is completely written)"
		if b != nil || len(probs) != 1 || probs[0].String() != want || probs[0].Code != CodeFileChanged {
			t.Fatalf("batch %v, problems %v; want only %q", b != nil, probs, want)
		}
	}
	t.Run("ErrSecondHalfAppendedAtTheEnd", func(t *testing.T) {
		path := write(t, valueLast+"VN63-92,staff_cut,2021,,,,PUBLISHED,src,q,10")
		appendOnce(t, func(n int, err error) bool { return err == io.EOF }, "1994\n")
		wantChanged(t, path)
	})
	t.Run("ErrFirstHalfAppendedAfterTheFirstRead", func(t *testing.T) {
		path := write(t, valueLast)
		appendOnce(t, func(n int, err error) bool { return n > 0 }, "VN63-92,staff_cut,2021,,,,PUBLISHED,src,q,10")
		wantChanged(t, path)
	})
	t.Run("ErrRewrittenInPlace", func(t *testing.T) { // same size, new modification time
		path := write(t, valueLast)
		appendOnce(t, func(n int, err error) bool { return n > 0 }, "")
		afterWrite := afterRead
		afterRead = func(p string, n int, err error) {
			afterWrite(p, n, err)
			if n > 0 {
				os.Chtimes(p, time.Time{}, time.Now().Add(time.Hour))
			}
		}
		wantChanged(t, path)
	})
	t.Run("UnchangedLastRowWithoutNewline", func(t *testing.T) {
		path := write(t, valueLast+"VN63-92,staff_cut,2021,,,,PUBLISHED,src,q,101994")
		b, probs := Prepare([]File{{Name: "o.csv", Path: path}}, catalog())
		if len(probs) != 0 || len(b.Observations) != 2 || *b.Observations[1].Value != 101994 {
			t.Fatalf("problems %v", probs)
		}
	})
	t.Run("ErrChangedReferenceFile", func(t *testing.T) { // read whole at once, not streamed
		path := write(t, srcHeaderURL+"s,T,I,,,vi,x,user,,,\n")
		appendOnce(t, func(n int, err error) bool { return err == io.EOF }, "s2,T,I,,,vi,x,user,,,\n")
		_, probs := Prepare([]File{{Name: "o.csv", Path: path}}, catalog())
		if len(probs) != 1 || probs[0].Code != CodeFileChanged {
			t.Fatalf("problems %v", probs)
		}
	})
}

// TestFIFORefused: a path that is a FIFO (as after a stat-then-swap) is refused at once,
// by ReadFiles and by a load, instead of blocking until a writer comes; so are devices and
// directories handed as a file.
func TestFIFORefused(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "obs.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := ReadFiles([]string{fifo}); err == nil || !strings.Contains(err.Error(), "is not a regular file") {
			t.Errorf("ReadFiles(fifo) = %v", err)
		}
		if _, err := ReadFiles([]string{dir}); err == nil || !errors.Is(err, errNotRegular) {
			t.Errorf("ReadFiles(a folder holding a FIFO named .csv) = %v", err)
		}
		for _, p := range []string{fifo, "/dev/zero", dir} {
			_, probs := Prepare([]File{{Name: "x.csv", Path: p}}, catalog())
			want := "x.csv: is not a regular file (a directory, pipe, device or socket cannot be loaded)"
			if len(probs) != 1 || probs[0].String() != want || probs[0].Code != CodeNotRegular {
				t.Errorf("%s: problems %v, want %q", p, probs, want)
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		// Unblock the stuck open so the test process can end.
		if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
		t.Fatal("opening a FIFO blocked")
	}
}
