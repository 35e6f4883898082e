package admin

import (
	"bytes"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/cadrestat/cadrestat/service"
)

// fullDisk is a spool file on a disk that fills after limit bytes.
type fullDisk struct {
	f     *os.File
	limit int
}

func (d *fullDisk) Write(p []byte) (int, error) {
	if len(p) > d.limit {
		n, _ := d.f.Write(p[:d.limit])
		d.limit = 0
		return n, &os.PathError{Op: "write", Path: d.f.Name(), Err: syscall.ENOSPC}
	}
	d.limit -= len(p)
	return d.f.Write(p)
}

func (d *fullDisk) Close() error { return d.f.Close() }

// A disk that fills while an upload is spooled: 507 NO_SPACE naming the folder and the
// file, nothing loaded (the refusal comes before any load: the service has no store), and
// the spool file removed. Any other write error is a 500 SPOOL_FAILED.
func TestUploadOnAFullDisk(t *testing.T) {
	spool := t.TempDir()
	for _, tc := range []struct {
		err          syscall.Errno
		status       int
		code, reason string
	}{
		{syscall.ENOSPC, 507, CodeNoSpace, "no space left in " + spool + " for the upload of big.csv; nothing was loaded"},
		{syscall.EIO, 500, CodeSpoolFailed, "cannot write the upload of big.csv into " + spool},
	} {
		cfg := Config{Token: "tok", Log: slog.New(slog.NewTextHandler(io.Discard, nil)), SpoolDir: spool}
		errno := tc.err
		cfg.spool = func(dir string) (io.WriteCloser, string, error) {
			f, name, err := createSpool(dir)
			if errno == syscall.ENOSPC {
				return &fullDisk{f: f.(*os.File), limit: 100 << 10}, name, err
			}
			return writeFails{f.(*os.File)}, name, err
		}
		admin := httptest.NewServer(HandlerWith(service.New(nil, cfg.Log), cfg))
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		w, _ := mw.CreateFormFile("file", "big.csv")
		w.Write(bytes.Repeat([]byte("0123456789abcdef"), 64<<10)) // 1 MiB
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, admin.URL+"/admin/ingest", &body)
		req.Header.Set("Authorization", "Bearer tok")
		req.Header.Set("Content-Type", mw.FormDataContentType())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		admin.Close() // waits for the handler, and so for the spool's removal
		if resp.StatusCode != tc.status || resp.Header.Get("X-Cadrestat-Error") != tc.code || !strings.Contains(string(msg), tc.reason) {
			t.Errorf("%v: %d %s %q", tc.err, resp.StatusCode, resp.Header.Get("X-Cadrestat-Error"), msg)
		}
		if left, _ := filepath.Glob(filepath.Join(spool, "*")); len(left) > 0 {
			t.Errorf("%v: spool files left: %v", tc.err, left)
		}
	}
}

type writeFails struct{ f *os.File }

func (w writeFails) Write(p []byte) (int, error) {
	return 0, &os.PathError{Op: "write", Path: w.f.Name(), Err: syscall.EIO}
}

func (w writeFails) Close() error { return w.f.Close() }
