package server

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/graph"
)

// The memo of finished keys (keyer.memo) answers a repeat with the key the document and
// coerced variables give, and never lets two requests that key differently share one.
func TestCacheKeyMemo(t *testing.T) {
	keys := newKeyer(graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}}).Schema(), 10000)
	const q = `query Q($m: ID!, $y: Int!) { compare(metric: $m, year: $y) { rows { value } } }`
	base := gqlRequest{Query: q, Variables: json.RawMessage(`{"m":"staff_cut","y":2020}`)}
	key := func(req gqlRequest, accept string, version uint64) string {
		t.Helper()
		first, ok := keys.key(req, accept, version)
		again, okAgain := keys.key(req, accept, version) // from the memo
		want, okWant := keys.compute(req, accept, version)
		if !ok || !okAgain || !okWant || first != want || again != want {
			t.Fatalf("key %q %v, repeat %q %v, computed %q %v", first, ok, again, okAgain, want, okWant)
		}
		return first
	}
	k := key(base, "", 1)
	reordered := base
	reordered.Variables = json.RawMessage(`{ "y": 2020, "m": "staff_cut" }`)
	if key(reordered, "", 1) != k {
		t.Fatal("the same coerced variables in another order must share the key")
	}
	otherVars := base
	otherVars.Variables = json.RawMessage(`{"m":"staff_cut","y":2021}`)
	named := base
	named.OperationName = "Q"
	for name, other := range map[string]string{
		"variables": key(otherVars, "", 1), "accept": key(base, "application/graphql-response+json", 1),
		"version": key(base, "", 2), "operation name": key(named, "", 1),
	} {
		if other == k {
			t.Errorf("another %s must change the key", name)
		}
	}
	// A request too large for the memo is still keyed, and a request that must not be
	// cached is refused every time, not remembered as a key.
	big := base
	big.Query = q + strings.Repeat(" ", maxMemoRequest)
	if key(big, "", 1) != k {
		t.Fatal("whitespace must not change the key of a large request")
	}
	bad := gqlRequest{Query: q, Variables: json.RawMessage(`{"m":"staff_cut","y":"soon"}`)}
	for range 2 {
		if _, ok := keys.key(bad, "", 1); ok {
			t.Fatal("variables that do not coerce must not be keyed")
		}
	}
}
