package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"testing"

	"github.com/cadrestat/cadrestat/server"
	"github.com/cadrestat/cadrestat/service"
)

func startTestAdmin(t *testing.T, dir string, pprofOn bool) adminInfo {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := startAdmin(service.New(nil, log), nil, engineFlags{engine: "embedded", dataDir: dir}, adminOptions{addr: "127.0.0.1:0", pprof: pprofOn}, server.NewMetrics(), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close(); srv.RemoveInfo() })
	raw, err := os.ReadFile(adminInfoPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	var info adminInfo
	if err := json.Unmarshal(raw, &info); err != nil || info.Token == "" || info.Addr == "" {
		t.Fatalf("admin.json = %q, %v", raw, err)
	}
	return info
}

// A stale admin.json left world-readable (a kill -9 skips the cleanup) must not pass its
// mode on to the new token.
func TestAdminInfoIsOwnerOnlyOverAStaleFile(t *testing.T) {
	dir := t.TempDir()
	path := adminInfoPath(dir)
	if err := os.WriteFile(path, []byte(`{"addr":"127.0.0.1:1","token":"stale","pid":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil { // whatever the umask
		t.Fatal(err)
	}
	info := startTestAdmin(t, dir, false)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("admin.json mode = %v, want 0600", st.Mode().Perm())
	}
	if info.Token == "stale" || len(info.Token) != 48 || info.PID != os.Getpid() {
		t.Fatalf("admin.json holds %+v, want the new token and this process", info)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("data folder holds %v; the temporary file must be renamed, not left behind", names)
	}
}

func TestPprofNeedsTheAdminToken(t *testing.T) {
	info := startTestAdmin(t, t.TempDir(), true)
	get := func(path, auth string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, "http://"+info.Addr+path, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap", "/debug/pprof/goroutine?debug=1", "/debug/pprof/cmdline", "/debug/pprof/symbol", "/debug/pprof/profile?seconds=1"} {
		for _, auth := range []string{"", "Bearer wrong", "Bearer " + info.Token + "x", info.Token} {
			if code := get(path, auth); code != http.StatusUnauthorized {
				t.Errorf("GET %s with Authorization %q: %d, want 401", path, auth, code)
			}
		}
	}
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap", "/debug/pprof/goroutine?debug=1", "/debug/pprof/symbol"} {
		if code := get(path, "Bearer "+info.Token); code != http.StatusOK {
			t.Errorf("GET %s with the token: %d, want 200", path, code)
		}
	}
	// Ingest is still behind the same token.
	resp, err := http.Post("http://"+info.Addr+"/admin/ingest", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("POST /admin/ingest without the token: %d, want 401", resp.StatusCode)
	}
}

func TestNoPprofWithoutTheFlag(t *testing.T) {
	info := startTestAdmin(t, t.TempDir(), false)
	req, _ := http.NewRequest(http.MethodGet, "http://"+info.Addr+"/debug/pprof/", nil)
	req.Header.Set("Authorization", "Bearer "+info.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Fatal("/debug/pprof/ served without -pprof")
	}
}

// With a ClickHouse server engine the admin listener still serves /metrics and pprof (behind
// the token), but not the ingest hand-off: ingest writes to the server itself.
func TestAdminListenerOnTheServerEngine(t *testing.T) {
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := startAdmin(service.New(nil, log), nil, engineFlags{engine: "clickhouse", dataDir: dir}, adminOptions{addr: "127.0.0.1:0", pprof: true}, server.NewMetrics(), log)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Close(); srv.RemoveInfo() }()
	raw, _ := os.ReadFile(adminInfoPath(dir))
	var info adminInfo
	json.Unmarshal(raw, &info)
	status := func(method, path, auth string) int {
		req, _ := http.NewRequest(method, "http://"+info.Addr+path, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := status("GET", "/metrics", ""); c != 200 {
		t.Fatalf("/metrics: %d", c)
	}
	if c := status("GET", "/debug/pprof/heap", "Bearer "+info.Token); c != 200 {
		t.Fatalf("pprof with the token: %d", c)
	}
	if c := status("GET", "/debug/pprof/heap", ""); c != 401 {
		t.Fatalf("pprof without the token: %d", c)
	}
	if c := status("POST", "/admin/ingest", "Bearer "+info.Token); c != 404 {
		t.Fatalf("ingest hand-off on the server engine: %d, want 404", c)
	}
}
