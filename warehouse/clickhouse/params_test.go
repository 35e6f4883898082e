package clickhouse_test

import (
	"testing"

	"github.com/cadrestat/cadrestat/warehouse/storetest"
)

// TestParams: hostile values round-trip as data (server-side parameters on a modern
// server, escaped and cast literals on ClickHouse 18.16, which has no parameters).
func TestParams(t *testing.T) {
	storetest.Params(t, newStore)
}
