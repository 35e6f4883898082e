package server

import (
	"crypto/subtle"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/service"
)

// IngestRequest is the body of POST /admin/ingest: files with their names and contents.
type IngestRequest struct {
	Files []struct {
		Name string `json:"name"`
		Data []byte `json:"data"` // base64 in JSON
	} `json:"files"`
}

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
		}
		rep, err := svc.Load(r.Context(), files)
		if err != nil {
			log.Error("admin ingest failed", "err", err)
			http.Error(w, "load failed: "+errorMessage(err), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if !rep.OK() {
			w.WriteHeader(http.StatusUnprocessableEntity)
		}
		json.NewEncoder(w).Encode(rep)
	})
	registerBackup(mux, svc, token, log)
	return mux
}
