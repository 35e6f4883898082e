package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/internal/progress"
	"github.com/cadrestat/cadrestat/server"
	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/warehouse"
)

// IngestMain is `cadrestat ingest FILE…`: it validates and loads files, handing them to a
// running serve that holds the data folder, or opening the folder itself.
type IngestMain struct {
	ef         engineFlags
	report     bool
	upload     bool
	cpuProfile string
	paths      []string

	profile *os.File
	store   warehouse.Store
}

func (m *IngestMain) ParseFlags(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ingest", flag.ExitOnError)
	m.ef.register(fs)
	fs.BoolVar(&m.report, "report", false, "print the report as JSON (every problem at once)")
	fs.BoolVar(&m.upload, "upload", false, "hand a running server the files' contents (streamed) even if it could read their paths")
	fs.StringVar(&m.cpuProfile, "cpuprofile", "", "write a CPU profile of the load to this file")
	fs.Parse(args)
	if fs.NArg() == 0 {
		return errors.New("ingest needs at least one FILE (CSV or JSON, or a folder of them); see docs/data-format.md")
	}
	m.paths = fs.Args()
	return nil
}

func (m *IngestMain) Run(ctx context.Context) error {
	if m.cpuProfile != "" {
		f, err := os.Create(m.cpuProfile)
		if err != nil {
			return err
		}
		m.profile = f
		pprof.StartCPUProfile(f)
	}
	files, err := ingest.ReadFiles(m.paths)
	if err != nil {
		return err
	}
	bar := progress.Stderr("ingest") // draws only on a terminal
	rep, err := handOff(ctx, m.ef, files, m.upload, bar)
	if err != nil {
		return err
	}
	if rep == nil { // no running server: open the folder ourselves
		s, err := m.ef.open(ctx)
		if err != nil {
			return err
		}
		m.store = s
		ingest.LimitHeap()
		var opt ingest.Options
		if bar.On() {
			opt.Progress = bar.Set
		}
		rep, err = service.New(m.store, logger()).LoadWith(ctx, files, opt)
		if err != nil {
			bar.Clear()
			return err
		}
		bar.Done()
	}
	return printReport(rep, m.report)
}

func (m *IngestMain) Close() error {
	if m.profile != nil {
		pprof.StopCPUProfile()
		m.profile.Close()
	}
	return closeStore(m.store)
}

func printReport(rep *ingest.Report, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		enc.Encode(rep)
	} else if rep.OK() {
		fmt.Printf("loaded %d rows from %d file(s): %d new or changed; data version %d\n", rep.Rows, len(rep.Files), rep.Changed, rep.DataVersion)
	} else {
		fmt.Fprintf(os.Stderr, "nothing loaded: %d problem(s)\n", len(rep.Problems))
		for _, p := range rep.Problems {
			fmt.Fprintln(os.Stderr, "  "+p.String())
		}
	}
	if !rep.OK() {
		return exitCode(1)
	}
	return nil
}

type fileReadError struct{ error }

// answer is what the admin listener said to one hand-off: a status, the refusal code, and
// the body (the report, or the message), whichever form the answer came in.
type answer struct {
	status int
	code   string
	body   []byte
}

// errStreamCut is a progress stream that ended without its report: the server stopped
// mid-load (it may or may not have committed), so the client must not load the files itself.
var errStreamCut = streamError{errors.New("the running server stopped answering before the load ended; run `cadrestat ingest` again once it is back (a load is all or nothing)")}

// streamError is a progress stream that went wrong once the server had started the load.
type streamError struct{ error }

// postIngest sends one hand-off request, by path (JSON) or by content (a multipart upload
// streamed from disk, admin_upload.go), asking for the progress stream
// (server/admin_progress.go); each progress event goes to onProgress. A server from before
// the stream answers with one JSON body, read as before. The request is given up after
// handOffIdle without word from the server, not after a total time.
func postIngest(ctx context.Context, info adminInfo, files []ingest.File, byPath bool, onProgress func(progress.State)) (*answer, error) {
	ctx, watch, stop := watchIdle(ctx)
	defer stop()
	var body io.Reader
	var length int64
	contentType := "application/json"
	var upload *uploadBody
	if byPath {
		var req server.IngestRequest
		for _, f := range files {
			abs, err := filepath.Abs(f.Path)
			if err != nil {
				return nil, fileReadError{err}
			}
			req.Files = append(req.Files, server.IngestFile{Name: f.Name, Path: abs})
		}
		raw, _ := json.Marshal(req)
		body, length = bytes.NewReader(raw), int64(len(raw))
	} else {
		var err error
		if upload, err = newUploadBody(files); err != nil {
			return nil, err
		}
		defer upload.Close()
		body, length, contentType = upload, upload.length, upload.contentType
	}
	hreq, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+info.Addr+"/admin/ingest", kickReader{body, watch})
	hreq.ContentLength = length
	hreq.Header.Set("Authorization", "Bearer "+info.Token)
	hreq.Header.Set("Content-Type", contentType)
	hreq.Header.Set("Accept", server.IngestProgressType+", application/json")
	// A refusal before the body (token, size) comes before an upload is sent.
	hreq.Header.Set("Expect", "100-continue")
	resp, err := handOffClient.Do(hreq)
	if err != nil {
		return nil, handOffError(ctx, upload, err)
	}
	defer resp.Body.Close()
	ans := &answer{status: resp.StatusCode, code: resp.Header.Get("X-Cadrestat-Error")}
	r := kickReader{resp.Body, watch}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); resp.StatusCode != http.StatusOK || mt != server.IngestProgressType {
		if ans.body, err = io.ReadAll(r); err != nil {
			return nil, handOffError(ctx, upload, streamError{fmt.Errorf("%w: %w", errStreamCut, err)})
		}
		return ans, nil
	}
	ans, err = readProgressStream(r, onProgress)
	return ans, handOffError(ctx, upload, err)
}

