package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/cadrestat/cadrestat/warehouse/chsql"
)

// testQueryMemoryLimit: chsql.MaxQueryMemory reaches the engine with every read. A read that
// needs more than the limit fails with UNAVAILABLE and a safe message (no SQL, no engine
// text), and the store answers the same read once the limit allows it.
func testQueryMemoryLimit(t *testing.T, s warehouse.Store) {
	ctx := context.Background()
	mustLoad(t, s, crossingBatch(4, 1500))
	all := warehouse.ObservationFilter{IncludeSynthetic: true}
	saved := chsql.MaxQueryMemory
	defer func() { chsql.MaxQueryMemory = saved }()

	chsql.MaxQueryMemory = 64 << 10 // far below what sorting 12,000 rows takes
	_, err := s.Observations(ctx, all)
	if err == nil {
		t.Fatal("a read needing more than a 64 KiB limit succeeded: the limit does not reach the engine")
	}
	if k := warehouse.KindOf(err); k != warehouse.ErrUnavailable || !strings.Contains(err.Error(), "narrow it down") || strings.Contains(err.Error(), "SELECT") {
		t.Fatalf("over the memory limit: %v (kind %s), want UNAVAILABLE \"… narrow it down\" without SQL", err, k)
	}

	chsql.MaxQueryMemory = saved
	obs, err := s.Observations(ctx, all)
	if err != nil || len(obs) != 12000 {
		t.Fatalf("under the default limit: %d rows, %v; want 12000", len(obs), err)
	}
}
