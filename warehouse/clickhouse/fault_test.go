package clickhouse_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cadrestat/cadrestat/data"
	"github.com/cadrestat/cadrestat/lifecycle"
	"github.com/cadrestat/cadrestat/server"
	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/cadrestat/cadrestat/warehouse/clickhouse"
)

// privateServer runs the test script for a ClickHouse server of this test's own, on a
// fixed port, so the test can stop and restart it.
type privateServer struct {
	t    *testing.T
	dir  string
	port int
}

func (p *privateServer) start() {
	p.t.Helper()
	cmd := exec.Command("../../scripts/clickhouse-test-server.sh", p.dir)
	cmd.Env = append(os.Environ(), "CADRESTAT_CH_PORT="+strconv.Itoa(p.port))
	if out, err := cmd.CombinedOutput(); err != nil {
		p.t.Fatalf("starting ClickHouse: %v\n%s", err, out)
	}
}

func (p *privateServer) stop() {
	pid, _ := os.ReadFile(p.dir + "/pid")
	n, _ := strconv.Atoi(strings.TrimSpace(string(pid)))
	if proc, err := os.FindProcess(n); err == nil && n > 0 {
		proc.Kill()
		proc.Wait()
	}
	for i := 0; i < 50; i++ { // until the port is free
		if c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(p.port)); err != nil {
			return
		} else {
			c.Close()
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestServerDownAtStartKilledAndBack: cadrestat starts before its server (not ready, clear
// UNAVAILABLE errors), catches up when it comes, reports a server killed mid-query as
// UNAVAILABLE, and recovers once it is back.
func TestServerDownAtStartKilledAndBack(t *testing.T) {
	addr(t) // skips, with the reason, when no server can be had
	if _, err := exec.LookPath("clickhouse-server"); err != nil {
		t.Skip("clickhouse-server is not installed (make test installs it)")
	}
	ctx := context.Background()
	ps := &privateServer{t: t, dir: t.TempDir(), port: freePort(t)}
	t.Cleanup(ps.stop)
	cfg := clickhouse.Config{Addrs: []string{"127.0.0.1:" + strconv.Itoa(ps.port)}, User: "default", Database: "cadrestat", DialTimeout: time.Second, MaxOpenConns: 4, MaxIdleConns: 2}

	reader, err := clickhouse.Connect(ctx, cfg)
	if err != nil {
		t.Fatalf("connect must not need the server: %v", err)
	}
	defer reader.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := service.New(reader, log)
	scfg := server.Defaults()
	scfg.Lifecycle = lifecycle.New(svc, log) // not started: the test refreshes the service itself
	srv := server.New(svc, scfg, log)
	svc.OnChange(srv.PurgeCache)
	ts := httptest.NewServer(srv)
	defer ts.Close()

	ready := func() int {
		r, err := http.Get(ts.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		return r.StatusCode
	}
	query := func() (string, string) {
		r, err := http.Post(ts.URL+"/graphql", "application/json", strings.NewReader(`{"query":"{ provinces(map: VN34) { id } }"}`))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		var out struct {
			Data   map[string][]struct{ ID string }
			Errors []struct {
				Message    string
				Extensions map[string]string
			}
		}
		json.NewDecoder(r.Body).Decode(&out)
		if len(out.Errors) > 0 {
			return out.Errors[0].Extensions["code"], out.Errors[0].Message
		}
		return "OK", strconv.Itoa(len(out.Data["provinces"]))
	}

	// 1. Server down at start.
	if err := svc.Refresh(ctx); warehouse.KindOf(err) != warehouse.ErrUnavailable {
		t.Fatalf("refresh with the server down: %v", err)
	}
	if code := ready(); code != 503 {
		t.Fatalf("/readyz = %d with the server down", code)
	}
	if code, msg := query(); code != "UNAVAILABLE" || msg != "the warehouse is not reachable yet; try again shortly" {
		t.Fatalf("query with the server down: %s %q", code, msg)
	}

	// 2. The server comes up and a writer loads the data: cadrestat catches up.
	ps.start()
	writer, err := clickhouse.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	if rep, err := service.New(writer, log).LoadBundled(ctx, data.Files(), data.Digest()); err != nil || !rep.OK() {
		t.Fatalf("loading the bundle: %v %+v", err, rep)
	}
	if err := svc.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if code := ready(); code != 200 {
		t.Fatalf("/readyz = %d with the server up", code)
	}
	if code, n := query(); code != "OK" || n != "34" {
		t.Fatalf("query with the server up: %s %s", code, n)
	}

	// 3. Killed mid-query.
	errc := make(chan error, 1)
	go func() { errc <- reader.Exec(ctx, "SELECT sleep(3)") }()
	time.Sleep(500 * time.Millisecond)
	ps.stop()
	if err := <-errc; warehouse.KindOf(err) != warehouse.ErrUnavailable {
		t.Fatalf("query when the server died: kind %v (%v)", warehouse.KindOf(err), err)
	}
	if _, err := reader.DataVersion(ctx); warehouse.KindOf(err) != warehouse.ErrUnavailable {
		t.Fatalf("query while the server is down: %v", err)
	}

	// 4. Back again: the same pool recovers.
	ps.start()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := reader.DataVersion(ctx); err == nil {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("no recovery after restart: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if code, n := query(); code != "OK" || n != "34" {
		t.Fatalf("query after restart: %s %s", code, n)
	}
}
