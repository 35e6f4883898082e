package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func rawPost(t *testing.T, ts *httptest.Server, contentType string, body []byte, accept string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func alive(t *testing.T, ts *httptest.Server) {
	t.Helper()
	res := post(t, ts, `{ metrics { id } }`, nil)
	if len(res.Errors) > 0 || len(res.Data["metrics"]) < 100 {
		t.Fatalf("server no longer answers normal queries: %+v", res.Errors)
	}
}

func TestMalformedRequests(t *testing.T) {
	ts, _ := newServer(t)
	cases := []struct {
		name, ctype string
		body        []byte
		status      int
		contains    string
	}{
		{"ErrMalformedJSON", "application/json", []byte(`{"query": "{ metrics { id } }"`), 400, `"message":"the request body is not valid JSON","extensions":{"code":"BAD_REQUEST"}`},
		{"ErrWrongContentType", "text/plain", []byte(`{ metrics { id } }`), 415, `unsupported content type \"text/plain\": POST a JSON body with Content-Type: application/json, or use GET","extensions":{"code":"BAD_REQUEST"}`},
		{"ErrNoContentType", "", []byte(`{"query":"{ metrics { id } }"}`), 415, `unsupported content type \"\"`},
		{"ErrBodyTooLarge", "application/json", append([]byte(`{"query":"`), bytes.Repeat([]byte("a"), 10<<20)...), 413, "request body larger than"},
		// A well-formed request's GraphQL errors are 200 in application/json (the default)…
		{"ErrParse", "application/json", []byte(`{"query": "{ metrics { "}`), 200, "GRAPHQL_PARSE_FAILED"},
		{"ErrValidation", "application/json", []byte(`{"query": "{ nosuchfield }"}`), 200, "GRAPHQL_VALIDATION_FAILED"},
		{"ErrEmptyQuery", "application/json", []byte(`{"query": ""}`), 400, `"message":"the request has no query","extensions":{"code":"BAD_REQUEST"}`},
		{"ErrVariablesNotObject", "application/json", []byte(`{"query": "{ dataVersion }", "variables": "[]"}`), 400, `"message":"variables must be a JSON object"`},
		{"ErrExtensionsNotObject", "application/json", []byte(`{"query": "{ dataVersion }", "extensions": 7}`), 400, `"message":"extensions must be a JSON object"`},
		// …and 4xx without a data entry in application/graphql-response+json.
		{"ErrParseGraphQLResponse", "application/json", []byte(`{"query": "{ metrics { "}`), 400, `{"errors":[{"message":`},
		{"ErrValidationGraphQLResponse", "application/json", []byte(`{"query": "{ nosuchfield }"}`), 400, "GRAPHQL_VALIDATION_FAILED"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			accept := ""
			if strings.HasSuffix(tc.name, "GraphQLResponse") {
				accept = "application/graphql-response+json"
			}
			resp, body := rawPost(t, ts, tc.ctype, tc.body, accept)
			if accept != "" && strings.Contains(string(body), `"data"`) {
				t.Fatalf("a request error in %s must have no data entry: %s", accept, body)
			}
			if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.contains) {
				t.Fatalf("status %d, body %.300s; want %d containing %q", resp.StatusCode, body, tc.status, tc.contains)
			}
			if len(body) > 4096 {
				t.Fatalf("error response of %d bytes echoes the request back", len(body))
			}
		})
	}
	alive(t, ts)
}

func TestResponseMediaTypes(t *testing.T) {
	ts, _ := newServer(t)
	body := []byte(`{"query":"{ dataVersion }"}`)
	if resp, _ := rawPost(t, ts, "application/json", body, ""); !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("default content type %q", resp.Header.Get("Content-Type"))
	}
	if resp, _ := rawPost(t, ts, "application/json", body, "application/graphql-response+json"); !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/graphql-response+json") {
		t.Fatalf("negotiated content type %q", resp.Header.Get("Content-Type"))
	}
}

