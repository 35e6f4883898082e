package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/internal/testenv"
	"github.com/cadrestat/cadrestat/server"
)

// A 304 carries the same validator and caching headers as the 200 it stands for (RFC 9110
// §15.4.5), so a revalidated entry stays cacheable; it has no body.
func TestNotModifiedKeepsValidators(t *testing.T) {
	ts, _ := newServer(t)
	q := `{ provinces(map: VN34) { id } }`
	first, _ := get(t, ts, q, nil)
	etag, cc := first.Header.Get("ETag"), first.Header.Get("Cache-Control")
	if first.StatusCode != 200 || etag == "" || cc != "public, max-age=60" {
		t.Fatalf("200: status %d ETag %q Cache-Control %q", first.StatusCode, etag, cc)
	}
	for i := range 2 { // a second revalidation still works: the first did not spoil the entry
		r, body := get(t, ts, q, map[string]string{"If-None-Match": etag})
		if r.StatusCode != http.StatusNotModified || r.Header.Get("ETag") != etag || r.Header.Get("Cache-Control") != cc {
			t.Fatalf("revalidation %d: status %d ETag %q Cache-Control %q; want 304 %q %q", i, r.StatusCode, r.Header.Get("ETag"), r.Header.Get("Cache-Control"), etag, cc)
		}
		if len(body) != 0 || r.Header.Get("Vary") != "Accept" {
			t.Fatalf("304 body %q, Vary %q", body, r.Header.Get("Vary"))
		}
	}
	// A GET with errors still gets no validator.
	bad, _ := get(t, ts, `{ compare(metric: "nope", year: 2020) { year } }`, nil)
	if bad.Header.Get("ETag") != "" || bad.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("GET with errors: ETag %q Cache-Control %q", bad.Header.Get("ETag"), bad.Header.Get("Cache-Control"))
	}
}

// A browser dashboard on another origin may send trace context, a request id and Apollo
// Client's headers, and may read the ETag, the request id and the cache status.
func TestCORSHeadersClientsSend(t *testing.T) {
	svc := bundledService(t, testenv.Store(t), discard)
	cfg := server.Defaults()
	cfg.CORSOrigins = []string{"https://dash.example"}
	ts := httptest.NewServer(wired(svc, cfg, discard))
	defer ts.Close()
	for _, h := range []string{"traceparent", "tracestate", "X-Request-Id", "apollographql-client-name",
		"apollographql-client-version", "apollo-require-preflight", "Content-Type"} {
		req, _ := http.NewRequest(http.MethodOptions, ts.URL+"/graphql", nil)
		req.Header.Set("Origin", "https://dash.example")
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", strings.ToLower(h))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 300 || resp.Header.Get("Access-Control-Allow-Origin") != "https://dash.example" ||
			!strings.EqualFold(resp.Header.Get("Access-Control-Allow-Headers"), h) {
			t.Errorf("preflight with %s: %d, allow-origin %q, allow-headers %q", h, resp.StatusCode,
				resp.Header.Get("Access-Control-Allow-Origin"), resp.Header.Get("Access-Control-Allow-Headers"))
		}
	}
	// One preflight asking for several at once, as Apollo Client with tracing does.
	req, _ := http.NewRequest(http.MethodOptions, ts.URL+"/graphql", nil)
	req.Header.Set("Origin", "https://dash.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "apollographql-client-name,content-type,traceparent")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Origin") == "" {
		t.Fatalf("preflight with three headers refused: %d %v", resp.StatusCode, resp.Header)
	}
	// An unknown origin gets no CORS headers.
	req.Header.Set("Origin", "https://evil.example")
	resp, _ = http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatal("an origin not listed was allowed")
	}

	get, _ := http.NewRequest(http.MethodGet, ts.URL+"/graphql?query="+strings.ReplaceAll("{ dataVersion }", " ", "%20"), nil)
	get.Header.Set("Origin", "https://dash.example")
	resp, err = http.DefaultClient.Do(get)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	exposed := strings.ToLower(resp.Header.Get("Access-Control-Expose-Headers"))
	for _, h := range []string{"etag", "x-request-id", "x-cache"} {
		if !strings.Contains(exposed, h) {
			t.Errorf("response header %s not exposed: %q", h, exposed)
		}
	}
	if resp.Header.Get("ETag") == "" || resp.Header.Get("X-Request-Id") == "" || resp.Header.Get("X-Cache") == "" {
		t.Errorf("exposed headers missing from the response: %v", resp.Header)
	}
}

// A JSON array body (Apollo's BatchHttpLink, some proxies) is refused with a coded error that
// says what is wrong, in either media type.
func TestBatchedRequestRefused(t *testing.T) {
	ts, _ := newServer(t)
	for _, accept := range []string{"", "application/graphql-response+json"} {
		resp, body := rawPost(t, ts, "application/json", []byte(` [{"query":"{ dataVersion }"},{"query":"{ dataVersion }"}]`), accept)
		var out struct {
			Data   json.RawMessage
			Errors []struct {
				Message    string
				Extensions map[string]any
			}
		}
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if resp.StatusCode != 400 || len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != "BAD_REQUEST" ||
			!strings.HasPrefix(out.Errors[0].Message, "batching is not supported") || out.Data != nil {
			t.Fatalf("batched request (Accept %q): %d %s", accept, resp.StatusCode, body)
		}
	}
	alive(t, ts)
}
