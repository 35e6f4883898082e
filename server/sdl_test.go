package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/cadrestat/cadrestat/graph"
	"github.com/cadrestat/cadrestat/server"
)

// /schema.graphql is the schema the server answers with, as SDL a code generator reads:
// it parses, has every type and field of the served schema with their descriptions, and
// is cacheable with an ETag that revalidates to 304 carrying the same validators.
func TestSchemaSDL(t *testing.T) {
	ts, _ := newServer(t)
	resp, err := http.Get(ts.URL + "/schema.graphql")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" || etag == "" ||
		resp.Header.Get("Cache-Control") != "public, max-age=3600" {
		t.Fatalf("%d %v", resp.StatusCode, resp.Header)
	}
	got, gerr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: string(body)})
	if gerr != nil {
		t.Fatalf("the SDL does not parse: %v", gerr)
	}
	want := graph.Schema()
	for name, def := range want.Types {
		if def.BuiltIn {
			continue
		}
		g := got.Types[name]
		if g == nil || g.Kind != def.Kind || len(g.Fields) != len(def.Fields) || len(g.EnumValues) != len(def.EnumValues) || g.Description != def.Description {
			t.Errorf("type %s differs in the SDL", name)
			continue
		}
		for _, f := range def.Fields {
			if gf := g.Fields.ForName(f.Name); gf == nil || gf.Type.String() != f.Type.String() || len(gf.Arguments) != len(f.Arguments) || gf.Description != f.Description {
				t.Errorf("%s.%s differs in the SDL", name, f.Name)
			}
		}
	}
	if got.Query == nil || got.Query.Name != want.Query.Name || (want.Subscription != nil) != (got.Subscription != nil) {
		t.Errorf("root types differ")
	}

	req, _ := http.NewRequest("GET", ts.URL+"/schema.graphql", nil)
	req.Header.Set("If-None-Match", `W/"x", `+etag)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 304 || resp.Header.Get("ETag") != etag || resp.Header.Get("Cache-Control") != "public, max-age=3600" {
		t.Fatalf("revalidation: %d %v", resp.StatusCode, resp.Header)
	}
}

// With introspection off the schema is not published as SDL either.
func TestSchemaSDLFollowsIntrospection(t *testing.T) {
	_, svc := newServer(t)
	cfg := server.Defaults()
	cfg.Introspection = false
	ts := httptest.NewServer(wired(svc, cfg, discard))
	defer ts.Close()
	resp, err := http.Get(ts.URL + "/schema.graphql")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("introspection off: %d", resp.StatusCode)
	}
}
