package graph_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/cadrestat/cadrestat/graph"
	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/warehouse"
)

// oneProvince is a warehouse holding a catalogue of one province; the handler's tests need
// no engine.
type oneProvince struct{ warehouse.Store }

func (oneProvince) DataVersion(context.Context) (uint64, error) { return 1, nil }

func (oneProvince) Catalog(context.Context) (*warehouse.Catalog, error) {
	c := &warehouse.Catalog{Version: 1, Provinces: []warehouse.Province{{ID: "VN63-01", Map: warehouse.VN63, Name: "Hà Nội"}}}
	c.Index()
	return c, nil
}

func handler(t *testing.T, o graph.Options) *graph.Handler {
	t.Helper()
	svc := service.New(oneProvince{}, nil)
	if err := svc.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	o.Limits = graph.DefaultLimits()
	return graph.NewHandler(svc, o)
}

// Exec answers as the HTTP path does, and the Outcome says whether the response had errors
// (what the response cache decides on) and its first error's code.
func TestExecAndOutcome(t *testing.T) {
	h := handler(t, graph.Options{})
	resp := h.Exec(context.Background(), &graphql.RawParams{Query: `query P($id: ID!) { province(id: $id) { id name } }`, Variables: map[string]any{"id": "VN63-01"}})
	if len(resp.Errors) > 0 || string(resp.Data) != `{"province":{"id":"VN63-01","name":"Hà Nội"}}` {
		t.Fatalf("Exec: %s %v", resp.Data, resp.Errors)
	}

	post := func(body string) (*httptest.ResponseRecorder, *graph.Outcome) {
		out := &graph.Outcome{}
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req.WithContext(graph.WithOutcome(req.Context(), out)))
		return rec, out
	}
	rec, out := post(`{"query":"query Named { province(id: \"VN63-01\") { id } }"}`)
	if rec.Code != 200 || !out.Responded || out.Errors != 0 || out.Operation != "Named" || out.Complexity < 1 {
		t.Fatalf("good query: %d %s, outcome %+v", rec.Code, rec.Body, out)
	}
	rec, out = post(`{"query":"{ nope }"}`)
	if !out.Responded || out.Errors != 1 || out.ErrorCode != "GRAPHQL_VALIDATION_FAILED" {
		t.Fatalf("invalid query: %d %s, outcome %+v", rec.Code, rec.Body, out)
	}
}

// Until Available says so, data fields answer its error; the introspection and the
// preference rule still answer.
func TestAvailableGatesDataFields(t *testing.T) {
	h := handler(t, graph.Options{Available: func() error {
		return warehouse.Errorf(warehouse.ErrUnavailable, "not yet")
	}})
	resp := h.Exec(context.Background(), &graphql.RawParams{Query: `{ province(id: "VN63-01") { id } }`})
	if len(resp.Errors) != 1 || resp.Errors[0].Message != "not yet" || resp.Errors[0].Extensions["code"] != string(warehouse.ErrUnavailable) {
		t.Fatalf("unavailable: %s %v", resp.Data, resp.Errors)
	}
	resp = h.Exec(context.Background(), &graphql.RawParams{Query: `{ __typename }`})
	if len(resp.Errors) > 0 {
		t.Fatalf("__typename: %v", resp.Errors)
	}
}
