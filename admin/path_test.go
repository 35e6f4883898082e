//go:build unix

package admin

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// What readablePath accepts and refuses. A FIFO is refused at once (a blocking open would
// wait for a writer for ever), as are folders and devices; with read folders set, only
// files inside them pass, whatever a symbolic link says; no message holds a file's bytes.
func TestReadablePath(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	good := filepath.Join(dir, "a.csv")
	secret := filepath.Join(other, "secret.csv")
	os.WriteFile(good, []byte("id,title\n"), 0o644)
	os.WriteFile(secret, []byte("root:x:0:0:secret-bytes\n"), 0o644)
	fifo := filepath.Join(dir, "fifo.csv")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.csv")
	os.Symlink(secret, link)

	done := make(chan *refusal, 1)
	go func() { done <- readablePath(fifo, nil) }()
	select {
	case ref := <-done:
		if ref == nil || ref.code != CodeUnreadablePath || !strings.Contains(ref.msg, "as a regular file") {
			t.Fatalf("FIFO: %+v", ref)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("readablePath blocked on a FIFO")
	}
	for _, tc := range []struct {
		path     string
		dirs     []string
		status   int
		code, in string
	}{
		{good, nil, 0, "", ""},
		{secret, nil, 0, "", ""},
		{"rel.csv", nil, 400, CodeUnreadablePath, "not an absolute path"},
		{dir, nil, 400, CodeUnreadablePath, "as a regular file"},
		{"/dev/null", nil, 400, CodeUnreadablePath, "as a regular file"},
		{filepath.Join(dir, "none.csv"), nil, 400, CodeUnreadablePath, "as a regular file"},
		{good, []string{dir}, 0, "", ""},
		{good, []string{other, dir + "/"}, 0, "", ""},
		{secret, []string{dir}, 403, CodePathNotAllowed, "outside the folders"},
		{link, []string{dir}, 403, CodePathNotAllowed, "outside the folders"},
		{filepath.Join(dir, "..", filepath.Base(other), "secret.csv"), []string{dir}, 403, CodePathNotAllowed, "outside the folders"},
		{good, []string{dir + "-not"}, 403, CodePathNotAllowed, "outside the folders"},
	} {
		ref := readablePath(tc.path, tc.dirs)
		if tc.code == "" {
			if ref != nil {
				t.Errorf("%s in %v: refused %+v", tc.path, tc.dirs, ref)
			}
			continue
		}
		if ref == nil || ref.status != tc.status || ref.code != tc.code || !strings.Contains(ref.msg, tc.in) || strings.Contains(ref.msg, "secret-bytes") {
			t.Errorf("%s in %v: %+v, want %d %s %q", tc.path, tc.dirs, ref, tc.status, tc.code, tc.in)
		}
	}
}
