package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cadrestat/cadrestat/data"
	"github.com/cadrestat/cadrestat/internal/testenv"
	"github.com/cadrestat/cadrestat/server"
	"github.com/cadrestat/cadrestat/service"
)

func serverWith(t *testing.T, cfg server.Config) *httptest.Server {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := service.New(testenv.Store(t), log)
	if _, err := svc.LoadBundled(context.Background(), data.Files(), data.Digest()); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(server.New(svc, cfg, log))
	t.Cleanup(ts.Close)
	return ts
}

func TestIntrospectionSwitch(t *testing.T) {
	cfg := server.Defaults()
	cfg.Introspection = false
	res := post(t, serverWith(t, cfg), `{ __schema { types { name } } }`, nil)
	if len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != "INTROSPECTION_DISABLED" {
		t.Fatalf("introspection off: %+v", res.Errors)
	}
	res = post(t, serverWith(t, server.Defaults()), `{ __schema { queryType { name } } }`, nil)
	if len(res.Errors) > 0 {
		t.Fatalf("introspection on by default: %+v", res.Errors)
	}
}

func TestCORSAllowList(t *testing.T) {
	preflight := func(ts *httptest.Server, origin string) string {
		req, _ := http.NewRequest(http.MethodOptions, ts.URL+"/graphql", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.Header.Get("Access-Control-Allow-Origin")
	}
	if got := preflight(serverWith(t, server.Defaults()), "https://dash.example"); got != "" {
		t.Fatalf("default config allows %q; want same-origin only", got)
	}
	cfg := server.Defaults()
	cfg.CORSOrigins = []string{"https://dash.example"}
	ts := serverWith(t, cfg)
	if got := preflight(ts, "https://dash.example"); got != "https://dash.example" {
		t.Fatalf("listed origin: %q", got)
	}
	if got := preflight(ts, "https://evil.example"); got != "" {
		t.Fatalf("unlisted origin allowed: %q", got)
	}
}
