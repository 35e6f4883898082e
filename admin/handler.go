package admin

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"time"

	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/warehouse"
)

// POST /admin/ingest takes the files of one load (all or nothing) in one of two bodies; the
// answer is described in progress.go.
//
//   - application/json, an IngestRequest: files by absolute path, which the server reads
//     from disk as it loads (a file of any size is streamed, never held in memory).
//   - multipart/form-data (upload.go): the files' contents, one part each, for a
//     server that cannot open the client's paths; the server spools each part to a file in
//     its data folder through a fixed buffer and loads from there.
//
// Every refusal carries a code in X-Cadrestat-Error (the Code… constants).
type IngestRequest struct {
	Files []IngestFile `json:"files"`
}

// IngestFile is one file of a JSON hand-off: Path. Data (base64) is what clients before
// the upload sent when the server could not open a path; it is still taken, up to
// MaxIngestJSONBytes for the whole body, so such a client keeps working for small files.
type IngestFile struct {
	Name string `json:"name"`
	Path string `json:"path,omitempty"`
	Data []byte `json:"data,omitempty"`
}

// The codes of refusals, in the X-Cadrestat-Error header.
const (
	CodeUnauthorized = "UNAUTHORIZED" // 401: missing or wrong admin token
	CodeMalformed    = "MALFORMED_REQUEST"
	CodeMissingName  = "MISSING_NAME"
	CodeNoFiles      = "NO_FILES"
	// CodeUnreadablePath: the server cannot open a path it was given; the client recovers
	// by uploading the contents.
	CodeUnreadablePath = "UNREADABLE_PATH"
	// CodeTooLarge (413): the body is over MaxIngestJSONBytes (JSON) or the server's upload
	// limit (Config.MaxUploadBytes).
	CodeTooLarge = "TOO_LARGE"
	// CodeUploadIncomplete: the upload ended before its last part did (client gone, body
	// cut, idle longer than Config.UploadIdle); nothing was loaded.
	CodeUploadIncomplete = "UPLOAD_INCOMPLETE"
	// CodeNoSpace (507): the data folder's disk filled while spooling; nothing was loaded.
	CodeNoSpace     = "NO_SPACE"
	CodeSpoolFailed = "SPOOL_FAILED" // 500: any other error writing the spool file
	// CodeTooManyFiles (400): one load names more than MaxFilesPerLoad files.
	CodeTooManyFiles = "TOO_MANY_FILES"
	// CodeNameTooLong (400): a file's name or path is over MaxNameBytes; it is not echoed.
	CodeNameTooLong = "NAME_TOO_LONG"
	// CodePathNotAllowed (403): the path is outside Config.ReadDirs; the client
	// recovers by uploading the contents, as for CodeUnreadablePath.
	CodePathNotAllowed = "PATH_NOT_ALLOWED"
	// CodeLoadFailed (500): the load itself failed (the message says why).
	CodeLoadFailed = "LOAD_FAILED"
)

// MaxFilesPerLoad bounds the files of one hand-off: each is checked (opened) in turn and
// listed in the report, and a load of thousands of files is better split.
const MaxFilesPerLoad = 1000

// MaxNameBytes bounds a file's name and path in a hand-off (Linux's PATH_MAX): a name
// appears in answers, logs and the report, and a longer path cannot be opened anyway.
const MaxNameBytes = 4096

// MaxIngestJSONBytes bounds a JSON hand-off body: paths need little, and contents in JSON
// (old clients) are decoded in memory, so they are kept small.
const MaxIngestJSONBytes = 8 << 20

// Config configures the admin handler; zero fields take the defaults below.
type Config struct {
	Token string
	Log   *slog.Logger
	// SpoolDir receives uploads while they are loaded: the data folder, on the disk that
	// holds the warehouse (the system temp folder may be a tmpfs, i.e. memory).
	SpoolDir       string
	MaxUploadBytes int64         // per request; DefaultMaxUploadBytes
	UploadIdle     time.Duration // longest wait for the next bytes of an upload; DefaultUploadIdle
	Heartbeat      time.Duration // longest silence of a progress stream; DefaultHeartbeat
	// Backups is the engine's backup, which POST /admin/backup writes through; nil: the
	// engine has none (CodeNoBackup).
	Backups warehouse.Backups
	// ReadDirs, when not empty, are the only folders the server reads handed-off paths
	// from (after symbolic links are resolved); others are refused with CodePathNotAllowed.
	ReadDirs []string

	spool spoolFunc // tests: replaces createSpool
}

const (
	DefaultMaxUploadBytes = 256 << 30
	DefaultUploadIdle     = time.Minute
	DefaultHeartbeat      = 10 * time.Second
)

// Admin returns the admin handler with the defaults, spooling uploads into the system's
// temp folder (tests); cadrestat serve uses AdminWith and its data folder.
func Handler(svc *service.Service, token string, log *slog.Logger) http.Handler {
	return HandlerWith(svc, Config{Token: token, Log: log})
}

