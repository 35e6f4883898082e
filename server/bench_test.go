package server

import (
	"encoding/json"
	"testing"

	"github.com/cadrestat/cadrestat/graph"
)

// BenchmarkCacheKey measures the key of a repeated request (the document comes from the
// keyer's LRU; variables are coerced and hashed every time).
func BenchmarkCacheKey(b *testing.B) {
	keys := newKeyer(graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}}).Schema(), 10000)
	req := gqlRequest{
		Query:     "query($m: ID!, $y: Int!) {\n  compare(metric: $m, year: $y) {\n    rows { rank province { id name } value }\n  }\n}",
		Variables: json.RawMessage(`{"y": 2020, "m": "female_provincial_committee_share"}`),
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := keys.key(req, "application/json", 7); !ok {
			b.Fatal("no key")
		}
	}
}
