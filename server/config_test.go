package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cadrestat/cadrestat/internal/testenv"
	"github.com/cadrestat/cadrestat/server"
	"github.com/cadrestat/cadrestat/server/explorer"
)

func serverWith(t *testing.T, cfg server.Config) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(wired(bundledService(t, testenv.Store(t), discard), cfg, discard))
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

// With WarmViews, the explorer's standard comparisons are in the response cache before
// anyone asks: once the warm-up reports it is done, the very first request for one is a hit,
// and its bytes and headers are those a server without any cache answers the same request with.
func TestStandardViewsAreWarmed(t *testing.T) {
	cfg := server.Defaults()
	cfg.WarmViews = true
	warmed := make(chan int, 1)
	cfg.AfterWarm = func(n int) { warmed <- n }
	ts := serverWith(t, cfg)
	select {
	case n := <-warmed:
		var metrics []struct{ ID string }
		json.Unmarshal(post(t, ts, `{ metrics { id } }`, nil).Data["metrics"], &metrics)
		if want := len(metrics) * 2 * (server.WarmTo - server.WarmFrom + 1); n != want || len(metrics) < 50 {
			t.Fatalf("%d views warmed; want every metric (%d), map and year: %d", n, len(metrics), want)
		}
	case <-time.After(3 * time.Minute):
		t.Fatal("the warm-up did not finish")
	}
	body, _ := json.Marshal(map[string]any{"query": explorer.CompareQuery,
		"variables": map[string]any{"m": "female_provincial_committee_share", "y": 2015, "map": "VN63", "s": false}})
	hit, hitBody := rawPost(t, ts, "application/json", body, "application/json")
	if got := hit.Header.Get("X-Cache"); got != "HIT" {
		t.Fatalf("first request for a standard view: X-Cache %q, want HIT", got)
	}
	uncached := server.Defaults()
	uncached.CacheBytes = 0
	fresh, freshBody := rawPost(t, serverWith(t, uncached), "application/json", body, "application/json")
	if !bytes.Equal(hitBody, freshBody) || !bytes.Contains(hitBody, []byte(`"rows":[{`)) {
		t.Fatalf("warmed answer differs from a fresh one:\nwarmed %.300s\nfresh  %.300s", hitBody, freshBody)
	}
	if hit.StatusCode != fresh.StatusCode || hit.Header.Get("Content-Type") != fresh.Header.Get("Content-Type") {
		t.Fatalf("warmed answer: %d %q; fresh: %d %q", hit.StatusCode, hit.Header.Get("Content-Type"), fresh.StatusCode, fresh.Header.Get("Content-Type"))
	}
}
