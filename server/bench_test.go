package server

import (
	"encoding/json"
	"testing"
)

func BenchmarkCacheKey(b *testing.B) {
	req := gqlRequest{
		Query:     "query($m: ID!, $y: Int!) {\n  compare(metric: $m, year: $y) {\n    rows { rank province { id name } value }\n  }\n}",
		Variables: json.RawMessage(`{"y": 2020, "m": "female_provincial_committee_share"}`),
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = cacheKey(req, "application/json", 7)
	}
}