// AdminWith returns the handler of the local admin listener: POST /admin/ingest with
// "Authorization: Bearer <token>". The server validates and loads the files itself (it
// holds the data folder) and answers with the same report a local ingest prints.
func HandlerWith(svc *service.Service, cfg Config) http.Handler {
	cfg = cfg.withDefaults()
	log := cfg.Log
	mux := http.NewServeMux()
	mux.HandleFunc("POST /admin/ingest", func(w http.ResponseWriter, r *http.Request) {
		if !authorized(r, cfg.Token) {
			refuse(w, http.StatusUnauthorized, CodeUnauthorized, "missing or wrong admin token")
			return
		}
		var files []ingest.File
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
			up, err := receiveUpload(w, r, cfg)
			defer up.remove() // whatever happens to the load
			if err != nil {
				log.Warn("admin ingest upload refused", "code", err.code, "err", err.msg)
				refuse(w, err.status, err.code, err.msg)
				return
			}
			files = up.files
		} else if f, err := jsonFiles(w, r, cfg.ReadDirs); err != nil {
			refuse(w, err.status, err.code, err.msg)
			return
		} else {
			files = f
		}
		if wantsProgress(r) {
			streamLoad(w, r, svc, files, log, cfg.Heartbeat)
			return
		}
		start := time.Now()
		opt, stop := loadOptions(files, log, nil)
		rep, err := svc.LoadWith(r.Context(), files, opt)
		stop()
		if err != nil {
			log.Error("admin ingest failed", "err", err)
			status, code, msg := loadFailure(err)
			refuse(w, status, code, msg)
			return
		}
		logFinished(log, files, rep, start)
		w.Header().Set("Content-Type", "application/json")
		if !rep.OK() {
			w.WriteHeader(http.StatusUnprocessableEntity)
		}
		_ = json.NewEncoder(w).Encode(rep) // a failed write: the client has gone
	})
	registerBackup(mux, cfg.Backups, cfg.Token, log)
	return mux
}

func (c Config) withDefaults() Config {
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.SpoolDir == "" {
		c.SpoolDir = os.TempDir()
	}
	if c.MaxUploadBytes <= 0 {
		c.MaxUploadBytes = DefaultMaxUploadBytes
	}
	if c.UploadIdle <= 0 {
		c.UploadIdle = DefaultUploadIdle
	}
	if c.Heartbeat <= 0 {
		c.Heartbeat = DefaultHeartbeat
	}
	if c.spool == nil {
		c.spool = createSpool
	}
	return c
}

// refusal is a hand-off refused before its load started.
type refusal struct {
	status    int
	code, msg string
}

func refuse(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("X-Cadrestat-Error", code)
	http.Error(w, msg, status)
}

// jsonFiles reads a JSON hand-off: every file named, by a path the server can read or by
// its contents.
func jsonFiles(w http.ResponseWriter, r *http.Request, readDirs []string) ([]ingest.File, *refusal) {
	var req IngestRequest
	err := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxIngestJSONBytes)).Decode(&req)
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, &refusal{http.StatusRequestEntityTooLarge, CodeTooLarge, fmt.Sprintf("a JSON ingest request is limited to %d bytes: send contents as a multipart upload (a cadrestat ingest of this version does)", MaxIngestJSONBytes)}
		}
		return nil, &refusal{http.StatusBadRequest, CodeMalformed, "malformed ingest request: " + err.Error()}
	}
	if len(req.Files) == 0 {
		return nil, &refusal{http.StatusBadRequest, CodeNoFiles, "the ingest request names no files"}
	}
	if len(req.Files) > MaxFilesPerLoad {
		return nil, tooManyFiles()
	}
	files := make([]ingest.File, len(req.Files))
	for i, f := range req.Files {
		if f.Name == "" {
			return nil, &refusal{http.StatusBadRequest, CodeMissingName, fmt.Sprintf("file %d of the ingest request has no name", i+1)}
		}
		if ref := nameTooLong(i+1, f.Name, f.Path); ref != nil {
			return nil, ref
		}
		files[i] = ingest.File{Name: f.Name, Data: f.Data}
		if f.Path == "" {
			continue
		}
		// One file is open at a time here, and only while it is checked.
		if ref := readablePath(f.Path, readDirs); ref != nil {
			return nil, ref
		}
		files[i] = ingest.File{Name: f.Name, Path: f.Path}
	}
	return files, nil
}

func tooManyFiles() *refusal {
	return &refusal{http.StatusBadRequest, CodeTooManyFiles, fmt.Sprintf("the ingest request has more than %d files, the limit per load: split it into several loads", MaxFilesPerLoad)}
}

// nameTooLong refuses file number i when its name or path is over MaxNameBytes, without
// repeating either.
func nameTooLong(i int, name, path string) *refusal {
	if len(name) <= MaxNameBytes && len(path) <= MaxNameBytes {
		return nil
	}
	return &refusal{http.StatusBadRequest, CodeNameTooLong, fmt.Sprintf("the name or path of file %d of the ingest request is %d bytes, over the limit of %d", i, max(len(name), len(path)), MaxNameBytes)}
}
