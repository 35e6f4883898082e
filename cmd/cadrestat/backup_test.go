package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/admin"
	"github.com/cadrestat/cadrestat/internal/testenv"
	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/cadrestat/cadrestat/warehouse/embedded"
	"github.com/cadrestat/cadrestat/warehouse/storetest"
)

// TestHelperCommand is not a test: the tests below run this test binary again with
// CADRESTAT_TEST_HELPER set, so each step opens the data folder in a process of its own
// (chDB serves one folder per process), as the real commands do.
func TestHelperCommand(t *testing.T) {
	step := os.Getenv("CADRESTAT_TEST_HELPER")
	if step == "" {
		t.Skip("helper process only")
	}
	ctx := context.Background()
	data := os.Getenv("CADRESTAT_DATA")
	var args []string
	if a := os.Getenv("CADRESTAT_TEST_ARGS"); a != "" {
		args = strings.Split(a, "\x00")
	}
	var err error
	switch step {
	case "backup":
		err = run(ctx, &BackupMain{}, args)
	case "restore":
		err = run(ctx, &RestoreMain{}, args)
	case "serve-admin":
		// Hold the folder and serve the admin handler, as serve does, until stdin closes.
		var s *embedded.Store
		if s, err = embedded.Open(ctx, data, "cadrestat"); err != nil {
			break
		}
		defer s.Close()
		if _, err = s.Load(ctx, storetest.Fixture()); err != nil {
			break
		}
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		info := adminInfo{Token: "right-token", PID: os.Getpid()}
		srv := httptest.NewServer(admin.HandlerWith(service.New(warehouse.Limit(s, 4), log), admin.Config{Token: info.Token, Log: log, Backups: s}))
		defer srv.Close()
		info.Addr = strings.TrimPrefix(srv.URL, "http://")
		raw, _ := json.Marshal(info)
		if err = os.WriteFile(adminInfoPath(data), raw, 0o600); err != nil {
			break
		}
		var sums []embedded.TableCheck
		if sums, err = s.Checksums(ctx); err != nil {
			break
		}
		json.NewEncoder(os.Stdout).Encode(sums)
		io.Copy(io.Discard, os.Stdin)
	case "load", "checksums":
		var s *embedded.Store
		if s, err = embedded.Open(ctx, data, "cadrestat"); err == nil {
			if step == "load" {
				b := storetest.Fixture()
				b.File = args[0]
				if args[0] != "first" {
					b.Observations[0].Value = new(float64)
				}
				_, err = s.Load(ctx, b)
			}
			var sums []embedded.TableCheck
			if err == nil {
				sums, err = s.Checksums(ctx)
			}
			json.NewEncoder(os.Stdout).Encode(sums)
			s.Close()
		}
	}
	if err != nil {
		os.Stderr.WriteString(oneLine(err) + "\n")
		os.Exit(1)
	}
	os.Exit(0)
}

func helper(t *testing.T, data, step string, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperCommand$")
	cmd.Env = append(os.Environ(), "CADRESTAT_TEST_HELPER="+step, "CADRESTAT_DATA="+data, "CADRESTAT_TEST_ARGS="+strings.Join(args, "\x00"))
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return out.String(), errb.String(), err
}

// TestBackupRestoreWithoutServer: backup, a change, restore, each in its own process with
// no server running; every table's row count and checksum come back.
func TestBackupRestoreWithoutServer(t *testing.T) {
	testenv.Engine(t)
	data, dir := t.TempDir(), filepath.Join(t.TempDir(), "backup")
	before, stderr, err := helper(t, data, "load", "first")
	if err != nil {
		t.Fatalf("load: %v %s", err, stderr)
	}
	if out, stderr, err := helper(t, data, "backup", dir); err != nil || !strings.Contains(out, "data version 1") {
		t.Fatalf("backup: %v %s %s", err, out, stderr)
	}
	if _, stderr, err := helper(t, data, "backup", dir); err == nil || !strings.Contains(stderr, "is not empty") {
		t.Fatalf("backup into the same folder again: %v %s", err, stderr)
	}
	changed, stderr, err := helper(t, data, "load", "second")
	if err != nil || changed == before {
		t.Fatalf("second load: %v %s (checksums unchanged: %v)", err, stderr, changed == before)
	}
	if out, stderr, err := helper(t, data, "restore", dir); err != nil || !strings.Contains(out, "every checksum matching") {
		t.Fatalf("restore: %v %s %s", err, out, stderr)
	}
	after, stderr, err := helper(t, data, "checksums")
	if err != nil {
		t.Fatalf("checksums: %v %s", err, stderr)
	}
	if after != before {
		t.Fatalf("after restore:\n%s\nwant\n%s", after, before)
	}
	if _, stderr, err := helper(t, data, "restore", filepath.Join(t.TempDir(), "missing")); err == nil || !strings.Contains(stderr, "is not a cadrestat backup") {
		t.Fatalf("restore from a missing folder: %v %s", err, stderr)
	}
	if _, stderr, err := helper(t, data, "backup", filepath.Join(data, "b")); err == nil || !strings.Contains(stderr, "is inside the data folder") {
		t.Fatalf("backup into the data folder: %v %s", err, stderr)
	}
	if _, stderr, err := helper(t, data, "backup"); err == nil || !strings.Contains(stderr, "needs one DIR") {
		t.Fatalf("backup without DIR: %v %s", err, stderr)
	}
}

