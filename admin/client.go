package admin

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"time"

	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/internal/progress"
	"github.com/cadrestat/cadrestat/warehouse"
)

// Client is the local tools' half of the admin protocol: it hands a load to the serving
// process named by Info, or asks it for a backup.
type Client struct {
	Info Info
	// Idle is the longest a hand-off waits without word from the server: no upload bytes
	// taken, no progress event (a server streaming progress repeats its last event every
	// DefaultHeartbeat, so a long load that keeps reporting never times out). 0:
	// DefaultIdle.
	Idle time.Duration
}

// DefaultIdle is Client.Idle's default.
const DefaultIdle = 2 * time.Minute

func (c *Client) idle() time.Duration {
	if c.Idle > 0 {
		return c.Idle
	}
	return DefaultIdle
}

// idleWatch cancels a hand-off when kick is not called for its limit.
type idleWatch struct {
	t    *time.Timer
	idle time.Duration
}

func watchIdle(ctx context.Context, idle time.Duration) (context.Context, *idleWatch, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	w := &idleWatch{idle: idle, t: time.AfterFunc(idle, func() {
		cancel(streamError{fmt.Errorf("no word from the running server for %v; it may be stuck: check its log (a load is all or nothing)", idle)})
	})}
	return ctx, w, func() { w.t.Stop(); cancel(nil) }
}

func (w *idleWatch) kick() { w.t.Reset(w.idle) }

// kickReader kicks the watch on every read: the transport reads the upload as the server
// takes it, and the answer as the server sends it.
type kickReader struct {
	r io.Reader
	w *idleWatch
}

func (k kickReader) Read(p []byte) (int, error) {
	n, err := k.r.Read(p)
	if n > 0 {
		k.w.kick()
	}
	return n, err
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
// streamed from disk, client_upload.go), asking for the progress stream (progress.go);
// each progress event goes to onProgress. A server from before the stream answers with
// one JSON body, read as before. The request is given up after c.Idle without word from
// the server, not after a total time.
func (c *Client) postIngest(ctx context.Context, files []ingest.File, byPath bool, onProgress func(progress.State)) (*answer, error) {
	info := c.Info
	ctx, watch, stop := watchIdle(ctx, c.idle())
	defer stop()
	var body io.Reader
	var length int64
	contentType := "application/json"
	var upload *uploadBody
	if byPath {
		var req IngestRequest
		for _, f := range files {
			abs, err := filepath.Abs(f.Path)
			if err != nil {
				return nil, fileReadError{err}
			}
			req.Files = append(req.Files, IngestFile{Name: f.Name, Path: abs})
		}
		raw, _ := json.Marshal(req)
		body, length = bytes.NewReader(raw), int64(len(raw))
	} else {
		var err error
		if upload, err = newUploadBody(files); err != nil {
			return nil, err
		}
		defer upload.closeFiles()
		body, length, contentType = upload, upload.length, upload.contentType
	}
	hreq, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+info.Addr+"/admin/ingest", kickReader{body, watch})
	hreq.ContentLength = length
	hreq.Header.Set("Authorization", "Bearer "+info.Token)
	hreq.Header.Set("Content-Type", contentType)
	hreq.Header.Set("Accept", IngestProgressType+", application/json")
	// A refusal before the body (token, size) comes before an upload is sent.
	hreq.Header.Set("Expect", "100-continue")
	resp, err := handOffClient.Do(hreq)
	if err != nil {
		return nil, handOffError(ctx, upload, err)
	}
	defer resp.Body.Close()
	ans := &answer{status: resp.StatusCode, code: resp.Header.Get("X-Cadrestat-Error")}
	r := kickReader{resp.Body, watch}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); resp.StatusCode != http.StatusOK || mt != IngestProgressType {
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

// HandOff hands the files to the serving process as one load and returns its report; each
// progress event of the server's load goes to onProgress (which may be nil). With upload
// set the contents are sent even if the server could read the paths. A nil report and nil
// error mean no server answered (a stale admin.json): the caller loads the files itself.
func (c *Client) HandOff(ctx context.Context, files []ingest.File, upload bool, onProgress func(progress.State)) (*ingest.Report, error) {
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
		ans, err = c.postIngest(ctx, files, true, onProgress)
	}
	// A path outside the server's -admin-read-dirs is one this user can read (the client
	// just did) but the server will not: the contents go instead.
	if !byPath || err == nil && (ans.status == http.StatusBadRequest && ans.code == CodeUnreadablePath || ans.status == http.StatusForbidden && ans.code == CodePathNotAllowed) {
		ans, err = c.postIngest(ctx, files, false, onProgress)
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

// Backup has the serving process write a backup of its database into dir (absolute).
func (c *Client) Backup(ctx context.Context, dir string) (*warehouse.BackupManifest, error) {
	body, _ := json.Marshal(BackupRequest{Dir: dir})
	out, err := c.Post(ctx, "/admin/backup", body)
	if err != nil {
		return nil, err
	}
	var m warehouse.BackupManifest
	if err := json.Unmarshal(out, &m); err != nil {
		return nil, fmt.Errorf("unreadable answer from the running server: %w", err)
	}
	return &m, nil
}

// Post sends an authenticated JSON request to the admin listener; a status other than 200
// is an error carrying the server's message.
func (c *Client) Post(ctx context.Context, path string, body []byte) ([]byte, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+c.Info.Addr+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.Info.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 6 * time.Hour}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("the running server (pid %d) did not answer: %w", c.Info.PID, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the running server refused: %s", bytes.TrimSpace(out))
	}
	return out, nil
}
