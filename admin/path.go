package admin

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/cadrestat/cadrestat/warehouse"
)

// readablePath checks a handed-off path, or says why the server will not read it. The file
// is opened first and the open descriptor examined (fstat), so what is checked is what was
// opened: a path swapped for a FIFO or a device between a stat and an open cannot get past.
// O_NONBLOCK makes opening a FIFO return at once (a blocking open would wait for a writer
// for ever, holding a server thread). Nothing is read from the file: a message names the
// problem, never the file's bytes.
func readablePath(p string, readDirs []string) *refusal {
	if !filepath.IsAbs(p) {
		return &refusal{http.StatusBadRequest, CodeUnreadablePath, fmt.Sprintf("%q is not an absolute path", p)}
	}
	unreadable := &refusal{http.StatusBadRequest, CodeUnreadablePath, fmt.Sprintf("the server cannot read %q as a regular file", p)}
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		if os.IsPermission(err) {
			unreadable.msg = fmt.Sprintf("the server cannot open %q (another user's file?)", p)
		}
		return unreadable
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return unreadable
	}
	if len(readDirs) > 0 && !insideAny(openedPath(f, p), readDirs) {
		return &refusal{http.StatusForbidden, CodePathNotAllowed, fmt.Sprintf("%q is outside the folders this server reads hand-offs from (-admin-read-dirs)", p)}
	}
	return nil
}

// openedPath is the path of the file f is open on, symbolic links resolved: on Linux the
// kernel's own name for the descriptor (what was opened, whatever the path points to now),
// elsewhere the path resolved again.
func openedPath(f *os.File, p string) string {
	if real, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(int(f.Fd()))); err == nil && filepath.IsAbs(real) {
		return real
	}
	if real, err := filepath.EvalSymlinks(p); err == nil {
		return real
	}
	return ""
}

// insideAny reports whether the resolved path p is inside one of dirs (each resolved in
// turn; a folder that does not exist holds nothing).
func insideAny(p string, dirs []string) bool {
	if p == "" {
		return false
	}
	for _, d := range dirs {
		real, err := filepath.EvalSymlinks(strings.TrimSpace(d))
		if err != nil || !filepath.IsAbs(real) {
			continue
		}
		if rel, err := filepath.Rel(real, p); err == nil && rel != ".." && !strings.HasPrefix(rel, "../") && rel != "." {
			return true
		}
	}
	return false
}

// loadFailure is the status, code and message of a failed load: NO_SPACE (507) when a
// disk filled (the load's temporary files, or the engine's parts), LOAD_FAILED (500)
// otherwise. The engine reports a full disk in its own words (NOT_ENOUGH_SPACE, "No space
// left on device"), so its message is looked at too; it is only matched here, never shown.
func loadFailure(err error) (int, string, string) {
	if noSpace(err) {
		return http.StatusInsufficientStorage, CodeNoSpace, "load failed: not enough space left on the data folder's disk; nothing was loaded: free some space and load again"
	}
	return http.StatusInternalServerError, CodeLoadFailed, "load failed: " + warehouse.ErrorMessage(err)
}

func noSpace(err error) bool {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "No space left on device") || strings.Contains(msg, "NOT_ENOUGH_SPACE") || strings.Contains(msg, "Disk quota exceeded")
}