// handOffClient has no total timeout (postIngest's is an idle one) and waits up to 10 s for
// the server's go-ahead before sending a body.
var handOffClient = &http.Client{Transport: &http.Transport{ExpectContinueTimeout: 10 * time.Second}}

// handOffError says why a hand-off failed: a file that could not be read or changed, the
// server's silence, or else err as it is.
func handOffError(ctx context.Context, upload *uploadBody, err error) error {
	if err == nil {
		return nil
	}
	if upload != nil {
		if rerr := upload.readErr(); rerr != nil {
			return rerr
		}
	}
	var se streamError
	if cause := context.Cause(ctx); errors.As(cause, &se) {
		return cause
	}
	return err
}

// readProgressStream reads a progress stream to its end and returns its last event as the
// answer the single-body form would have given: the report (200, or 422 with problems), or
// the error (500).
func readProgressStream(r io.Reader, onProgress func(progress.State)) (*answer, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 256<<20) // a report lists every problem on one line
	for sc.Scan() {
		var ev struct {
			Progress *progress.State `json:"progress"`
			Report   json.RawMessage `json:"report"`
			Error    string          `json:"error"`
			Code     string          `json:"code"`
		}
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			return nil, streamError{fmt.Errorf("unreadable answer from the running server: %w", err)}
		}
		switch {
		case ev.Progress != nil:
			if onProgress != nil {
				onProgress(*ev.Progress)
			}
		case ev.Report != nil:
			var rep ingest.Report
			if err := json.Unmarshal(ev.Report, &rep); err != nil {
				return nil, streamError{fmt.Errorf("unreadable answer from the running server: %w", err)}
			}
			status := http.StatusOK
			if !rep.OK() {
				status = http.StatusUnprocessableEntity
			}
			return &answer{status: status, body: ev.Report}, nil
		case ev.Error != "":
			return &answer{status: http.StatusInternalServerError, code: ev.Code, body: []byte(ev.Error)}, nil
		}
	}
	if err := sc.Err(); err != nil {
		return nil, streamError{fmt.Errorf("%w: %w", errStreamCut, err)}
	}
	return nil, errStreamCut
}

// handOff sends files to a running server that holds the data folder; it returns a nil
// report when no server is running (so the caller loads the files itself). The server's
// progress is drawn on bar (quiet off a terminal).
func handOff(ctx context.Context, ef engineFlags, files []ingest.File, upload bool, bar *progress.Bar) (*ingest.Report, error) {
	if ef.engine != "embedded" {
		return nil, nil
	}
	info, ok := readAdminInfo(ef)
	if !ok {
		return nil, nil
	}
	rep, err := handOffWith(ctx, info, files, upload, bar.Set)
	if rep != nil {
		bar.Done()
		fmt.Fprintf(os.Stderr, "handed to the running server (pid %d)\n", info.PID)
	} else {
		bar.Clear()
	}
	return rep, err
}

// handOffTo hands the files to the admin listener described by info; each progress event
// of the server's load goes to onProgress (which may be nil).
func handOffTo(ctx context.Context, info adminInfo, files []ingest.File, onProgress func(progress.State)) (*ingest.Report, error) {
	return handOffWith(ctx, info, files, false, onProgress)
}

// handOffWith is handOffTo, uploading the contents even if the server could read the paths
// when upload is set.
func handOffWith(ctx context.Context, info adminInfo, files []ingest.File, upload bool, onProgress func(progress.State)) (*ingest.Report, error) {
	// Files are handed over by path: the server streams them from disk as it loads. If it
	// cannot open a path (another user, another mount namespace), or upload is set, the
	// contents are uploaded, streamed from disk.
	byPath := !upload
	for _, f := range files {
		byPath = byPath && f.Path != "" && f.Data == nil
	}
	var ans *answer
	var err error
	if byPath {
		ans, err = postIngest(ctx, info, files, true, onProgress)
	}
	// A path outside the server's -admin-read-dirs is one this user can read (the client
	// just did) but the server will not: the contents go instead.
	if !byPath || err == nil && (ans.status == http.StatusBadRequest && ans.code == server.CodeUnreadablePath || ans.status == http.StatusForbidden && ans.code == server.CodePathNotAllowed) {
		ans, err = postIngest(ctx, info, files, false, onProgress)
	}
	if err != nil {
		var readErr fileReadError
		var streamErr streamError
		if errors.As(err, &readErr) || errors.As(err, &streamErr) {
			return nil, err
		}
		// A stale admin.json from a server that died: nobody holds the folder.
		return nil, nil
	}
	if ans.status != http.StatusOK && ans.status != http.StatusUnprocessableEntity {
		return nil, fmt.Errorf("the running server refused the files: %s", bytes.TrimSpace(ans.body))
	}
	var rep ingest.Report
	if err := json.Unmarshal(ans.body, &rep); err != nil {
		return nil, fmt.Errorf("unreadable answer from the running server: %w", err)
	}
	return &rep, nil
}