func get(t *testing.T, ts *httptest.Server, query string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/graphql?query="+url.QueryEscape(query), nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestGETQueriesAndNoMutations(t *testing.T) {
	ts, _ := newServer(t)
	resp, body := get(t, ts, `{ provinces(map: VN34) { id } }`, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "VN34-92") {
		t.Fatalf("GET query: %d %.200s", resp.StatusCode, body)
	}
	resp, body = get(t, ts, `mutation { dataVersion }`, nil)
	if resp.StatusCode == 200 && !strings.Contains(string(body), "errors") {
		t.Fatalf("a mutation over GET must be refused: %d %s", resp.StatusCode, body)
	}
}

func TestResponseCacheAndETag(t *testing.T) {
	ts, svc := newServer(t)
	q := `{ provinces(map: VN34) { id name } }`
	first, _ := get(t, ts, q, nil)
	etag := first.Header.Get("ETag")
	if first.Header.Get("X-Cache") != "MISS" || etag == "" || first.Header.Get("Cache-Control") == "" {
		t.Fatalf("first GET: X-Cache %q ETag %q", first.Header.Get("X-Cache"), etag)
	}
	second, _ := get(t, ts, "{\n  provinces(map: VN34) {\n    id\n    name\n  }\n}", nil)
	if second.Header.Get("X-Cache") != "HIT" {
		t.Fatalf("same query, other formatting: X-Cache %q", second.Header.Get("X-Cache"))
	}
	if r, _ := get(t, ts, q, map[string]string{"If-None-Match": etag}); r.StatusCode != http.StatusNotModified {
		t.Fatalf("revalidation with the ETag: %d", r.StatusCode)
	}
	res := post(t, ts, `query($n: ID!) { province(id: $n) { id } }`, map[string]any{"n": "Hà  Nội"})
	other := post(t, ts, `query($n: ID!) { province(id: $n) { id } }`, map[string]any{"n": "Cần Thơ"})
	if string(res.Data["province"]) == string(other.Data["province"]) {
		t.Fatalf("different variables must not share a cache entry: %s", res.Data["province"])
	}
	// A load bumps the data version: the old entry is not served.
	rep, err := svc.Load(t.Context(), ingestFiles{{"s.csv", []byte("id,title,issuer,doc_number,date,language,location,kind,licence\nx-doc,T,I,,2024,vi,x,user,\n")}}.files())
	if err != nil || !rep.OK() {
		t.Fatalf("load: %v %+v", err, rep)
	}
	after, _ := get(t, ts, q, map[string]string{"If-None-Match": etag})
	if after.StatusCode != 200 || after.Header.Get("X-Cache") != "MISS" || after.Header.Get("ETag") == etag {
		t.Fatalf("after a load: %d, X-Cache %q, ETag %q (was %q)", after.StatusCode, after.Header.Get("X-Cache"), after.Header.Get("ETag"), etag)
	}
}

func TestHostileQueries(t *testing.T) {
	ts, _ := newServer(t)
	deep := strings.Repeat("{ provinces { predecessors ", 1) + strings.Repeat("{ successors { predecessors ", 50) + "{ id }" + strings.Repeat("} }", 50) + " } }"
	var aliases strings.Builder
	aliases.WriteString("{")
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&aliases, " a%d: dataVersion", i)
	}
	aliases.WriteString(" }")
	cases := []struct{ name, query, code string }{
		{"ErrNested100", deep, "DEPTH_LIMIT_EXCEEDED"},
		{"ErrAliases10000", aliases.String(), "GRAPHQL_PARSE_FAILED"},
		{"ErrHugeList", `{ observations(first: 500) { edges { node { id alternatives { id alternatives { id alternatives { id } } } } } } }`, "COMPLEXITY_LIMIT_EXCEEDED"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := post(t, ts, tc.query, nil)
			if len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != tc.code {
				t.Fatalf("errors = %.300v; want %s", res.Errors, tc.code)
			}
		})
	}
	alive(t, ts)
}

