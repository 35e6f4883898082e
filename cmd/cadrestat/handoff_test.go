package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cadrestat/cadrestat/admin"
	"github.com/cadrestat/cadrestat/data"
	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/internal/testenv"
	"github.com/cadrestat/cadrestat/service"
)

const userSource = "id,title,issuer,doc_number,date,language,location,kind,licence\nuser-doc-%s,A user's document,Someone,,2024-05-01,vi,doc.pdf,user,\n"

// The hand-off sends paths, so the server streams the files from disk; when the server
// cannot open a path it says so, and the client uploads the contents instead (as it does
// when asked to), under the names the client gave.
func TestHandOffByPathAndUpload(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := service.New(testenv.Store(t), log)
	if rep, err := svc.LoadBundled(t.Context(), data.Files(), data.Digest()); err != nil || !rep.OK() {
		t.Fatalf("bundled data: %v %+v", err, rep)
	}
	spool := t.TempDir()
	handler := admin.HandlerWith(svc, admin.Config{Token: "tok", Log: log, SpoolDir: spool})
	adm := httptest.NewServer(handler)
	defer adm.Close()
	info := adminInfo{Addr: strings.TrimPrefix(adm.URL, "http://"), Token: "tok"}

	dir := t.TempDir()
	byPath := filepath.Join(dir, "a.csv")
	os.WriteFile(byPath, []byte(strings.ReplaceAll(userSource, "%s", "a")), 0o644)
	rep, err := handOffTo(t.Context(), info, []ingest.File{{Name: "a.csv", Path: byPath}}, nil)
	if err != nil || rep == nil || !rep.OK() || rep.Changed != 1 {
		t.Fatalf("by path: %v %+v", err, rep)
	}
	// Contents only (a path the server never sees): uploaded.
	rep, err = handOffTo(t.Context(), info, []ingest.File{{Name: "b.csv", Data: []byte(strings.ReplaceAll(userSource, "%s", "b"))}}, nil)
	if err != nil || rep == nil || !rep.OK() || rep.Changed != 1 || rep.Files[0] != "b.csv" {
		t.Fatalf("contents: %v %+v", err, rep)
	}
	// Asked to upload a file the server could read; the name keeps its folder and accents.
	named := filepath.Join(dir, "nguồn c.csv")
	os.WriteFile(named, []byte(strings.ReplaceAll(userSource, "%s", "c")), 0o644)
	rep, err = handOffWith(t.Context(), info, []ingest.File{{Name: named, Path: named}}, true, nil)
	if err != nil || rep == nil || !rep.OK() || rep.Changed != 1 || rep.Files[0] != named {
		t.Fatalf("upload: %v %+v", err, rep)
	}
	// A path the server refuses (here: one it is told is relative): the client uploads.
	relAdmin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Type") == "application/json" {
			w.Header().Set("X-Cadrestat-Error", admin.CodeUnreadablePath)
			http.Error(w, "no", http.StatusBadRequest)
			return
		}
		handler.ServeHTTP(w, r)
	}))
	defer relAdmin.Close()
	d := filepath.Join(dir, "d.csv")
	os.WriteFile(d, []byte(strings.ReplaceAll(userSource, "%s", "d")), 0o644)
	rep, err = handOffTo(t.Context(), adminInfo{Addr: strings.TrimPrefix(relAdmin.URL, "http://"), Token: "tok"}, []ingest.File{{Name: "d.csv", Path: d}}, nil)
	if err != nil || rep == nil || !rep.OK() || rep.Changed != 1 {
		t.Fatalf("fallback to an upload: %v %+v", err, rep)
	}
	// The spool files go when the request ends, just after the report is sent.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		left, _ := os.ReadDir(spool)
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("spool files left behind: %v", left)
		}
	}
	// What the server says about paths it will not read.
	for _, tc := range []struct{ path, want string }{
		{"relative.csv", `"relative.csv" is not an absolute path`},
		{dir, fmt.Sprintf("cannot read %q as a regular file", dir)},
		{filepath.Join(dir, "none.csv"), fmt.Sprintf("cannot read %q", filepath.Join(dir, "none.csv"))},
	} {
		body, _ := json.Marshal(admin.IngestRequest{Files: []admin.IngestFile{{Name: "x.csv", Path: tc.path}}})
		req, _ := http.NewRequest(http.MethodPost, adm.URL+"/admin/ingest", strings.NewReader(string(body)))
		req.Header.Set("Authorization", "Bearer tok")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || resp.Header.Get("X-Cadrestat-Error") != admin.CodeUnreadablePath || !strings.Contains(string(msg), tc.want) {
			t.Errorf("path %q: %d %q %s", tc.path, resp.StatusCode, resp.Header.Get("X-Cadrestat-Error"), msg)
		}
	}
}
