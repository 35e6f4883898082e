//go:build linux

// Linux only: the test reads and resets its own peak resident memory in /proc.

package ingest

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
)

// recordMemBound is the most reading a file with a record that never ends may add to the
// process's peak resident memory; the files are three times larger, so a reader that held
// the record (as one did, doubling its buffer) breaks it.
const recordMemBound = 32 << 20

// TestUnboundedRecordMemory: files of 96 MiB whose record never ends (an unbalanced quote
// on line 2; no newline at all; a body without a newline) are refused at the line the
// record starts on, by path as a hand-off reads them, and the process's peak resident
// memory grows by less than recordMemBound while they are read.
func TestUnboundedRecordMemory(t *testing.T) {
	const size = 96 << 20
	row := "VN63-92,female_share,2020,20,,,,PUBLISHED,src,q,\n"
	cases := []struct {
		name, head, fill, want string
	}{
		{"UnbalancedQuote", obsHeader + `VN63-92,female_share,2021,20,,,,PUBLISHED,src,"oops,` + "\n", row, "f.csv:2: " + tooLong},
		{"NoNewlineAtAll", "", "subject,metric,", "f.csv:1: " + tooLong},
		{"BodyWithoutNewline", obsHeader, "VN63-92,female_share,", "f.csv:2: " + tooLong},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "f.csv")
			writeFile(t, path, tc.head, tc.fill, size)
			runtime.GC()
			debug.FreeOSMemory()
			if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
				t.Skip("cannot reset the peak resident memory:", err)
			}
			base := selfKB(t, "VmHWM")
			_, probs := Prepare([]File{{Name: "f.csv", Path: path}}, catalog())
			peak := selfKB(t, "VmHWM")
			t.Logf("%d MiB file: peak resident memory %d MiB before, %d MiB after (+%d KiB)", size>>20, base>>20, peak>>20, (peak-base)>>10)
			if len(probs) != 1 || probs[0].String() != tc.want {
				got := fmt.Sprint(probs)
				t.Errorf("problems %s, want only %q", got[:min(len(got), 300)], tc.want)
			}
			if grow := peak - base; grow >= recordMemBound {
				t.Errorf("reading the file added %d MiB to the peak resident memory: over the %d MiB bound", grow>>20, recordMemBound>>20)
			}
		})
	}
}

// writeFile writes head, then fill repeated until the file has size bytes, without holding
// the file in memory.
func writeFile(t *testing.T, path, head, fill string, size int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(head)
	for n := len(head); n < size; n += len(fill) {
		w.WriteString(fill)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// selfKB is a "Name: N kB" line of this process's /proc/self/status, in bytes.
func selfKB(t *testing.T, name string) int64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/self/status", name)
	return 0
}
