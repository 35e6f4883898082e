package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cadrestat/cadrestat/internal/testenv"
	"github.com/cadrestat/cadrestat/server"
	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/warehouse"
)

// loadedService is a service over a fresh warehouse holding the bundled data, for tests
// that need a server with other limits than the defaults.
func loadedService(t *testing.T) *service.Service {
	t.Helper()
	return bundledService(t, testenv.Store(t), discard)
}

// fragmentBomb is 40 fragments, each spreading the previous one twice: ~1.6 KB of text
// that expands to 2^n selections.
func fragmentBomb(n int) string {
	var b strings.Builder
	b.WriteString("fragment F0 on Query { dataVersion }\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i-1, i-1)
	}
	fmt.Fprintf(&b, "query { ...F%d }", n)
	return b.String()
}

func TestFragmentFanOutIsRefusedAtOnce(t *testing.T) {
	ts, _ := newServer(t)
	// A deep chain of fragments: depth is counted once per fragment as well.
	var deep strings.Builder
	deep.WriteString("fragment D0 on Province { id }\n")
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&deep, "fragment D%d on Province { successors { ...D%d } }\n", i, i-1)
	}
	deep.WriteString("{ provinces { ...D30 } }")
	cases := []struct{ name, query, code, message string }{
		{"ErrFragmentBomb39", fragmentBomb(39), "COMPLEXITY_LIMIT_EXCEEDED", "query expands to more than a billion selections once its fragments are spread; the limit is 5000"},
		{"ErrFragmentBomb13", fragmentBomb(13), "COMPLEXITY_LIMIT_EXCEEDED", "query expands to 24575 selections once its fragments are spread; the limit is 5000"},
		{"ErrFragmentDepth", deep.String(), "DEPTH_LIMIT_EXCEEDED", "query is nested 32 levels deep; the limit is 12"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := post(t, ts, tc.query, nil)
			if len(res.Errors) != 1 || res.Errors[0].Extensions["code"] != tc.code || res.Errors[0].Message != tc.message {
				t.Fatalf("errors = %+v; want %s %q", res.Errors, tc.code, tc.message)
			}
		})
	}
	// A fragment spread a few times is fine and answers.
	if res := post(t, ts, fragmentBomb(6), nil); len(res.Errors) > 0 || len(res.Data["dataVersion"]) == 0 {
		t.Fatalf("a small fan-out must answer: %+v", res)
	}
	alive(t, ts)
}

// GraphiQL's first request is the standard introspection query of graphql-js (testdata is
// printed by the pinned npm package: `getIntrospectionQuery()`); it must answer in full.
func TestGraphiQLIntrospectionQueryAnswers(t *testing.T) {
	ts, _ := newServer(t)
	for _, f := range []string{"testdata/graphiql-introspection.graphql", "testdata/graphql-js-introspection.graphql"} {
		q, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		res := post(t, ts, string(q), nil)
		var schema struct {
			Schema struct {
				QueryType struct{ Name string }
				Types     []struct{ Name string }
			} `json:"__schema"`
		}
		json.Unmarshal(res.Data["__schema"], &schema.Schema)
		if len(res.Errors) > 0 || schema.Schema.QueryType.Name != "Query" || len(schema.Schema.Types) < 20 {
			t.Fatalf("%s: errors %+v, query type %q, %d types", f, res.Errors, schema.Schema.QueryType.Name, len(schema.Schema.Types))
		}
	}
	// Introspection is still bounded.
	deep := "{ __schema { types { fields { type " + strings.Repeat("{ ofType ", 25) + "{ name }" + strings.Repeat(" }", 25) + " } } } }"
	res := post(t, ts, deep, nil)
	if len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != "DEPTH_LIMIT_EXCEEDED" || !strings.Contains(res.Errors[0].Message, "the limit for __schema and __type is 20") {
		t.Fatalf("deep introspection: %+v", res.Errors)
	}
}

