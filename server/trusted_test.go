package server_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/server"
	"github.com/cadrestat/cadrestat/server/explorer"
)

func sum(doc string) string { s := sha256.Sum256([]byte(doc)); return hex.EncodeToString(s[:]) }

func TestTrustedDocumentsMode(t *testing.T) {
	const known = `query Metrics { metrics { id } }`
	manifest := fmt.Sprintf(`{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":%q,"name":"Metrics","type":"query","body":%q}]}`, sum(known), known)
	td, err := server.ParseTrustedDocuments([]byte(manifest))
	if err != nil {
		t.Fatal(err)
	}
	cfg := server.Defaults()
	cfg.TrustedDocuments = td
	ts := httptest.NewServer(wired(loadedService(t), cfg, slog.New(slog.NewTextHandler(io.Discard, nil))))
	defer ts.Close()

	send := func(body string) (int, string) {
		t.Helper()
		resp, err := http.Post(ts.URL+"/graphql", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	cases := []struct {
		name, body string
		status     int
		want       string
	}{
		{"KnownByDocumentID", fmt.Sprintf(`{"documentId":"sha256:%s"}`, sum(known)), 200, `"metrics":[{"id":`},
		{"KnownByAPQHash", fmt.Sprintf(`{"extensions":{"persistedQuery":{"version":1,"sha256Hash":%q}}}`, sum(known)), 200, `"metrics":[{"id":`},
		{"KnownByText", mustJSONString(map[string]any{"query": known}), 200, `"metrics":[{"id":`},
		{"ErrUnknownText", `{"query":"{ dataVersion }"}`, 403, `"code":"FORBIDDEN"`},
		{"ErrUnknownID", fmt.Sprintf(`{"documentId":%q}`, sum("{ dataVersion }")), 404, `"code":"PERSISTED_QUERY_NOT_FOUND"`},
		{"ErrIDDoesNotMatchText", fmt.Sprintf(`{"documentId":%q,"query":%q}`, sum("x"), known), 400, `the document id does not match the query text`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := send(tc.body)
			if status != tc.status || !strings.Contains(body, tc.want) {
				t.Fatalf("%d %.300s; want %d containing %s", status, body, tc.status, tc.want)
			}
		})
	}
	// The explorer's own queries are trusted: the page imports exactly these files.
	for _, q := range explorer.Queries() {
		if status, body := send(mustJSONString(map[string]any{"query": q, "variables": map[string]any{"m": "voter_turnout", "y": 2021, "p": []string{"VN"}}})); status == 403 || strings.Contains(body, "FORBIDDEN") {
			t.Fatalf("explorer query refused in trusted mode: %d %.200s", status, body)
		}
	}
	// GET by documentId.
	resp, err := http.Get(ts.URL + "/graphql?documentId=" + url.QueryEscape(sum(known)))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"metrics":[{"id":`) {
		t.Fatalf("GET by documentId: %d %.200s", resp.StatusCode, b)
	}
}

func mustJSONString(v any) string { return string(mustJSON(v)) }

func TestTrustedDocumentsManifestIsChecked(t *testing.T) {
	for _, tc := range []struct{ manifest, want string }{
		{`{"` + sum("{ a }") + `": "{ b }"}`, "does not match its document"},
		{`{"abc": "{ b }"}`, `id "abc" is not a SHA-256 hash`},
		{`{}`, "lists no document"},
		{`[1,2]`, "not a manifest"},
		{`{"format":"other","version":1,"operations":[]}`, `unknown manifest format "other"`},
	} {
		if _, err := server.ParseTrustedDocuments([]byte(tc.manifest)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want %q", tc.manifest, err, tc.want)
		}
	}
	// GraphQL Code Generator's map format, with the sha256: prefix.
	td, err := server.ParseTrustedDocuments([]byte(`{"sha256:` + sum("{ dataVersion }") + `": "{ dataVersion }"}`))
	if err != nil || td.Len() != 1 {
		t.Fatalf("codegen manifest: %v", err)
	}
}
