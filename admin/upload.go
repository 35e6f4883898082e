package admin

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"syscall"
	"time"

	"github.com/cadrestat/cadrestat/ingest"
)

// An upload hand-off (multipart/form-data) carries one part per file, each with a
// Content-Disposition filename (the name the report uses; RFC 2231 filename* for non-ASCII).
// The server copies each part through one UploadChunk buffer into a spool file in
// Config.SpoolDir, so its memory does not grow with the files, and loads from the
// spool files once the whole body has arrived: a body that stops short loads nothing. The
// spool files are removed when the request ends, whatever happened (and any left by a killed
// server are removed when the next one starts: SpoolPattern).
//
// Refusals come before the body is read where they can (token, declared Content-Length over
// the limit), so a client sending "Expect: 100-continue" does not send the body at all.

// UploadChunk is the copy buffer of an upload, the most of it the server holds at once.
const UploadChunk = 256 << 10

// SpoolPattern names spool files in the spool folder (os.CreateTemp pattern).
const SpoolPattern = ".upload-*.part"

// spoolFunc creates a spool file in dir, returning the writer and its path.
type spoolFunc func(dir string) (io.WriteCloser, string, error)

func createSpool(dir string) (io.WriteCloser, string, error) {
	f, err := os.CreateTemp(dir, SpoolPattern)
	if err != nil {
		return nil, "", err
	}
	return f, f.Name(), nil
}

// upload is what receiveUpload spooled: the files to load, and the spool paths to remove.
type upload struct {
	files []ingest.File
	paths []string
}

func (u *upload) remove() {
	for _, p := range u.paths {
		os.Remove(p)
	}
}

// receiveUpload spools every part of a multipart hand-off; on a refusal the caller still
// removes what was spooled.
func receiveUpload(w http.ResponseWriter, r *http.Request, cfg Config) (up *upload, ref *refusal) {
	up = &upload{}
	rc := http.NewResponseController(w)
	// The deadline moves with every read (an idle limit, not a total one) and is lifted once
	// the body is in: the load that follows may take long, and a read deadline left behind
	// would cancel it through the request's context. On a refusal it is set in the past and
	// the connection is closed after the answer: the rest of the body is not wanted, and
	// net/http would otherwise read it (up to 256 KiB, with no deadline, before and after the
	// answer). A deadline passed cancels the connection's context, so the connection must
	// not serve another request.
	defer func() {
		if ref != nil {
			w.Header().Set("Connection", "close")
			rc.SetReadDeadline(time.Now())
		} else {
			rc.SetReadDeadline(time.Time{})
		}
	}()
	if r.ContentLength > cfg.MaxUploadBytes {
		return up, tooLarge(cfg)
	}
	body := &idleReader{r: r.Body, rc: rc, idle: cfg.UploadIdle}
	mr, err := (&http.Request{Header: r.Header, Body: io.NopCloser(body)}).MultipartReader()
	if err != nil {
		return up, &refusal{http.StatusBadRequest, CodeMalformed, "malformed upload: " + err.Error()}
	}
	buf := make([]byte, UploadChunk)
	var total int64
	for {
		part, err := mr.NextRawPart() // raw: the part's bytes as sent, whatever its encoding header
		if err == io.EOF {
			break
		}
		if err != nil {
			return up, incomplete(err, body)
		}
		name := partName(part.Header.Get("Content-Disposition"))
		if name == "" {
			return up, &refusal{http.StatusBadRequest, CodeMissingName, fmt.Sprintf("part %d of the upload has no filename in its Content-Disposition", len(up.files)+1)}
		}
		if len(name) > MaxNameBytes {
			return up, &refusal{http.StatusBadRequest, CodeNameTooLong, fmt.Sprintf("the filename of part %d of the upload is %d bytes, over the limit of %d", len(up.files)+1, len(name), MaxNameBytes)}
		}
		if len(up.files) == MaxFilesPerLoad {
			return up, tooManyFiles()
		}
		f, path, err := cfg.spool(cfg.SpoolDir)
		if err != nil {
			return up, spoolError(name, cfg, err)
		}
		up.paths = append(up.paths, path)
		n, err := io.CopyBuffer(tagWriter{f}, io.LimitReader(onlyReader{part}, cfg.MaxUploadBytes-total+1), buf)
		total += n
		if cerr := f.Close(); err == nil && cerr != nil {
			err = &writeError{cerr}
		}
		switch {
		case err != nil && errors.As(err, new(*writeError)):
			return up, spoolError(name, cfg, err)
		case err != nil:
			return up, incomplete(err, body)
		case total > cfg.MaxUploadBytes:
			return up, tooLarge(cfg)
		}
		up.files = append(up.files, ingest.File{Name: name, Path: path})
	}
	if len(up.files) == 0 {
		return up, &refusal{http.StatusBadRequest, CodeNoFiles, "the upload holds no files"}
	}
	return up, nil
}

// partName is the filename of a part, as sent (multipart.Part.FileName would keep only its
// last path element, and reports name files as the client gave them).
func partName(disposition string) string {
	_, params, err := mime.ParseMediaType(disposition)
	if err != nil {
		return ""
	}
	return params["filename"]
}

// onlyReader hides a part's WriterTo so io.CopyBuffer uses the fixed buffer, and marks
// write errors so they are told apart from read errors.
type onlyReader struct{ io.Reader }

type writeError struct{ error }

// tagWriter marks the spool file's write errors (and hides its ReadFrom, for the same
// fixed buffer).
type tagWriter struct{ w io.Writer }

func (t tagWriter) Write(p []byte) (int, error) {
	n, err := t.w.Write(p)
	if err != nil {
		err = &writeError{err}
	}
	return n, err
}

func (e *writeError) Unwrap() error { return e.error }

// idleReader moves the connection's read deadline before each read and remembers the
// last read error (the multipart reader may report a cut body as a plain EOF).
type idleReader struct {
	r    io.Reader
	rc   *http.ResponseController
	idle time.Duration
	err  error
}

func (b *idleReader) Read(p []byte) (int, error) {
	b.rc.SetReadDeadline(time.Now().Add(b.idle))
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
}

func tooLarge(cfg Config) *refusal {
	return &refusal{http.StatusRequestEntityTooLarge, CodeTooLarge, fmt.Sprintf("the upload is over this server's limit of %d bytes per ingest request", cfg.MaxUploadBytes)}
}

func incomplete(err error, body *idleReader) *refusal {
	if body.err != nil {
		err = body.err
	}
	return &refusal{http.StatusBadRequest, CodeUploadIncomplete, "the upload ended before its last part did (" + err.Error() + "); nothing was loaded"}
}

func spoolError(name string, cfg Config, err error) *refusal {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return &refusal{http.StatusInsufficientStorage, CodeNoSpace, fmt.Sprintf("no space left in %s for the upload of %s; nothing was loaded: free some space, or hand the file by a path the server can read", cfg.SpoolDir, name)}
	}
	return &refusal{http.StatusInternalServerError, CodeSpoolFailed, fmt.Sprintf("cannot write the upload of %s into %s: %v; nothing was loaded", name, cfg.SpoolDir, err)}
}
