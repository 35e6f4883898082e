// Package testenv gives tests a real embedded ClickHouse: chDB allows one open data folder
// per process, so a package's tests share one connection and each test gets its own
// database, dropped when the test ends.
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

// Conn returns the process-wide connection, opening it on first use.
func Conn(t testing.TB) *chdb.Conn {
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
	t.Cleanup(func() { conn.Query("DROP DATABASE IF EXISTS "+db, "TabSeparated") })
	return s
}