// TestBackupHandsOffToRunningServer: with a server on the folder (a helper process serving
// the admin handler, as serve does), backup is written by the server, restore is refused,
// and the admin routes want the token. This process never opens the engine.
func TestBackupHandsOffToRunningServer(t *testing.T) {
	testenv.Engine(t)
	ctx := context.Background()
	data := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperCommand$")
	cmd.Env = append(os.Environ(), "CADRESTAT_TEST_HELPER=serve-admin", "CADRESTAT_DATA="+data)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Wait() })
	var live []embedded.TableCheck
	if err := json.NewDecoder(stdout).Decode(&live); err != nil {
		t.Fatalf("helper server: %v %s", err, stderr.String())
	}
	raw, _ := os.ReadFile(adminInfoPath(data))
	var info adminInfo
	json.Unmarshal(raw, &info)
	flags := []string{"-data", data}
	dir := filepath.Join(t.TempDir(), "backup")
	if err := run(ctx, &BackupMain{}, append(flags, dir)); err != nil {
		t.Fatal(err)
	}
	m, err := embedded.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.Tables, live) || m.Database != "cadrestat" {
		t.Fatalf("manifest %+v, live tables %+v", m, live)
	}
	if err := run(ctx, &BackupMain{}, append(flags, dir)); err == nil || !strings.Contains(err.Error(), "is not empty") {
		t.Fatalf("backup into a non-empty folder: %v", err)
	}
	if err := run(ctx, &RestoreMain{}, append(flags, dir)); err == nil || !strings.Contains(err.Error(), "refused while cadrestat serves") {
		t.Fatalf("restore while serving: %v", err)
	}
	// A backup folder inside the data folder: refused with its code, nothing made.
	inside := filepath.Join(data, "backups", "b")
	if err := run(ctx, &BackupMain{}, append(flags, inside)); err == nil || !strings.Contains(err.Error(), "is inside the data folder") {
		t.Fatalf("backup inside the data folder: %v", err)
	}
	req, _ := http.NewRequest(http.MethodPost, "http://"+info.Addr+"/admin/backup", strings.NewReader(`{"dir":"`+inside+`"}`))
	req.Header.Set("Authorization", "Bearer "+info.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || resp.Header.Get("X-Cadrestat-Error") != admin.CodeBackupInDataFolder || !strings.Contains(string(msg), "backup failed: backup folder "+inside+" is inside the data folder") {
		t.Fatalf("admin backup inside the data folder: %d %s %s", resp.StatusCode, resp.Header.Get("X-Cadrestat-Error"), msg)
	}
	if _, err := os.Stat(filepath.Join(data, "backups")); !os.IsNotExist(err) {
		t.Fatalf("a refused backup made its folder: %v", err)
	}
	for _, path := range []string{"/admin/backup", "/admin/restore"} {
		for _, token := range []string{"", "Bearer wrong", "right-token"} {
			req, _ := http.NewRequest(http.MethodPost, "http://"+info.Addr+path, strings.NewReader(`{"dir":"`+filepath.Join(t.TempDir(), "x")+`"}`))
			if token != "" {
				req.Header.Set("Authorization", token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("%s with %q: %d, want 401", path, token, resp.StatusCode)
			}
		}
	}
}
