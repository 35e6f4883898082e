package server

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/warehouse"
)

// IngestRequest is the body of POST /admin/ingest (the answer is described in
// admin_progress.go): files by absolute path (the server
// reads them from disk as it loads, so a file of any size is streamed, never held in
// memory), or by content for a client that cannot share its files (base64 in JSON, bounded
// by MaxIngestBytes).
type IngestRequest struct {
	Files []IngestFile `json:"files"`
}

// IngestFile is one file of a hand-off: Path, or Data.
type IngestFile struct {
	Name string `json:"name"`
	Path string `json:"path,omitempty"`
	Data []byte `json:"data,omitempty"`
}

// CodeUnreadablePath is the X-Cadrestat-Error of a refusal the client can recover from by
// sending the contents instead (the server cannot open a path it was given).
const CodeUnreadablePath = "UNREADABLE_PATH"

// MaxIngestBytes bounds one hand-off request.
const MaxIngestBytes = 2 << 30

// Admin returns the handler of the local admin listener: POST /admin/ingest with
// "Authorization: Bearer <token>". The server validates and loads the files itself (it
// holds the data folder) and answers with the same report a local ingest prints.
func Admin(svc *service.Service, token string, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /admin/ingest", func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get("Authorization")
		if subtle.ConstantTimeCompare([]byte(got), []byte("Bearer "+token)) != 1 {
			http.Error(w, "missing or wrong admin token", http.StatusUnauthorized)
			return
		}
		var req IngestRequest
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxIngestBytes)).Decode(&req); err != nil {
			http.Error(w, "malformed ingest request: "+err.Error(), http.StatusBadRequest)
			return
		}
		files := make([]ingest.File, len(req.Files))
		for i, f := range req.Files {
			files[i] = ingest.File{Name: f.Name, Data: f.Data}
			if f.Path == "" {
				continue
			}
			if msg := readablePath(f.Path); msg != "" {
				w.Header().Set("X-Cadrestat-Error", CodeUnreadablePath)
				http.Error(w, msg, http.StatusBadRequest)
				return
			}
			files[i] = ingest.File{Name: f.Name, Path: f.Path}
		}
		if wantsProgress(r) {
			streamLoad(w, r, svc, files, log)
			return
		}
		start := time.Now()
		opt, stop := loadOptions(files, log, nil)
		rep, err := svc.LoadWith(r.Context(), files, opt)
		stop()
		if err != nil {
			log.Error("admin ingest failed", "err", err)
			http.Error(w, "load failed: "+warehouse.ErrorMessage(err), http.StatusInternalServerError)
			return
		}
		logFinished(log, files, rep, start)
		w.Header().Set("Content-Type", "application/json")
		if !rep.OK() {
			w.WriteHeader(http.StatusUnprocessableEntity)
		}
		json.NewEncoder(w).Encode(rep)
	})
	registerBackup(mux, svc, token, log)
	return mux
}

// readablePath says why the server cannot read a handed-off file, or "".
func readablePath(p string) string {
	if !filepath.IsAbs(p) {
		return fmt.Sprintf("%q is not an absolute path", p)
	}
	st, err := os.Stat(p)
	if err != nil || !st.Mode().IsRegular() {
		return fmt.Sprintf("the server cannot read %s as a regular file", p)
	}
	f, err := os.Open(p)
	if err != nil {
		return fmt.Sprintf("the server cannot open %s (another user's file?)", p)
	}
	f.Close()
	return ""
}
