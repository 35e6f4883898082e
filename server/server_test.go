package server_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/data"
	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/internal/testenv"
	"github.com/cadrestat/cadrestat/server"
	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/warehouse"
)

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

// bundledService is a service over store (a fresh warehouse) holding the bundled data.
func bundledService(t testing.TB, store warehouse.Store, log *slog.Logger) *service.Service {
	t.Helper()
	svc := service.New(store, log)
	if rep, err := svc.LoadBundled(t.Context(), data.Files(), data.Digest()); err != nil || rep == nil || !rep.OK() {
		t.Fatalf("bundled data: %v %+v", err, rep)
	}
	return svc
}

// newServer loads the bundled data into a fresh database and returns the public handler.
func newServer(t *testing.T) (*httptest.Server, *service.Service) {
	t.Helper()
	svc := bundledService(t, testenv.Store(t), discard)
	ts := httptest.NewServer(wired(svc, server.Defaults(), discard))
	t.Cleanup(ts.Close)
	return ts, svc
}

type gqlResponse struct {
	Data   map[string]json.RawMessage
	Errors []struct {
		Message    string
		Extensions map[string]any
	}
}

func post(t *testing.T, ts *httptest.Server, query string, vars map[string]any) gqlResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	resp, err := http.Post(ts.URL+"/graphql", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out gqlResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestProvincesVN34HavePredecessorsCoveringVN63(t *testing.T) {
	ts, _ := newServer(t)
	res := post(t, ts, `{ provinces(map: VN34) { id name predecessors { id name } } vn63: provinces(map: VN63) { id } }`, nil)
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	var vn34 []struct {
		ID           string
		Predecessors []struct{ ID string }
	}
	var vn63 []struct{ ID string }
	json.Unmarshal(res.Data["provinces"], &vn34)
	json.Unmarshal(res.Data["vn63"], &vn63)
	if len(vn34) != 34 || len(vn63) != 63 {
		t.Fatalf("%d VN34 units, %d VN63 units", len(vn34), len(vn63))
	}
	seen := map[string]bool{}
	for _, p := range vn34 {
		if !strings.HasPrefix(p.ID, "VN34-") || len(p.Predecessors) == 0 {
			t.Fatalf("bad unit %+v", p)
		}
		for _, pre := range p.Predecessors {
			if seen[pre.ID] {
				t.Fatalf("%s is a predecessor twice", pre.ID)
			}
			seen[pre.ID] = true
		}
	}
	for _, p := range vn63 {
		if !seen[p.ID] {
			t.Fatalf("%s went into no VN34 unit", p.ID)
		}
	}
}

func TestProvinceByNameIgnoresDiacriticsAndCase(t *testing.T) {
	ts, _ := newServer(t)
	for _, name := range []string{"Can Tho", "Cần Thơ", "CẦN THƠ", "VN63-92", "92"} {
		t.Run(name, func(t *testing.T) {
			res := post(t, ts, `query($n: ID!) { province(id: $n, map: VN63) { id name successors { id } } }`, map[string]any{"n": name})
			var p struct {
				ID         string
				Successors []struct{ ID string }
			}
			json.Unmarshal(res.Data["province"], &p)
			if p.ID != "VN63-92" || len(p.Successors) != 1 || p.Successors[0].ID != "VN34-92" {
				t.Fatalf("province(%q) = %+v %v", name, p, res.Errors)
			}
		})
	}
}

func TestGroupsAndRegions(t *testing.T) {
	ts, _ := newServer(t)
	res := post(t, ts, `{ provinces(group: "cluster5") { id } groups(map: VN63) { id kind members { id } source { id } } }`, nil)
	var members []struct{ ID string }
	json.Unmarshal(res.Data["provinces"], &members)
	if len(members) != 11 {
		t.Fatalf("cluster 5 has %d members, want 11 (%v)", len(members), res.Errors)
	}
	var groups []struct {
		ID, Kind string
		Members  []struct{ ID string }
	}
	json.Unmarshal(res.Data["groups"], &groups)
	total, regions := 0, 0
	for _, g := range groups {
		if g.Kind == "region" {
			regions++
			total += len(g.Members)
		}
	}
	if regions != 6 || total != 63 {
		t.Fatalf("%d VN63 regions covering %d provinces; want 6 and 63", regions, total)
	}
}

func TestErrorsHaveCodesAndNoInternals(t *testing.T) {
	ts, _ := newServer(t)
	cases := []struct{ name, query, code, msg string }{
		{"ErrUnknownGroup", `{ provinces(group: "x' OR 1=1") { id } }`, "NOT_FOUND", `unknown group "x' OR 1=1"`},
		{"ErrUnknownMetric", `{ targets(metric: "nope") { id } }`, "NOT_FOUND", `unknown metric "nope"`},
		{"ErrBadEnum", `{ provinces(map: VN99) { id } }`, "GRAPHQL_VALIDATION_FAILED", ""},
		{"ErrParse", `{ provinces(`, "GRAPHQL_PARSE_FAILED", ""},
		{"ErrTooDeep", `{ provinces { predecessors { successors { predecessors { successors { predecessors { successors { predecessors { successors { predecessors { successors { predecessors { id } } } } } } } } } } } } }`, "DEPTH_LIMIT_EXCEEDED", "query is nested 13 levels deep; the limit is 12"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := post(t, ts, tc.query, nil)
			if len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != tc.code {
				t.Fatalf("errors = %+v, want code %s", res.Errors, tc.code)
			}
			if tc.msg != "" && res.Errors[0].Message != tc.msg {
				t.Fatalf("message = %q, want %q", res.Errors[0].Message, tc.msg)
			}
		})
	}
}

func TestGraphiQLIsServedFromTheBinary(t *testing.T) {
	ts, _ := newServer(t)
	resp, err := http.Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), `src="/assets/graphiql.min.js"`) || strings.Contains(string(page), "://") {
		t.Fatalf("status %d; the page must load GraphiQL from /assets, never from a CDN:\n%s", resp.StatusCode, page)
	}
	for _, a := range []string{"graphiql.min.js", "graphiql.min.css", "react.production.min.js", "react-dom.production.min.js"} {
		r, err := http.Get(ts.URL + "/assets/" + a)
		if err != nil || r.StatusCode != 200 {
			t.Fatalf("asset %s: %v %d", a, err, r.StatusCode)
		}
		r.Body.Close()
	}
}

func TestHealthAndReadiness(t *testing.T) {
	ts, _ := newServer(t)
	for _, p := range []string{"/healthz", "/readyz"} {
		r, err := http.Get(ts.URL + p)
		if err != nil || r.StatusCode != 200 {
			t.Fatalf("%s: %v %d", p, err, r.StatusCode)
		}
	}
}

type ingestFile struct {
	name string
	data []byte
}

type ingestFiles []ingestFile

func (f ingestFiles) files() []ingest.File {
	out := make([]ingest.File, len(f))
	for i, x := range f {
		out[i] = ingest.File{Name: x.name, Data: x.data}
	}
	return out
}
