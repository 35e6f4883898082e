package admin

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"os"
	"sync"

	"github.com/cadrestat/cadrestat/ingest"
)

// uploadBody is a multipart/form-data body of the files' contents, one part each, read
// from disk as the transport sends it (the client holds one buffer of it at a time), with
// its exact length (so a server over its limit refuses before the body is sent).
type uploadBody struct {
	io.Reader
	length      int64
	contentType string
	files       []*os.File

	mu  sync.Mutex
	err error // the first error reading a file: reported instead of the transport's
}

func newUploadBody(files []ingest.File) (*uploadBody, error) {
	var frame bytes.Buffer
	mw := multipart.NewWriter(&frame)
	u := &uploadBody{contentType: mw.FormDataContentType()}
	var parts []io.Reader
	addFrame := func() {
		parts = append(parts, bytes.NewReader(bytes.Clone(frame.Bytes())))
		u.length += int64(frame.Len())
		frame.Reset()
	}
	for _, f := range files {
		disp := mime.FormatMediaType("form-data", map[string]string{"name": "file", "filename": f.Name})
		if disp == "" {
			u.closeFiles()
			return nil, fileReadError{fmt.Errorf("cannot send %q: the name cannot be encoded", f.Name)}
		}
		if _, err := mw.CreatePart(textproto.MIMEHeader{"Content-Disposition": {disp}, "Content-Type": {"application/octet-stream"}}); err != nil {
			u.closeFiles()
			return nil, err
		}
		addFrame()
		if f.Path == "" || f.Data != nil {
			parts = append(parts, bytes.NewReader(f.Data))
			u.length += int64(len(f.Data))
			continue
		}
		fh, err := os.Open(f.Path)
		var st os.FileInfo
		if err == nil {
			u.files = append(u.files, fh)
			st, err = fh.Stat()
		}
		if err != nil {
			u.closeFiles()
			return nil, fileReadError{fmt.Errorf("cannot read %s: %w", f.Name, err)}
		}
		parts = append(parts, &exactReader{u: u, f: fh, name: f.Name, left: st.Size()})
		u.length += st.Size()
	}
	if err := mw.Close(); err != nil {
		u.closeFiles()
		return nil, err
	}
	addFrame()
	u.Reader = io.MultiReader(parts...)
	return u, nil
}

// Close closes the files (the transport closes the body when it is done with it).
func (u *uploadBody) Close() error {
	u.closeFiles()
	return nil
}

// closeFiles closes the files, which were only read.
func (u *uploadBody) closeFiles() {
	for _, f := range u.files {
		f.Close()
	}
	u.files = nil
}

func (u *uploadBody) fail(err error) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.err == nil {
		u.err = fileReadError{err}
	}
	return u.err
}

func (u *uploadBody) readErr() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.err
}

// exactReader reads a file's size as it was when the upload began, and fails if the file
// grew or shrank meanwhile (the declared length would be wrong, and the load half of it).
type exactReader struct {
	u    *uploadBody
	f    *os.File
	name string
	left int64
}

var errChanged = errors.New("it changed while being sent; nothing was loaded")

func (e *exactReader) Read(p []byte) (int, error) {
	if e.left == 0 {
		if n, _ := e.f.Read(make([]byte, 1)); n > 0 {
			return 0, e.u.fail(fmt.Errorf("cannot send %s: %w", e.name, errChanged))
		}
		return 0, io.EOF
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.f.Read(p)
	e.left -= int64(n)
	if err == io.EOF && e.left > 0 {
		return n, e.u.fail(fmt.Errorf("cannot send %s: %w", e.name, errChanged))
	}
	if err != nil && err != io.EOF {
		return n, e.u.fail(fmt.Errorf("cannot read %s: %w", e.name, err))
	}
	return n, nil
}