// Every ID and filter argument with injection strings, odd unicode and out-of-range
// numbers: each gets a clear, coded error or an empty answer, never an internal one.
func TestInjectionInEveryArgument(t *testing.T) {
	ts, _ := newServer(t)
	evil := []string{`x' OR '1'='1`, `'); DROP TABLE observations; --`, `\'`, "{x:String}", "\u0000", "VN63-92\n", strings.Repeat("é", 5000), "🙂", "VN63-92' UNION SELECT 1 --"}
	queries := []string{
		`query($v: ID!) { province(id: $v) { id } }`,
		`query($v: ID!) { metric(id: $v) { id } }`,
		`query($v: ID!) { source(id: $v) { id } }`,
		`query($v: ID!) { targets(metric: $v) { id } }`,
		`query($v: String) { provinces(region: $v) { id } }`,
		`query($v: ID) { provinces(group: $v) { id } }`,
		`query($v: ID!) { compare(metric: $v, year: 2020) { year } }`,
		`query($v: ID!) { compare(metric: "staff_cut", year: 2020, provinces: [$v]) { year } }`,
		`query($v: ID!) { compare(metric: "staff_cut", year: 2020, group: $v) { year } }`,
		`query($v: ID!) { series(metric: "staff_cut", provinces: [$v], from: 2010, to: 2020) { points { year } } }`,
		`query($v: ID!) { trend(metric: "staff_cut", province: $v, from: 2010, to: 2020) { why } }`,
		`query($v: ID!) { observations(filter: {metrics: [$v]}) { totalCount } }`,
		`query($v: ID!) { observations(filter: {provinces: [$v]}) { totalCount } }`,
		`query($v: ID!) { observations(filter: {sources: [$v]}) { totalCount } }`,
		`query($v: ID) { observations(filter: {group: $v}) { totalCount } }`,
		`query($v: String!) { observations(filter: {periods: [$v]}) { totalCount } }`,
		`query($v: String) { observations(after: $v) { totalCount } }`,
	}
	for _, q := range queries {
		for _, v := range evil {
			res := post(t, ts, q, map[string]any{"v": v})
			for _, e := range res.Errors {
				code := e.Extensions["code"]
				if code == "INTERNAL" || code == nil || strings.Contains(e.Message, "DB::") || strings.Contains(e.Message, "Exception") || strings.Contains(e.Message, "cadrestat.loads") {
					t.Fatalf("%s with %q: %+v", q, v, e)
				}
			}
		}
	}
	alive(t, ts)
}

func TestNamesInAnyForm(t *testing.T) {
	ts, _ := newServer(t)
	// Precomposed, decomposed (combining marks), upper case, no diacritics, extra spaces.
	for _, name := range []string{"Cần Thơ", "Cần Thơ", "CẦN THƠ", "can tho", "  Cần   Thơ "} {
		res := post(t, ts, `query($n: ID!) { province(id: $n, map: VN63) { id } }`, map[string]any{"n": name})
		if !strings.Contains(string(res.Data["province"]), "VN63-92") {
			t.Fatalf("%q resolved to %s", name, res.Data["province"])
		}
	}
}

// A burst of hostile requests from 8 concurrent clients leaves memory bounded and the
// server answering.
func TestHostileBurstLeavesServerHealthy(t *testing.T) {
	ts, _ := newServer(t)
	payloads := [][]byte{
		[]byte(`{"query": "{ metrics { "}`),
		[]byte(`{"query": "` + strings.Repeat("{ a ", 3000) + `"}`),
		append([]byte(`{"query":"`), bytes.Repeat([]byte("x"), 2<<20)...),
		[]byte(`{"query": "{ observations(first: 100000) { totalCount } }"}`),
		[]byte(`not json at all`),
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 40; i++ {
				resp, err := http.Post(ts.URL+"/graphql", "application/json", bytes.NewReader(payloads[i%len(payloads)]))
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		}()
	}
	wg.Wait()
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 64<<20 {
		t.Fatalf("heap grew by %d MB after 320 hostile requests", grown>>20)
	}
	alive(t, ts)
	var out struct{ Data json.RawMessage }
	resp, body := rawPost(t, ts, "application/json", []byte(`{"query":"{ dataVersion }"}`), "")
	if json.Unmarshal(body, &out) != nil || resp.StatusCode != 200 {
		t.Fatalf("after burst: %d %s", resp.StatusCode, body)
	}
}
