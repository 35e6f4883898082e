package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/cadrestat/cadrestat/admin"
	"github.com/cadrestat/cadrestat/internal/testenv"
)

// A load by path that fills the data folder's disk is answered NO_SPACE (507) with a
// message saying so, in both answer forms, and the server goes on serving. The data folder
// is on a 64 MiB tmpfs (mounting one needs root: the test is skipped otherwise); serve
// uses about 3.4 MiB of it, and the engine refuses the ~32 MiB it wants to reserve for
// 317,000 synthetic rows (measured: "Cannot reserve 32.28 MiB, not enough space").
func TestHandOffDiskFull(t *testing.T) {
	testenv.Engine(t)
	mnt := t.TempDir()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=64m"); err != nil {
		t.Skipf("cannot mount a small tmpfs for a full disk (needs root): %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(mnt, syscall.MNT_DETACH) })
	bin := buildBinary(t)
	work := t.TempDir()
	big, src := filepath.Join(work, "big.csv"), filepath.Join(work, "src.csv")
	if out, err := exec.Command(bin, "synth", "-seed", "9", "-replicas", "4", "-out", big, "-sources-out", src).CombinedOutput(); err != nil {
		t.Fatalf("synth: %v %s", err, out)
	}
	data, addr := filepath.Join(mnt, "data"), freePort(t)
	startServe(t, bin, data, addr)
	info, ok := readAdminInfo(engineFlags{dataDir: data})
	if !ok {
		t.Fatal("no admin.json")
	}
	body, _ := json.Marshal(admin.IngestRequest{Files: []admin.IngestFile{{Name: "src.csv", Path: src}, {Name: "big.csv", Path: big}}})
	for _, accept := range []string{"application/json", admin.IngestProgressType} {
		req, _ := http.NewRequest(http.MethodPost, "http://"+info.Addr+"/admin/ingest", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+info.Token)
		req.Header.Set("Accept", accept)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		status, code, msg := resp.StatusCode, resp.Header.Get("X-Cadrestat-Error"), ""
		if accept == admin.IngestProgressType {
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				var ev admin.IngestEvent
				if json.Unmarshal(sc.Bytes(), &ev) == nil && ev.Error != "" {
					status, code, msg = http.StatusInsufficientStorage, ev.Code, ev.Error
				}
			}
		} else {
			raw, _ := io.ReadAll(resp.Body)
			msg = string(raw)
		}
		resp.Body.Close()
		if status != http.StatusInsufficientStorage || code != admin.CodeNoSpace || !strings.Contains(msg, "not enough space left on the data folder's disk; nothing was loaded") {
			t.Fatalf("%s: %d %s %q, want 507 NO_SPACE", accept, status, code, msg)
		}
	}
	if err := publicAnswers(addr); err != nil {
		t.Fatalf("after a full disk: %v", err)
	}
}
