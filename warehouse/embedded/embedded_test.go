package embedded_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/cadrestat/cadrestat/warehouse/embedded"
	"github.com/cadrestat/cadrestat/warehouse/embedded/chdb"
	"github.com/cadrestat/cadrestat/warehouse/storetest"
)

// chDB allows one open data folder per process, so the package shares one connection and
// each test gets its own database, dropped when the test ends.
var (
	shared *chdb.Conn
	seq    atomic.Int64
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cadrestat-embedded-")
	if err != nil {
		panic(err)
	}
	shared, err = chdb.Open(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "embedded engine unavailable:", err)
		os.Exit(1)
	}
	code := m.Run()
	shared.Close()
	os.RemoveAll(dir)
	os.Exit(code)
}

func newStore(t *testing.T) (warehouse.Store, *warehouse.Core) {
	t.Helper()
	db := fmt.Sprintf("t%d", seq.Add(1))
	s, err := embedded.OnConn(context.Background(), shared, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { shared.Query("DROP DATABASE IF EXISTS "+db, "TabSeparated") })
	return s, s.Core
}

func TestContract(t *testing.T) {
	storetest.Run(t, storetest.Caps{}, newStore)
}
