package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cadrestat/cadrestat/admin"
	"github.com/cadrestat/cadrestat/data"
	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/internal/testenv"
	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/warehouse"
)

// loadCounting counts the loads that reach the warehouse.
type loadCounting struct {
	warehouse.Store
	loads atomic.Int64
}

func (s *loadCounting) Load(ctx context.Context, b *warehouse.Batch) (*warehouse.LoadResult, error) {
	s.loads.Add(1)
	return s.Store.Load(ctx, b)
}

// refusalAdmin is an admin listener over a warehouse holding the bundled data, with a
// 64 KiB upload limit and a 300 ms upload idle limit.
type refusalAdmin struct {
	url, spool string
	store      *loadCounting
	version    uint64
}

func newRefusalAdmin(t *testing.T) *refusalAdmin {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	store := &loadCounting{Store: testenv.Store(t)}
	svc := service.New(store, log)
	if rep, err := svc.LoadBundled(t.Context(), data.Files(), data.Digest()); err != nil || !rep.OK() {
		t.Fatalf("bundled data: %v %+v", err, rep)
	}
	a := &refusalAdmin{spool: t.TempDir(), store: store}
	srv := httptest.NewServer(admin.HandlerWith(svc, admin.Config{Token: "tok", Log: log, SpoolDir: a.spool, MaxUploadBytes: 64 << 10, UploadIdle: 300 * time.Millisecond}))
	t.Cleanup(srv.Close)
	a.url = srv.URL
	a.version, _ = store.DataVersion(t.Context())
	store.loads.Store(0)
	return a
}

// unchanged fails the test unless no load reached the warehouse, its data version is the
// same, and no spool file is left.
func (a *refusalAdmin) unchanged(t *testing.T, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		left, _ := os.ReadDir(a.spool)
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: spool files left: %v", what, left)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if v, err := a.store.DataVersion(t.Context()); err != nil || v != a.version || a.store.loads.Load() != 0 {
		t.Fatalf("%s: data version %d (was %d), %d loads, %v", what, v, a.version, a.store.loads.Load(), err)
	}
}

func (a *refusalAdmin) post(t *testing.T, token, contentType string, body io.Reader, length int64) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, a.url+"/admin/ingest", body)
	req.ContentLength = length
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("X-Cadrestat-Error"), strings.TrimSpace(string(msg))
}

// upload builds a multipart body of parts given as Content-Disposition and content; with
// open, the closing boundary is left off.
func upload(open bool, parts ...[2]string) (string, []byte) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, p := range parts {
		w, _ := mw.CreatePart(map[string][]string{"Content-Disposition": {p[0]}})
		io.WriteString(w, p[1])
	}
	if !open {
		mw.Close()
	}
	return mw.FormDataContentType(), b.Bytes()
}

