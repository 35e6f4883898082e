package ingest

import (
	"io"
	"os"
	"syscall"
	"time"
)

// errNotRegular refuses a path that is not a regular file: a pipe or a device would block
// a reader, or never end.
var errNotRegular = &problemError{code: CodeNotRegular, reason: "is not a regular file (a directory, pipe, device or socket cannot be loaded)"}

// openNoBlock opens path for reading and describes the open descriptor. O_NONBLOCK makes
// the open itself return at once: opening a FIFO for reading otherwise waits for a writer,
// and a path checked with stat and then swapped for a FIFO would hold a thread forever.
// The caller decides from the returned description (not from a stat of the path, which may
// name another file by now) what it has opened.
func openNoBlock(path string) (*os.File, os.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, st, nil
}

// openRegular opens path if it is a regular file (O_NONBLOCK changes nothing in how a
// regular file reads).
func openRegular(path string) (*os.File, os.FileInfo, error) {
	f, st, err := openNoBlock(path)
	if err != nil {
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, nil, errNotRegular
	}
	return f, st, nil
}

// errChanged ends the read of a file whose size or modification time at its end differ
// from when it was opened: a writer was still at work, and the last record read may be
// half of one (…,10 of …,101994).
var errChanged = &problemError{code: CodeFileChanged, reason: "the file changed while it was read (load it again once it is completely written)"}

// snapshotFile is a file read by path that must be the same at the end of the read as it
// was when opened: at the end, the open descriptor is described again, and a change turns
// the end of the file into errChanged. Since nothing reads past the end of a file, the last
// record (with or without its newline) is only ever accepted from an unchanged file.
type snapshotFile struct {
	*os.File
	size  int64
	mtime time.Time
}

// afterRead, when set (tests), runs after each read of a file by path, before the end of
// the file is checked: it plays a writer that appends at the worst moment.
var afterRead func(path string, n int, err error)

func (s *snapshotFile) Read(p []byte) (int, error) {
	n, err := s.File.Read(p)
	if afterRead != nil {
		afterRead(s.Name(), n, err)
	}
	if err == io.EOF {
		st, serr := s.Stat()
		if serr != nil || st.Size() != s.size || !st.ModTime().Equal(s.mtime) {
			return n, errChanged
		}
	}
	return n, err
}

// openSnapshot opens a regular file by path for one read from start to end.
func openSnapshot(path string) (*snapshotFile, error) {
	f, st, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	return &snapshotFile{File: f, size: st.Size(), mtime: st.ModTime()}, nil
}