// The cache key comes from the parsed document: a comment cannot hide an argument.
func TestCacheKeyIgnoresCommentsButNoArgument(t *testing.T) {
	ts, _ := newAnalyticsServer(t) // with synthetic data
	const synthetic = "{ compare(metric:\"female_provincial_committee_share\", year:2026, map:VN34 #\nincludeSynthetic: true\n) { rows { value observation { status } } } }"
	const commented = "{ compare(metric:\"female_provincial_committee_share\", year:2026, map:VN34 # includeSynthetic: true\n) { rows { value observation { status } } } }"
	first, body := rawPost(t, ts, "application/json", mustJSON(map[string]any{"query": synthetic}), "")
	if first.Header.Get("X-Cache") != "MISS" || !strings.Contains(string(body), "SYNTHETIC") {
		t.Fatalf("with includeSynthetic: X-Cache %q, %.200s", first.Header.Get("X-Cache"), body)
	}
	second, body := rawPost(t, ts, "application/json", mustJSON(map[string]any{"query": commented}), "")
	if second.Header.Get("X-Cache") != "MISS" || strings.Contains(string(body), "SYNTHETIC") {
		t.Fatalf("argument commented out: X-Cache %q, %.300s", second.Header.Get("X-Cache"), body)
	}
	// GET: different ETags.
	a, _ := get(t, ts, synthetic, nil)
	b, _ := get(t, ts, commented, nil)
	if a.Header.Get("ETag") == b.Header.Get("ETag") {
		t.Fatalf("same ETag %q for different queries", a.Header.Get("ETag"))
	}
	// Quotes inside comments and escaped quotes in block strings do not confuse the key.
	q1 := "{ province(id: \"\"\"VN63-92 \\\"\"\" \"\"\") { id } }"
	q2 := "{ province(id: \"\"\"VN63-92 \\\"\"\" \"\"\") { id } } # \""
	q3 := "{ province(id: \"\"\"VN63-92 \\\"\"\" x\"\"\") { id } }"
	rawPost(t, ts, "application/json", mustJSON(map[string]any{"query": q1}), "")
	if r, _ := rawPost(t, ts, "application/json", mustJSON(map[string]any{"query": q2}), ""); r.Header.Get("X-Cache") != "HIT" {
		t.Fatalf("same document with a trailing comment: X-Cache %q", r.Header.Get("X-Cache"))
	}
	if r, _ := rawPost(t, ts, "application/json", mustJSON(map[string]any{"query": q3}), ""); r.Header.Get("X-Cache") != "MISS" {
		t.Fatalf("different block string: X-Cache %q", r.Header.Get("X-Cache"))
	}
	// Variables are coerced: a default written out and left implicit share an entry.
	v1 := `query($m: Map = VN34) { provinces(map: $m) { id } }`
	rawPost(t, ts, "application/json", mustJSON(map[string]any{"query": v1}), "")
	if r, _ := rawPost(t, ts, "application/json", mustJSON(map[string]any{"query": v1, "variables": map[string]any{"m": "VN34"}}), ""); r.Header.Get("X-Cache") != "HIT" {
		t.Fatalf("explicit default: X-Cache %q", r.Header.Get("X-Cache"))
	}
	if r, body := rawPost(t, ts, "application/json", mustJSON(map[string]any{"query": v1, "variables": map[string]any{"m": "VN63"}}), ""); r.Header.Get("X-Cache") != "MISS" || !strings.Contains(string(body), "VN63-92") {
		t.Fatalf("other variable: X-Cache %q %.100s", r.Header.Get("X-Cache"), body)
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func TestListArgumentsHaveLimits(t *testing.T) {
	ts, _ := newServer(t)
	many := func(n int, f func(i int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	ids := many(95000, func(i int) string { return fmt.Sprintf("VN63-%d", i) })
	periods := many(50000, func(i int) string { return fmt.Sprintf("%d", 1000+i) })
	cases := []struct {
		name, query string
		vars        map[string]any
		message     string
	}{
		{"ErrCompareProvinces", `query($p: [ID!]) { compare(metric: "staff_cut", year: 2020, provinces: $p) { year } }`, map[string]any{"p": ids}, "provinces lists more than 64 distinct entries; the limit is 64"},
		{"ErrSeriesProvinces", `query($p: [ID!]!) { series(metric: "staff_cut", provinces: $p, from: 2015, to: 2020) { points { year } } }`, map[string]any{"p": ids}, "provinces lists more than 64 distinct entries; the limit is 64"},
		{"ErrFilterProvinces", `query($p: [ID!]) { observations(filter: {provinces: $p}) { totalCount } }`, map[string]any{"p": ids[:90000]}, "filter.provinces lists more than 100 distinct entries; the limit is 100"},
		{"ErrFilterPeriods", `query($p: [String!]) { observations(filter: {periods: $p}) { totalCount } }`, map[string]any{"p": periods}, "filter.periods lists more than 100 distinct entries; the limit is 100"},
		{"ErrFilterMetrics", `query($p: [ID!]) { observations(filter: {metrics: $p}) { totalCount } }`, map[string]any{"p": ids[:201]}, "filter.metrics lists more than 200 distinct entries; the limit is 200"},
		{"ErrFilterSources", `query($p: [ID!]) { observations(filter: {sources: $p}) { totalCount } }`, map[string]any{"p": ids[:501]}, "filter.sources lists more than 500 distinct entries; the limit is 500"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := mustJSON(map[string]any{"query": tc.query, "variables": tc.vars})
			cfg := server.Defaults()
			if int64(len(body)) > cfg.MaxBodyBytes {
				t.Skipf("a %d-byte body is refused as too large before the list is read (TestMalformedRequests)", len(body))
			}
			res := post(t, ts, tc.query, tc.vars)
			if len(res.Errors) != 1 || res.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || res.Errors[0].Message != tc.message {
				t.Fatalf("errors = %.300v; want BAD_USER_INPUT %q", res.Errors, tc.message)
			}
		})
	}
	// Duplicates are removed: the same unit by ID, twice, and by name is one row.
	res := post(t, ts, `{ compare(metric: "female_provincial_committee_share", year: 2020, provinces: ["VN63-92", "VN63-92", "Cần Thơ"]) { rows { province { id } } } }`, nil)
	var cmp struct {
		Rows []struct{ Province struct{ ID string } }
	}
	json.Unmarshal(res.Data["compare"], &cmp)
	if len(res.Errors) > 0 || len(cmp.Rows) != 1 || cmp.Rows[0].Province.ID != "VN63-92" {
		t.Fatalf("duplicates: %+v %+v", cmp, res.Errors)
	}
	// The CSV export has the same limit.
	resp, err := http.Get(ts.URL + "/export/compare.csv?metric=staff_cut&year=2020&provinces=" + url.QueryEscape(strings.Join(ids[:5000], ",")))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(b), "provinces lists more than 64 distinct entries") || len(b) > 4096 {
		t.Fatalf("CSV with 5,000 provinces: %d %.300s", resp.StatusCode, b)
	}
	alive(t, ts)
}

func TestWarehouseWorkIsBounded(t *testing.T) {
	ts, _ := newServer(t)
	var q strings.Builder
	q.WriteString("{")
	for i := 0; i < 500; i++ {
		fmt.Fprintf(&q, " a%d: observations(first: 1) { totalCount }", i)
	}
	q.WriteString(" }")
	start := time.Now()
	res := post(t, ts, q.String(), nil)
	if len(res.Errors) != 1 || res.Errors[0].Extensions["code"] != "COMPLEXITY_LIMIT_EXCEEDED" || !strings.Contains(res.Errors[0].Message, "operation has complexity 2000500") {
		t.Fatalf("500 totalCounts: %+v", res.Errors)
	}
	t.Logf("refused in %v", time.Since(start))

	// The per-request budget of warehouse queries, with a small budget to reach it; the
	// store is wrapped as the binary wraps it (warehouse.Limit).
	svc := bundledService(t, warehouse.Limit(testenv.Store(t), 8), discard)
	cfg := server.Defaults()
	cfg.MaxWarehouseQueries = 2
	cfg.CacheBytes = 0
	small := httptest.NewServer(wired(svc, cfg, slog.New(slog.NewTextHandler(io.Discard, nil))))
	defer small.Close()
	res = post(t, small, `{ a: observations(first: 1, filter: {metrics: ["staff_cut"]}) { edges { cursor } } b: observations(first: 1, filter: {metrics: ["female_na_share"]}) { edges { cursor } } c: observations(first: 1, filter: {metrics: ["youth_na_share"]}) { edges { cursor } } }`, nil)
	codes := 0
	for _, e := range res.Errors {
		if e.Extensions["code"] == "COMPLEXITY_LIMIT_EXCEEDED" && e.Message == "this request needs more than 2 warehouse queries, the limit per request; split it into several requests" {
			codes++
		}
	}
	if codes != 1 {
		t.Fatalf("third warehouse query of a request with a budget of 2: %+v", res.Errors)
	}
}

func TestRequestHandlingIsCoded(t *testing.T) {
	ts, _ := newServer(t)
	// A lower-case enum in a variable is the client's mistake.
	for _, tc := range []struct {
		query string
		vars  map[string]any
		msg   string
	}{
		{`query($m: Map) { provinces(map: $m) { id } }`, map[string]any{"m": "vn63"}, `variable $m: "vn63" is not a valid Map (one of VN63, VN34)`},
		{`query($f: ObservationFilter) { observations(filter: $f) { totalCount } }`, map[string]any{"f": map[string]any{"statuses": []any{"PUBLISHED", "published"}}}, `variable $f.statuses[1]: "published" is not a valid Status (one of PUBLISHED, DERIVED, PROVISIONAL, SYNTHETIC)`},
	} {
		res := post(t, ts, tc.query, tc.vars)
		if len(res.Errors) != 1 || res.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || res.Errors[0].Message != tc.msg {
			t.Fatalf("bad enum variable: %+v; want %q", res.Errors, tc.msg)
		}
	}
	// Content type is checked before the cache.
	good := mustJSON(map[string]any{"query": "{ dataVersion }"})
	rawPost(t, ts, "application/json", good, "")
	if r, body := rawPost(t, ts, "text/plain", good, ""); r.StatusCode != 415 || r.Header.Get("X-Cache") != "" || !strings.Contains(string(body), `"code":"BAD_REQUEST"`) {
		t.Fatalf("wrong content type after a cached answer: %d X-Cache %q %s", r.StatusCode, r.Header.Get("X-Cache"), body)
	}
	// GET errors are not cacheable; GET answers vary by Accept.
	r, _ := get(t, ts, `{ province(id: "nowhere") { id } compare(metric: "nope", year: 2020) { year } }`, nil)
	if r.Header.Get("Cache-Control") != "no-store" || r.Header.Get("ETag") != "" {
		t.Fatalf("GET with errors: Cache-Control %q ETag %q", r.Header.Get("Cache-Control"), r.Header.Get("ETag"))
	}
	r, body := get(t, ts, `{ nosuchfield }`, nil)
	if !strings.Contains(string(body), "GRAPHQL_VALIDATION_FAILED") || r.Header.Get("Cache-Control") != "no-store" || r.Header.Get("ETag") != "" {
		t.Fatalf("GET validation error: %d Cache-Control %q ETag %q", r.StatusCode, r.Header.Get("Cache-Control"), r.Header.Get("ETag"))
	}
	ok, _ := get(t, ts, `{ metrics { id } }`, nil)
	etag := ok.Header.Get("ETag")
	if !strings.Contains(ok.Header.Get("Vary"), "Accept") || etag == "" || ok.Header.Get("Cache-Control") != "public, max-age=60" {
		t.Fatalf("GET success: Vary %q ETag %q Cache-Control %q", ok.Header.Get("Vary"), etag, ok.Header.Get("Cache-Control"))
	}
	// If-None-Match per RFC 9110: lists, "*" and weak tags match.
	for _, inm := range []string{etag, `"x", ` + etag, "*", "W/" + etag} {
		if r, _ := get(t, ts, `{ metrics { id } }`, map[string]string{"If-None-Match": inm}); r.StatusCode != http.StatusNotModified {
			t.Fatalf("If-None-Match %s: %d", inm, r.StatusCode)
		}
	}
	if r, _ := get(t, ts, `{ metrics { id } }`, map[string]string{"If-None-Match": `"other"`}); r.StatusCode != 200 {
		t.Fatalf("If-None-Match with another tag: %d", r.StatusCode)
	}
	// Other methods: 405 with Allow, coded.
	for _, m := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch} {
		req, _ := http.NewRequest(m, ts.URL+"/graphql", strings.NewReader(`{"query":"{ dataVersion }"}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, POST, OPTIONS" || !strings.Contains(string(b), `"code":"BAD_REQUEST"`) {
			t.Fatalf("%s /graphql: %d Allow %q %s", m, resp.StatusCode, resp.Header.Get("Allow"), b)
		}
	}
	// A chunked body over the limit is 413, like a declared one.
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/graphql", io.MultiReader(strings.NewReader(`{"query":"`), bytes.NewReader(bytes.Repeat([]byte("a"), 2<<20))))
	req.Header.Set("Content-Type", "application/json")
	req.ContentLength = -1
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 413 || !strings.Contains(string(b), `"code":"BAD_REQUEST"`) || len(resp.TransferEncoding) == 0 && resp.ContentLength > 4096 {
		t.Fatalf("chunked oversize body: %d %.200s", resp.StatusCode, b)
	}
}

func TestSlowBodyIsCutOff(t *testing.T) {
	svc := loadedService(t)
	cfg := server.Defaults()
	cfg.BodyTimeout = 300 * time.Millisecond
	ts := httptest.NewServer(wired(svc, cfg, slog.New(slog.NewTextHandler(io.Discard, nil))))
	defer ts.Close()
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"query":"{ dataVersion }"}`
	fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(body))
	// Three bytes, 100 ms apart, then silence: the rest of the body never comes. (Writing
	// on after the server has answered and closed would reset the connection and lose the
	// answer, so the client stops first.)
	for i := 0; i < 3; i++ {
		conn.Write([]byte{body[i]})
		time.Sleep(100 * time.Millisecond)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	reply, _ := io.ReadAll(conn)
	if !bytes.HasPrefix(reply, []byte("HTTP/1.1 408")) || !bytes.Contains(reply, []byte("the request body did not arrive within 300ms")) {
		t.Fatalf("trickled body: %.300s", reply)
	}
}