// Every malformed, unauthorised, oversized or cut hand-off is refused with its code, loads
// nothing and leaves no spool file.
func TestHandOffRefusals(t *testing.T) {
	a := newRefusalAdmin(t)
	good := strings.ReplaceAll(userSource, "%s", "r")
	one := func(disposition, content string) func() (string, []byte) {
		return func() (string, []byte) { return upload(false, [2]string{disposition, content}) }
	}
	asJSON := func(body string) func() (string, []byte) {
		return func() (string, []byte) { return "application/json", []byte(body) }
	}
	goodUpload := one(`form-data; name="file"; filename="r.csv"`, good)
	bigUpload := one(`form-data; name="file"; filename="big.csv"`, strings.Repeat("x", 100<<10))
	for _, tc := range []struct {
		name, token string
		body        func() (string, []byte)
		chunked     bool
		status      int
		code, msg   string
	}{
		{"no token", "", goodUpload, false, 401, admin.CodeUnauthorized, "missing or wrong admin token"},
		{"wrong token", "nope", goodUpload, false, 401, admin.CodeUnauthorized, "missing or wrong admin token"},
		{"part without a filename", "tok", one(`form-data; name="file"`, good), false, 400, admin.CodeMissingName, "part 1 of the upload has no filename"},
		{"JSON file without a name", "tok", asJSON(`{"files":[{"path":"/etc/hostname"}]}`), false, 400, admin.CodeMissingName, "file 1 of the ingest request has no name"},
		{"upload of no files", "tok", func() (string, []byte) { return upload(false) }, false, 400, admin.CodeNoFiles, "the upload holds no files"},
		{"JSON of no files", "tok", asJSON(`{"files":[]}`), false, 400, admin.CodeNoFiles, "names no files"},
		{"multipart without a boundary", "tok", func() (string, []byte) { _, b := goodUpload(); return "multipart/form-data", b }, false, 400, admin.CodeMalformed, "malformed upload"},
		{"malformed JSON", "tok", asJSON(`{"files":`), false, 400, admin.CodeMalformed, "malformed ingest request"},
		{"declared over the limit", "tok", bigUpload, false, 413, admin.CodeTooLarge, "over this server's limit of 65536 bytes"},
		{"streamed over the limit", "tok", bigUpload, true, 413, admin.CodeTooLarge, "over this server's limit of 65536 bytes"},
		{"JSON over its limit", "tok", asJSON(`{"files":[{"name":"a.csv","data":"` + strings.Repeat("A", admin.MaxIngestJSONBytes) + `"}]}`), false, 413, admin.CodeTooLarge, "send contents as a multipart upload"},
		{"JSON of too many files", "tok", func() (string, []byte) { return "application/json", manyFiles(admin.MaxFilesPerLoad + 1) }, false, 400, admin.CodeTooManyFiles, "more than 1000 files, the limit per load"},
		{"upload of too many files", "tok", func() (string, []byte) {
			parts := make([][2]string, admin.MaxFilesPerLoad+1)
			for i := range parts {
				parts[i] = [2]string{fmt.Sprintf(`form-data; name="file"; filename="f%d.csv"`, i), "x"}
			}
			return upload(false, parts...)
		}, true, 400, admin.CodeTooManyFiles, "more than 1000 files, the limit per load"},
		{"JSON name too long", "tok", asJSON(`{"files":[{"name":"` + longName + `","path":"/etc/hostname"}]}`), false, 400, admin.CodeNameTooLong, "file 1 of the ingest request is 7340032 bytes, over the limit of 4096"},
		{"JSON path too long", "tok", asJSON(`{"files":[{"name":"a.csv","path":"/` + longName + `"}]}`), false, 400, admin.CodeNameTooLong, "is 7340033 bytes, over the limit of 4096"},
		{"upload name too long", "tok", one(`form-data; name="file"; filename="`+longName[:5000]+`"`, good), false, 400, admin.CodeNameTooLong, "the filename of part 1 of the upload is 5000 bytes"},
		{"body ends inside a part", "tok", func() (string, []byte) {
			return upload(true, [2]string{`form-data; name="file"; filename="r.csv"`, good})
		}, false, 400, admin.CodeUploadIncomplete, "nothing was loaded"},
	} {
		ct, body := tc.body()
		var r io.Reader = bytes.NewReader(body)
		length := int64(len(body))
		if tc.chunked {
			r, length = io.MultiReader(r), -1 // hides the length: sent chunked
		}
		status, code, msg := a.post(t, tc.token, ct, r, length)
		if status != tc.status || code != tc.code || !strings.Contains(msg, tc.msg) || len(msg) > 1000 {
			t.Errorf("%s: %d %s %.300q (%d bytes), want %d %s %q", tc.name, status, code, msg, len(msg), tc.status, tc.code, tc.msg)
		}
		a.unchanged(t, tc.name)
	}

	// A client gone mid-body: the part spooled so far is dropped.
	conn := a.rawUpload(t, 10<<10)
	conn.Close()
	a.unchanged(t, "client gone mid-body")

	// A client that stops sending: refused after the idle limit, with its code.
	conn = a.rawUpload(t, 10<<10)
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("idle upload: %v", err)
	}
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || resp.Header.Get("X-Cadrestat-Error") != admin.CodeUploadIncomplete || !strings.Contains(string(msg), "timeout") {
		t.Fatalf("idle upload: %d %s %s", resp.StatusCode, resp.Header.Get("X-Cadrestat-Error"), msg)
	}
	a.unchanged(t, "idle upload")

	// The client's view of a refusal: the server's message, nothing loaded.
	path := writeTemp(t, "big.csv", good+strings.Repeat("user-doc-r,again,Someone,,2024-05-01,vi,doc.pdf,user,\n", 2000))
	_, err = handOffWith(t.Context(), adminInfo{Addr: strings.TrimPrefix(a.url, "http://"), Token: "tok"}, []ingest.File{{Name: "big.csv", Path: path}}, true, nil)
	if err == nil || err.Error() != "the running server refused the files: the upload is over this server's limit of 65536 bytes per ingest request" {
		t.Fatalf("client over the limit: %v", err)
	}
	a.unchanged(t, "client over the limit")

	// A client of the version before uploads sends small contents in JSON: still loaded.
	status, code, msg2 := a.post(t, "tok", "application/json", strings.NewReader(fmt.Sprintf(`{"files":[{"name":"r.csv","data":%q}]}`, b64(good))), -1)
	if status != 200 || code != "" || !strings.Contains(msg2, `"changed":1`) {
		t.Fatalf("contents in JSON: %d %s %s", status, code, msg2)
	}
}

// rawUpload starts an upload by hand on a raw connection, declaring 8 KiB more than it
// sends (about n bytes, under the limit), and waits until the server has begun spooling.
func (a *refusalAdmin) rawUpload(t *testing.T, n int) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(a.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	pad := bytes.Repeat([]byte("p"), n) // a long part so the body is still open after n bytes
	ct, full := upload(false, [2]string{`form-data; name="file"; filename="r.csv"`, string(pad)})
	fmt.Fprintf(conn, "POST /admin/ingest HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer tok\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", ct, len(full)+8<<10)
	conn.Write(full[:len(full)-100])
	deadline := time.Now().Add(5 * time.Second)
	for {
		if left, _ := os.ReadDir(a.spool); len(left) > 0 {
			return conn
		}
		if time.Now().After(deadline) {
			t.Fatal("the server did not start spooling the upload")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// longName is a 7 MiB file name, which a refusal must not repeat.
var longName = strings.Repeat("n", 7<<20)

// manyFiles is a JSON hand-off naming the same readable file n times.
func manyFiles(n int) []byte {
	var req admin.IngestRequest
	for i := range n {
		req.Files = append(req.Files, admin.IngestFile{Name: fmt.Sprintf("f%d.csv", i), Path: "/etc/hostname"})
	}
	raw, _ := json.Marshal(req)
	return raw
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
