package server_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/graph"
)

// A root field that fails on its own arguments answers null with its error; the request's
// other root fields still answer (issue 28: one bad panel blanked a whole dashboard).
func TestPartialAnswers(t *testing.T) {
	ts, _ := newServer(t)
	for _, accept := range []string{"application/json", "application/graphql-response+json"} {
		resp, body := rawPost(t, ts, "application/json",
			[]byte(`{"query":"{ province(id: \"VN63-01\") { name } compare(metric: \"nope\", year: 2020) { year } t: table(metrics: [\"nope\"], years: [2020]) { years } dataVersion }"}`), accept)
		var out struct {
			Data   map[string]json.RawMessage
			Errors []struct {
				Message    string
				Path       []any
				Extensions map[string]any
			}
		}
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if resp.StatusCode != 200 || !strings.Contains(string(out.Data["province"]), `"name":"Hà Nội"`) ||
			string(out.Data["compare"]) != "null" || string(out.Data["t"]) != "null" || len(out.Data["dataVersion"]) < 3 {
			t.Fatalf("Accept %s: %d %s", accept, resp.StatusCode, body)
		}
		if len(out.Errors) != 2 {
			t.Fatalf("want one error per failing field: %s", body)
		}
		paths := map[any]bool{}
		for _, e := range out.Errors { // root fields resolve concurrently: errors come in any order
			if len(e.Path) != 1 || e.Extensions["code"] != "NOT_FOUND" || !strings.Contains(e.Message, `"nope"`) {
				t.Fatalf("error: %+v", e)
			}
			paths[e.Path[0]] = true
		}
		if !paths["compare"] || !paths["t"] {
			t.Fatalf("errors name %v, want compare and t", paths)
		}
	}
}

// Which root fields are non-null is a rule, not an accident: only those that take no
// argument that can be wrong (so fail only when the whole server cannot answer) are.
func TestOnlyRootFieldsThatCannotFailOnArgumentsAreNonNull(t *testing.T) {
	var nonNull []string
	for _, f := range graph.Schema().Query.Fields {
		if !strings.HasPrefix(f.Name, "__") && f.Type.NonNull {
			nonNull = append(nonNull, f.Name)
		}
	}
	slices.Sort(nonNull)
	want := []string{"dataVersion", "groups", "metrics", "preferenceRule", "sources"}
	if !slices.Equal(nonNull, want) {
		t.Fatalf("non-null root fields %v, want %v: a root field that can fail on its arguments must be nullable (README, Partial answers)", nonNull, want)
	}
}
