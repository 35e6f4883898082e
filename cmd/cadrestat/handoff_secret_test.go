package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/cadrestat/cadrestat/admin"
	"github.com/cadrestat/cadrestat/data"
	"github.com/cadrestat/cadrestat/internal/testenv"
	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/warehouse"
)

// rejectionLog keeps what is written to the rejections table (and writes it).
type rejectionLog struct {
	warehouse.Store
	mu       sync.Mutex
	recorded []string
}

func (s *rejectionLog) RecordRejection(ctx context.Context, file string, problems int, first string) error {
	s.mu.Lock()
	s.recorded = append(s.recorded, file+"\x00"+first)
	s.mu.Unlock()
	return s.Store.(warehouse.RejectionRecorder).RecordRejection(ctx, file, problems, first)
}

// Handing off a file the server can read but the client need not (/etc/shadow, when the
// server runs as root) must not be a way to read it: the answer, the server's log and the
// rejections table (and so every backup) name the problem, never the file's bytes. Both
// answer forms (one JSON report, the progress stream) are checked, for a password-file
// first line and for /etc/passwd itself.
//
// This needs the ingest package's messages about file content to stop quoting it (issue
// 24 item 5, ingest side): until that lands it fails on "unrecognised header root:…".
func TestHandOffDoesNotEchoFileContent(t *testing.T) {
	var logBuf bytes.Buffer
	var logMu sync.Mutex
	log := slog.New(slog.NewTextHandler(lockedWriter{&logBuf, &logMu}, nil))
	store := &rejectionLog{Store: testenv.Store(t)}
	svc := service.New(store, log)
	if rep, err := svc.LoadBundled(t.Context(), data.Files(), data.Digest()); err != nil || !rep.OK() {
		t.Fatalf("bundled data: %v %+v", err, rep)
	}
	adm := httptest.NewServer(admin.HandlerWith(svc, admin.Config{Token: "tok", Log: log, SpoolDir: t.TempDir()}))
	defer adm.Close()

	const marker = "S3CRET-HASH-7f1c"
	shadow := writeTemp(t, "shadow", "root:$6$"+marker+"$abc:20228:0:99999:7:::\ndaemon:*:20228:0:99999:7:::\n")
	passwd, _ := os.ReadFile("/etc/passwd")
	firstPasswd, _, _ := strings.Cut(string(passwd), "\n")
	cases := map[string]struct{ path, secret string }{"shadow-like": {shadow, marker}}
	if strings.Count(firstPasswd, ":") >= 4 {
		cases["/etc/passwd"] = struct{ path, secret string }{"/etc/passwd", firstPasswd}
	}
	for name, c := range cases {
		for _, accept := range []string{"application/json", admin.IngestProgressType} {
			body, _ := json.Marshal(admin.IngestRequest{Files: []admin.IngestFile{{Name: "x.csv", Path: c.path}}})
			req, _ := http.NewRequest(http.MethodPost, adm.URL+"/admin/ingest", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer tok")
			req.Header.Set("Accept", accept)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			answer, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !bytes.Contains(answer, []byte(`"problems"`)) {
				t.Errorf("%s (%s): %d %s, want a report of problems", name, accept, resp.StatusCode, answer)
			}
			for _, piece := range secretPieces(c.secret) {
				if bytes.Contains(bytes.ToLower(answer), []byte(piece)) {
					t.Errorf("%s (%s): the answer holds %q of the file: %s", name, accept, piece, answer)
				}
			}
		}
		logMu.Lock()
		logged := logBuf.String()
		logMu.Unlock()
		store.mu.Lock()
		recorded := strings.Join(store.recorded, "\n")
		store.mu.Unlock()
		for _, piece := range secretPieces(c.secret) {
			if strings.Contains(strings.ToLower(logged), piece) {
				t.Errorf("%s: the server log holds %q of the file", name, piece)
			}
			if strings.Contains(strings.ToLower(recorded), piece) {
				t.Errorf("%s: the rejections table holds %q of the file: %q", name, piece, recorded)
			}
		}
	}
}

// secretPieces are the parts of a password-file line that must not come back, in lower
// case (the header reader lowers a line before quoting it): the line, and each field
// longer than a few characters but the first (a user name like root may well appear in a
// message for other reasons).
func secretPieces(line string) []string {
	line = strings.ToLower(line)
	out := []string{line}
	for i, f := range strings.Split(line, ":") {
		if i > 0 && len(f) > 4 {
			out = append(out, f)
		}
	}
	return out
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
