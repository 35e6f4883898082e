package server_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/server"
)

// sseEvents opens a dataChanged stream over server-sent events and returns its events
// (name and data) as they arrive.
func sseEvents(t *testing.T, ctx context.Context, url, query string) (<-chan [2]string, *http.Response) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "POST", url+"/graphql", strings.NewReader(`{"query":`+strconvQuote(query)+`}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan [2]string, 16)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var ev [2]string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				ev[0] = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev[1] = strings.TrimPrefix(line, "data: ")
			case line == "" && ev[0] != "":
				out <- ev
				ev = [2]string{}
			}
		}
	}()
	return out, resp
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }

func next(t *testing.T, events <-chan [2]string) [2]string {
	t.Helper()
	select {
	case ev, ok := <-events:
		if !ok {
			t.Fatal("stream ended")
		}
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10 s")
	}
	return [2]string{}
}

type changeEvent struct {
	Data struct {
		DataChanged struct{ Version, LoadedAt string }
	}
	Errors []struct {
		Message    string
		Extensions map[string]any
	}
}

func decode(t *testing.T, ev [2]string) changeEvent {
	t.Helper()
	var c changeEvent
	if ev[0] != "next" || json.Unmarshal([]byte(ev[1]), &c) != nil {
		t.Fatalf("event %q", ev)
	}
	return c
}

// dataChanged over SSE: the current version at once, a notice after a load that changes
// the data, and the end of the stream (complete) when the server drains.
func TestDataChangedOverSSE(t *testing.T) {
	ts0, svc := newServer(t)
	ts0.Close()
	srv, life := wiredLife(svc, server.Defaults(), discard)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events, resp := sseEvents(t, ctx, ts.URL, `subscription { dataChanged { version loadedAt } }`)
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	first := decode(t, next(t, events))
	if first.Data.DataChanged.Version != strconv.FormatUint(svc.Catalog().Version, 10) {
		t.Fatalf("first event %+v, version %d", first, svc.Catalog().Version)
	}
	if _, err := time.Parse(time.RFC3339, first.Data.DataChanged.LoadedAt); err != nil {
		t.Fatalf("loadedAt %q", first.Data.DataChanged.LoadedAt)
	}
	rep, err := svc.Load(context.Background(), []ingest.File{{Name: "o.csv", Data: []byte("subject,metric,period,value,numerator,denominator,qualifier,status,source,quote,note\n" +
		"VN63-01,voter_turnout,2009,99.1,,,EXACT,PUBLISHED,seed-000,q,\n")}})
	if err != nil || !rep.OK() {
		t.Fatalf("load: %v %+v", err, rep)
	}
	second := decode(t, next(t, events))
	if second.Data.DataChanged.Version == first.Data.DataChanged.Version || second.Data.DataChanged.Version != strconv.FormatUint(svc.Catalog().Version, 10) {
		t.Fatalf("after a load: %+v (before %+v)", second, first)
	}
	life.Drain()
	if ev := next(t, events); ev[0] != "complete" {
		t.Fatalf("on drain: %q", ev)
	}
	// Draining: new subscriptions are refused.
	again, _ := sseEvents(t, ctx, ts.URL, `subscription { dataChanged { version } }`)
	if c := decode(t, next(t, again)); len(c.Errors) == 0 || c.Errors[0].Extensions["code"] != "UNAVAILABLE" {
		t.Fatalf("subscribe while draining: %+v", c)
	}
}

// Streams carry subscriptions only, within the subscriber limit; WebSocket upgrades from
// an origin CORS does not allow are refused.
func TestStreamLimits(t *testing.T) {
	_, svc := newServer(t)
	cfg := server.Defaults()
	cfg.MaxSubscribers = 1
	cfg.CORSOrigins = []string{"https://dash.example"}
	ts := httptest.NewServer(wired(svc, cfg, discard))
	defer ts.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	q, _ := sseEvents(t, ctx, ts.URL, `{ dataVersion }`)
	if c := decode(t, next(t, q)); len(c.Errors) == 0 || c.Errors[0].Extensions["code"] != "BAD_REQUEST" || !strings.Contains(c.Errors[0].Message, "only subscriptions") {
		t.Fatalf("a query over SSE: %+v", c)
	}
	one, _ := sseEvents(t, ctx, ts.URL, `subscription { dataChanged { version } }`)
	decode(t, next(t, one))
	two, _ := sseEvents(t, ctx, ts.URL, `subscription { dataChanged { version } }`)
	if c := decode(t, next(t, two)); len(c.Errors) == 0 || c.Errors[0].Extensions["code"] != "UNAVAILABLE" || !strings.Contains(c.Errors[0].Message, "too many subscribers") {
		t.Fatalf("over the limit: %+v", c)
	}

	// urql lists text/event-stream beside the JSON types on every query: it gets JSON.
	req, _ := http.NewRequest("POST", ts.URL+"/graphql", strings.NewReader(`{"query":"{ dataVersion }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/graphql-response+json") {
		t.Fatalf("a query accepting JSON and event streams: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	wsURL := "ws" + strings.TrimPrefix(ts.URL, "http") + "/graphql"
	dial := func(origin string) error {
		h := http.Header{}
		h.Set("Origin", origin)
		c, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPHeader: h, Subprotocols: []string{"graphql-transport-ws"}})
		if err == nil {
			c.CloseNow()
		}
		return err
	}
	if err := dial("https://evil.example"); err == nil {
		t.Error("a WebSocket from an origin CORS does not allow was accepted")
	}
	if err := dial("https://dash.example"); err != nil {
		t.Errorf("a WebSocket from an allowed origin: %v", err)
	}
}

// With -trusted-documents, a stream runs only a trusted subscription.
func TestStreamsRunTrustedDocumentsOnly(t *testing.T) {
	_, svc := newServer(t)
	const trusted = `subscription Live { dataChanged { version } }`
	sum := sha256.Sum256([]byte(trusted))
	docs, err := server.ParseTrustedDocuments([]byte(`{"` + hex.EncodeToString(sum[:]) + `":` + strconvQuote(trusted) + `}`))
	if err != nil {
		t.Fatal(err)
	}
	cfg := server.Defaults()
	cfg.TrustedDocuments = docs
	ts := httptest.NewServer(wired(svc, cfg, discard))
	defer ts.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ok, _ := sseEvents(t, ctx, ts.URL, trusted)
	if c := decode(t, next(t, ok)); len(c.Errors) > 0 || c.Data.DataChanged.Version == "" {
		t.Fatalf("trusted: %+v", c)
	}
	no, _ := sseEvents(t, ctx, ts.URL, `subscription { dataChanged { version loadedAt } }`)
	if c := decode(t, next(t, no)); len(c.Errors) == 0 || c.Errors[0].Extensions["code"] != "FORBIDDEN" {
		t.Fatalf("untrusted: %+v", c)
	}
}
