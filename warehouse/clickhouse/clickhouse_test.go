package clickhouse_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/cadrestat/cadrestat/warehouse/chsql"
	"github.com/cadrestat/cadrestat/warehouse/clickhouse"
	"github.com/cadrestat/cadrestat/warehouse/storetest"
)

// The server under test comes from CADRESTAT_TEST_CLICKHOUSE (host:port); `make test`
// starts Debian's clickhouse-server and sets it. CADRESTAT_TEST_CLICKHOUSE_MODERN=1 says the
// server is modern (≥ 24.8, e.g. the compose stack), so nothing is skipped.
func addr(t *testing.T) string {
	a := os.Getenv("CADRESTAT_TEST_CLICKHOUSE")
	if a == "" {
		t.Skip("no ClickHouse server: set CADRESTAT_TEST_CLICKHOUSE=host:port (make test starts one)")
	}
	return a
}

func modern() bool { return os.Getenv("CADRESTAT_TEST_CLICKHOUSE_MODERN") == "1" }

var seq atomic.Int64

func cfg(t *testing.T, db string) clickhouse.Config {
	return clickhouse.Config{Addrs: []string{addr(t)}, User: "default", Database: db, DialTimeout: 2 * time.Second, MaxOpenConns: 8, MaxIdleConns: 4}
}

func newStore(t *testing.T) (warehouse.Store, *chsql.Core) {
	s := open(t)
	return s, s.Core
}

func open(t *testing.T) *clickhouse.Store {
	t.Helper()
	db := fmt.Sprintf("cadrestat_test_%d_%d", os.Getpid(), seq.Add(1))
	s, err := clickhouse.Open(context.Background(), cfg(t, db))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db)
		s.Close()
	})
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, storetest.Caps{}, newStore)
}

func TestServerDownIsUnavailable(t *testing.T) {
	_, err := clickhouse.Open(context.Background(), clickhouse.Config{Addrs: []string{"127.0.0.1:1"}, Database: "x", DialTimeout: time.Second})
	if warehouse.KindOf(err) != warehouse.ErrUnavailable {
		t.Fatalf("kind = %v (%v), want UNAVAILABLE", warehouse.KindOf(err), err)
	}
	if msg := warehouse.ErrorMessage(err); strings.Contains(msg, "127.0.0.1") || strings.Contains(msg, "dial") {
		t.Fatalf("message leaks connection details: %q", msg)
	}
}

func TestWrongPasswordIsUnavailableWithSafeMessage(t *testing.T) {
	c := cfg(t, "default")
	c.User, c.Password = "reader", "wrong"
	s, err := clickhouse.Connect(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Ping(context.Background())
	if warehouse.KindOf(err) != warehouse.ErrUnavailable || warehouse.ErrorMessage(err) != "the warehouse refused cadrestat's credentials" {
		t.Fatalf("err = %v (kind %v), want UNAVAILABLE with a safe message", err, warehouse.KindOf(err))
	}
}

func TestTimeoutIsTimeout(t *testing.T) {
	s := open(t)
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	err := s.Exec(ctx, "SELECT sleep(3)")
	if warehouse.KindOf(err) != warehouse.ErrTimeout {
		t.Fatalf("kind = %v (%v), want TIMEOUT", warehouse.KindOf(err), err)
	}
}

func TestPoolUnderConcurrency(t *testing.T) {
	s := open(t)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.DataVersion(context.Background()); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestUnknownTableIsSafeError(t *testing.T) {
	s := open(t)
	err := s.Exec(context.Background(), "SELECT * FROM no_such_db.no_such_table")
	if err == nil || !errors.As(err, new(*warehouse.Error)) || strings.Contains(warehouse.ErrorMessage(err), "no_such") {
		t.Fatalf("err = %v; want a warehouse error whose message hides the SQL", err)
	}
}

// A client that goes away cancels its query on the server too; the call returns promptly.
func TestCancelIsPrompt(t *testing.T) {
	s := open(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	err := s.Exec(ctx, "SELECT sleep(3)")
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("cancelled query returned after %v", took)
	}
	if warehouse.KindOf(err) != warehouse.ErrTimeout || warehouse.ErrorMessage(err) != "the request was cancelled" {
		t.Fatalf("err = %v (kind %v)", err, warehouse.KindOf(err))
	}
	// The pool is still usable afterwards.
	if _, err := s.DataVersion(context.Background()); err != nil {
		t.Fatalf("after a cancelled query: %v", err)
	}
}
