package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cadrestat/cadrestat/internal/testenv"
)

// adminConnsFDLimit is the descriptor limit serve runs under in TestAdminIdleConnections:
// an idle serve uses about 65 (measured: ls /proc/PID/fd | wc -l), so 300 admin connections
// would take every one left without the admin listener's cap.
const (
	adminConnsFDLimit = 256
	adminConnsOpened  = 300
)

// Idle connections to the loopback admin listener, many more than its cap, cannot take the
// public API down: serve runs with 256 descriptors, 300 connections each send one GET
// /metrics and stay open, and /readyz and a GraphQL query still answer. The admin listener
// answers every one of them in turn (over the cap they wait to be accepted) and closes each
// after its idle timeout. With -admin-max-conns 0 (no cap, as before) the public API fails.
func TestAdminIdleConnections(t *testing.T) {
	testenv.Engine(t)
	bin := buildBinary(t)
	for _, tc := range []struct {
		name    string
		flags   []string
		healthy bool
	}{
		{"default cap", []string{"-admin-idle-timeout", "1s"}, true},
		// As before the cap and the idle timeout: nothing frees a descriptor.
		{"no cap", []string{"-admin-max-conns", "0", "-admin-idle-timeout", "10m"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, addr := t.TempDir(), freePort(t)
			pid := startServeLimited(t, bin, dir, addr, adminConnsFDLimit, tc.flags...)
			info, ok := readAdminInfo(engineFlags{dataDir: dir})
			if !ok {
				t.Fatal("no admin.json")
			}
			conns := make([]net.Conn, 0, adminConnsOpened)
			for range adminConnsOpened {
				c, err := net.Dial("tcp", info.Addr)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				fmt.Fprintf(c, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
				conns = append(conns, c)
			}
			time.Sleep(500 * time.Millisecond) // the server accepts what it will
			fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
			t.Logf("serve holds %d descriptors with %d admin connections open", len(fds), adminConnsOpened)
			err := publicAnswers(addr)
			if tc.healthy != (err == nil) {
				t.Fatalf("public API with %d idle admin connections: %v", adminConnsOpened, err)
			}
			if !tc.healthy {
				return
			}
			// Every admin connection is answered, then closed by the server once idle.
			start := time.Now()
			var wg sync.WaitGroup
			var mu sync.Mutex
			var failures []string
			for i, c := range conns {
				wg.Go(func() {
					c.SetReadDeadline(time.Now().Add(60 * time.Second))
					br := bufio.NewReader(c)
					resp, err := http.ReadResponse(br, nil)
					if err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						_, err = br.ReadByte() // the server's close
					}
					if err != io.EOF {
						mu.Lock()
						failures = append(failures, fmt.Sprintf("connection %d: %v", i, err))
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if len(failures) > 0 {
				t.Fatalf("%d of %d admin connections were not answered and closed: %s", len(failures), len(conns), failures[0])
			}
			t.Logf("%d admin connections answered and closed in %v", len(conns), time.Since(start).Round(time.Millisecond))
		})
	}
}

// publicAnswers returns nil when the public listener answers /readyz with 200 and a
// GraphQL query with data and no errors.
func publicAnswers(addr string) error {
	c := &http.Client{Timeout: 10 * time.Second}
	r, err := c.Get("http://" + addr + "/readyz")
	if err != nil {
		return err
	}
	r.Body.Close()
	if r.StatusCode != 200 {
		return fmt.Errorf("/readyz: %d", r.StatusCode)
	}
	r, err = c.Post("http://"+addr+"/graphql", "application/json", strings.NewReader(`{"query":"{ metrics { id } }"}`))
	if err != nil {
		return err
	}
	defer r.Body.Close()
	var got struct {
		Data   struct{ Metrics []struct{ ID string } }
		Errors []json.RawMessage
	}
	if err := json.NewDecoder(r.Body).Decode(&got); err != nil || len(got.Errors) > 0 || len(got.Data.Metrics) == 0 {
		return fmt.Errorf("graphql: %d %v %s", r.StatusCode, err, got.Errors)
	}
	return nil
}

// startServeLimited is startServe under a descriptor limit of nofile (the shell's ulimit).
func startServeLimited(t *testing.T, bin, dir, addr string, nofile int, flags ...string) int {
	t.Helper()
	args := append([]string{"-c", fmt.Sprintf(`ulimit -n %d && exec "$0" "$@"`, nofile), bin, "serve", "-data", dir, "-addr", addr}, flags...)
	srv := exec.Command("/bin/sh", args...)
	var srvLog bytes.Buffer
	srv.Stderr = &srvLog
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Signal(os.Interrupt); srv.Wait() })
	waitReady(t, addr, srvLog.String)
	return srv.Process.Pid // the shell exec'd serve
}
