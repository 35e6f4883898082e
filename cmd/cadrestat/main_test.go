package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cadrestat/cadrestat/internal/testenv"
)

// buildBinary compiles cadrestat once for the binary-level tests, with the build tags
// given (faultinject: fault_on.go).
func buildBinary(t *testing.T, tags ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "cadrestat")
	out, err := exec.Command("go", "build", "-tags", strings.Join(tags, ","), "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

func TestMissingEngineLibrary(t *testing.T) {
	bin := buildBinary(t)
	for _, cmd := range []string{"serve", "ingest", "migrate"} {
		t.Run(cmd, func(t *testing.T) {
			args := []string{cmd, "-data", t.TempDir()}
			if cmd == "ingest" {
				args = append(args, "../../data/sources.csv")
			}
			c := exec.Command(bin, args...)
			c.Env = append(os.Environ(), "CHDB_LIB_PATH=/nonexistent/libchdb.so")
			var stderr bytes.Buffer
			c.Stderr = &stderr
			err := c.Run()
			msg := strings.TrimSpace(stderr.String())
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
				t.Fatalf("exit = %v, want status 1", err)
			}
			want := "cadrestat: embedded ClickHouse library not found (looked at /nonexistent/libchdb.so); run `make engine` or set CHDB_LIB_PATH"
			if msg != want {
				t.Fatalf("stderr = %q\nwant one line %q", msg, want)
			}
		})
	}
}

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// waitReady waits up to a minute for the server at addr to answer /readyz with 200; on
// failure it shows the server's log, when there is one.
func waitReady(t *testing.T, addr string, log func() string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if r, err := http.Get("http://" + addr + "/readyz"); err == nil && r.StatusCode == 200 {
			r.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			msg := "server not ready"
			if log != nil {
				msg += ":\n" + log()
			}
			t.Fatal(msg)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// startServe starts bin's serve on the data folder dir at addr (with extra flags), waits
// until it is ready and stops it when the test ends.
func startServe(t *testing.T, bin, dir, addr string, flags ...string) *exec.Cmd {
	t.Helper()
	srv := exec.Command(bin, append([]string{"serve", "-data", dir, "-addr", addr}, flags...)...)
	var srvLog bytes.Buffer
	srv.Stderr = &srvLog
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Signal(os.Interrupt); srv.Wait() })
	waitReady(t, addr, srvLog.String)
	return srv
}

// TestIngestHandsOffToRunningServer: while serve holds the data folder (a second process
// could not open it), ingest hands the file to the server and prints the same report.
func TestIngestHandsOffToRunningServer(t *testing.T) {
	testenv.Engine(t)
	bin := buildBinary(t)
	dir := t.TempDir()
	addr := freePort(t)
	startServe(t, bin, dir, addr)
	file := filepath.Join(t.TempDir(), "src.csv")
	os.WriteFile(file, []byte("id,title,issuer,doc_number,date,language,location,kind,licence\nuser-doc,A user's document,Someone,,2024-05-01,vi,doc.pdf,user,\n"), 0o644)
	run := func(args ...string) (string, string, error) {
		c := exec.Command(bin, append([]string{"ingest", "-data", dir}, args...)...)
		var o, e bytes.Buffer
		c.Stdout, c.Stderr = &o, &e
		err := c.Run()
		return o.String(), e.String(), err
	}
	out, errOut, err := run(file)
	if err != nil || !strings.Contains(errOut, "handed to the running server") || !strings.HasPrefix(out, "loaded 1 rows from 1 file(s): 1 new or changed") {
		t.Fatalf("ingest: %v\nstdout %s\nstderr %s", err, out, errOut)
	}
	body := `{"query":"{ source(id: \"user-doc\") { title } }"}`
	resp, err := http.Post("http://"+addr+"/graphql", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Data struct{ Source *struct{ Title string } }
	}
	json.NewDecoder(resp.Body).Decode(&got)
	if got.Data.Source == nil || got.Data.Source.Title != "A user's document" {
		t.Fatalf("the server does not see the handed-off load: %+v", got)
	}
	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, []byte("subject,metric,period,value,numerator,denominator,qualifier,status,source,quote,note\nVN63-99,x,2020,1,,,,PUBLISHED,user-doc,q,\n"), 0o644)
	_, errOut, err = run(bad)
	want := fmt.Sprintf("nothing loaded: 1 problem(s)\n  %s:2: subject: unknown province \"VN63-99\"", bad)
	if err == nil || !strings.Contains(errOut, want) {
		t.Fatalf("bad file: %v\n%s\nwant %q", err, errOut, want)
	}
}
