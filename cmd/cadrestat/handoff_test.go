package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/data"
	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/internal/testenv"
	"github.com/cadrestat/cadrestat/server"
	"github.com/cadrestat/cadrestat/service"
)

const userSource = "id,title,issuer,doc_number,date,language,location,kind,licence\nuser-doc-%s,A user's document,Someone,,2024-05-01,vi,doc.pdf,user,\n"

// The hand-off sends paths, so the server streams the files from disk; when the server
// cannot open a path it says so, and the client sends the contents instead.
func TestHandOffByPathAndFallback(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := service.New(testenv.Store(t), log)
	if rep, err := svc.LoadBundled(t.Context(), data.Files(), data.Digest()); err != nil || !rep.OK() {
		t.Fatalf("bundled data: %v %+v", err, rep)
	}
	admin := httptest.NewServer(server.Admin(svc, "tok", log))
	defer admin.Close()
	info := adminInfo{Addr: strings.TrimPrefix(admin.URL, "http://"), Token: "tok"}

	dir := t.TempDir()
	byPath := filepath.Join(dir, "a.csv")
	os.WriteFile(byPath, []byte(strings.ReplaceAll(userSource, "%s", "a")), 0o644)
	rep, err := handOffTo(t.Context(), info, []ingest.File{{Name: "a.csv", Path: byPath}}, nil)
	if err != nil || rep == nil || !rep.OK() || rep.Changed != 1 {
		t.Fatalf("by path: %v %+v", err, rep)
	}
	// A path the server cannot open: the contents go instead.
	rep, err = handOffTo(t.Context(), info, []ingest.File{{Name: "b.csv", Path: filepath.Join(dir, "gone.csv"), Data: []byte(strings.ReplaceAll(userSource, "%s", "b"))}}, nil)
	if err != nil || rep == nil || !rep.OK() || rep.Changed != 1 {
		t.Fatalf("fallback to contents: %v %+v", err, rep)
	}
	// What the server says about paths it will not read.
	for _, tc := range []struct{ path, want string }{
		{"relative.csv", `"relative.csv" is not an absolute path`},
		{dir, "cannot read " + dir + " as a regular file"},
		{filepath.Join(dir, "none.csv"), "cannot read " + filepath.Join(dir, "none.csv")},
	} {
		body, _ := json.Marshal(server.IngestRequest{Files: []server.IngestFile{{Name: "x.csv", Path: tc.path}}})
		req, _ := http.NewRequest(http.MethodPost, admin.URL+"/admin/ingest", strings.NewReader(string(body)))
		req.Header.Set("Authorization", "Bearer tok")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || resp.Header.Get("X-Cadrestat-Error") != server.CodeUnreadablePath || !strings.Contains(string(msg), tc.want) {
			t.Errorf("path %q: %d %q %s", tc.path, resp.StatusCode, resp.Header.Get("X-Cadrestat-Error"), msg)
		}
	}
}
