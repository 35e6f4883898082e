// Package testenv gives tests a real embedded ClickHouse: chDB allows one open data folder
// per process, so a package's tests share one connection and each test gets its own
// database, dropped when the test ends.
//
// Only the tests that need the engine touch it: they call Engine (the binary-level tests
// that start cadrestat) or Store (which calls Engine). Without the library those tests fail
// at once with a message naming `make engine` (never a skip: CI must not pass without
// them), and every other test of the package runs and passes.
package testenv

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse/embedded"
	"github.com/cadrestat/cadrestat/warehouse/embedded/chdb"
)

var (
	once   sync.Once
	shared *chdb.Conn
	dir    string
	err    error
	seq    atomic.Int64
)

// Engine fails the test at once when the embedded engine's library is missing, naming
// where it was looked for and `make engine`. Every test that needs the engine calls it
// first (Store does), so a machine without the library fails those tests clearly instead
// of timing out, and the tests that do not need the engine still run.
func Engine(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(chdb.LibraryPath()); err != nil {
		t.Fatalf("this test needs the embedded engine: libchdb.so not found at %s; run `%s` (or set CHDB_LIB_PATH)", chdb.LibraryPath(), chdb.SetupCommand)
	}
}

// Conn returns the process-wide connection, opening it on first use.
func Conn(t testing.TB) *chdb.Conn {
	t.Helper()
	Engine(t)
	once.Do(func() {
		dir, err = os.MkdirTemp("", "cadrestat-test-")
		if err == nil {
			shared, err = chdb.Open(dir)
		}
	})
	if err != nil {
		t.Fatalf("embedded engine unavailable (run `make engine`): %v", err)
	}
	return shared
}

// Store returns a fresh, migrated store in its own database.
func Store(t testing.TB) *embedded.Store {
	t.Helper()
	conn := Conn(t)
	db := fmt.Sprintf("t%d_%d", os.Getpid(), seq.Add(1))
	s, err := embedded.OnConn(context.Background(), conn, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = conn.Query("DROP DATABASE IF EXISTS "+db, "TabSeparated") })
	return s
}
