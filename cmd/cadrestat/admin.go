package main

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"

	"github.com/cadrestat/cadrestat/server"
	"github.com/cadrestat/cadrestat/service"
)

// adminInfo is written beside the data folder so `cadrestat ingest` can find a running
// server and hand it files; the file is readable by the owner only.
type adminInfo struct {
	Addr  string `json:"addr"`
	Token string `json:"token"`
	PID   int    `json:"pid"`
}

func adminInfoPath(dataDir string) string { return filepath.Join(dataDir, "admin.json") }

// readAdminInfo reads the admin.json a serve wrote in the data folder, if there is one.
func readAdminInfo(ef engineFlags) (adminInfo, bool) {
	var info adminInfo
	raw, err := os.ReadFile(adminInfoPath(ef.dataDir))
	if err != nil || json.Unmarshal(raw, &info) != nil || info.Addr == "" {
		return info, false
	}
	return info, true
}

// adminOptions are serve's flags for the admin listener.
type adminOptions struct {
	addr     string
	pprof    bool
	maxConns int                  // connections held at once (server.LimitListener)
	timeouts server.AdminTimeouts // zero fields: server's defaults
	readDirs []string             // -admin-read-dirs: the only folders files are handed off from
}

// startAdmin opens the loopback admin listener and writes admin.json (its address and a
// token, owner-only). It serves /metrics (unauthenticated: loopback only, and nothing in
// it is secret) and, with -pprof, profiles behind the token, for both engines; the ingest
// hand-off only for the embedded engine (with a server engine, ingest writes to ClickHouse
// directly).
func startAdmin(svc *service.Service, ef engineFlags, opt adminOptions, metrics *server.Metrics, log interface {
	Info(string, ...any)
}) (*http.Server, func(), error) {
	addr := opt.addr
	host, _, err := net.SplitHostPort(addr)
	if err != nil || !(host == "127.0.0.1" || host == "localhost" || host == "::1") {
		return nil, nil, fmt.Errorf("admin address %q must be on loopback (127.0.0.1:PORT)", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot listen on admin address %s: %w", addr, err)
	}
	var b [24]byte
	_, _ = rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	info, _ := json.Marshal(adminInfo{Addr: ln.Addr().String(), Token: token, PID: os.Getpid()})
	path := adminInfoPath(ef.dataDir)
	if err := os.MkdirAll(ef.dataDir, 0o700); err != nil {
		ln.Close()
		return nil, nil, fmt.Errorf("cannot create %s: %w", ef.dataDir, err)
	}
	if err := writePrivate(path, info); err != nil {
		ln.Close()
		return nil, nil, fmt.Errorf("cannot write %s: %w", path, err)
	}
	mux := http.NewServeMux()
	if ef.engine == "embedded" {
		// Uploads are spooled in the data folder (on the warehouse's disk, never a tmpfs);
		// any left by a server that was killed mid-upload go now: this one holds the folder.
		stale, _ := filepath.Glob(filepath.Join(ef.dataDir, server.SpoolPattern))
		for _, p := range stale {
			os.Remove(p)
		}
		mux.Handle("/admin/", server.AdminWith(svc, server.AdminConfig{Token: token, Log: logger(), SpoolDir: ef.dataDir, ReadDirs: opt.readDirs}))
	}
	if metrics != nil {
		mux.Handle("GET /metrics", metrics.Handler())
	}
	if opt.pprof {
		// Profiles show the process's memory and command line: the same token as ingest.
		mux.Handle("/debug/pprof/", requireToken(token, http.HandlerFunc(pprof.Index)))
		mux.Handle("/debug/pprof/profile", requireToken(token, http.HandlerFunc(pprof.Profile)))
		mux.Handle("/debug/pprof/symbol", requireToken(token, http.HandlerFunc(pprof.Symbol)))
	}
	srv := server.NewAdminServer(mux, opt.timeouts)
	go srv.Serve(server.LimitListener(ln, opt.maxConns))
	log.Info("admin endpoint (metrics, ingest hand-off, pprof)", "addr", ln.Addr().String(), "max_conns", opt.maxConns)
	return srv, func() { os.Remove(path) }, nil
}

// requireToken answers 401 unless the request carries "Authorization: Bearer <token>".
func requireToken(token string, h http.Handler) http.Handler {
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			http.Error(w, "missing or wrong admin token", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// writePrivate replaces path with data, readable by the owner only, whatever file was
// there: os.WriteFile keeps an existing file's mode, so a stale world-readable admin.json
// (left by a kill -9) would expose the new token. The data go to a new 0600 file in the
// same directory, are synced, and the file is renamed over path.
func writePrivate(path string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	// CreateTemp makes 0600 already; say so explicitly rather than rely on it.
	if err = f.Chmod(0o600); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	// Make the rename itself durable; a directory that cannot be synced is not an error.
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
