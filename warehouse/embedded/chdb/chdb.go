// Package chdb is a small, lazily loaded binding to libchdb.so (ClickHouse in-process).
//
// chdb-go's own purego package opens the library in init() and panics when it is missing,
// which would crash a binary that only wanted the server engine. This package opens the
// library only when Open is called and reports a missing library as an ordinary error.
package chdb

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"unsafe"

	"github.com/ebitengine/purego"
)

// SetupCommand is what a user runs to fetch the library; errors name it.
const SetupCommand = "make engine"

// ErrLibraryMissing is returned when libchdb.so cannot be found or loaded.
var ErrLibraryMissing = errors.New("chdb: engine library libchdb.so not found")

type connection struct{ internal unsafe.Pointer }

var (
	loadOnce sync.Once
	loadErr  error

	chdbConnect       func(argc int32, argv **byte) *connection
	chdbCloseConn     func(conn *connection)
	chdbQueryN        func(conn unsafe.Pointer, query *byte, queryLen uintptr, format *byte, formatLen uintptr) unsafe.Pointer
	chdbResultBuffer  func(res unsafe.Pointer) unsafe.Pointer
	chdbResultLength  func(res unsafe.Pointer) uintptr
	chdbResultError   func(res unsafe.Pointer) unsafe.Pointer
	chdbDestroyResult func(res unsafe.Pointer)
)

// LibraryPath returns where the library is looked for: $CHDB_LIB_PATH; else
// $CADRESTAT_CACHE/chdb/libchdb.so; else .cache/chdb/libchdb.so in the working directory or
// the nearest parent that has one (so tests run from a package folder find it), or beside
// the executable.
func LibraryPath() string {
	if p := os.Getenv("CHDB_LIB_PATH"); p != "" {
		return p
	}
	rel := filepath.Join("chdb", "libchdb.so")
	if cache := os.Getenv("CADRESTAT_CACHE"); cache != "" {
		return filepath.Join(cache, rel)
	}
	rel = filepath.Join(".cache", rel)
	if dir, err := os.Getwd(); err == nil {
		for {
			p := filepath.Join(dir, rel)
			if _, err := os.Stat(p); err == nil {
				return p
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), rel)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return rel
}

func load() error {
	loadOnce.Do(func() {
		path := LibraryPath()
		if _, err := os.Stat(path); err != nil {
			loadErr = fmt.Errorf("%w at %s (set CHDB_LIB_PATH or run `%s`)", ErrLibraryMissing, path, SetupCommand)
			return
		}
		saved := saveSignals()
		defer saved.restore()
		lib, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_GLOBAL)
		if err != nil {
			loadErr = fmt.Errorf("%w: cannot load %s: %v (run `%s`)", ErrLibraryMissing, path, err, SetupCommand)
			return
		}
		purego.RegisterLibFunc(&chdbConnect, lib, "chdb_connect")
		purego.RegisterLibFunc(&chdbCloseConn, lib, "chdb_close_conn")
		purego.RegisterLibFunc(&chdbQueryN, lib, "chdb_query_n")
		purego.RegisterLibFunc(&chdbResultBuffer, lib, "chdb_result_buffer")
		purego.RegisterLibFunc(&chdbResultLength, lib, "chdb_result_length")
		purego.RegisterLibFunc(&chdbResultError, lib, "chdb_result_error")
		purego.RegisterLibFunc(&chdbDestroyResult, lib, "chdb_destroy_query_result")
	})
	return loadErr
}

// Conn is one chDB connection. chDB allows one open data folder per process; queries from
// many goroutines on one Conn are safe (measured, see DESIGN.md).
type Conn struct {
	mu   sync.RWMutex
	conn *connection
}

// Open loads the library if needed and connects to the data folder at path
// (":memory:" for a throw-away in-memory engine).
func Open(path string, args ...string) (*Conn, error) {
	if err := load(); err != nil {
		return nil, err
	}
	argv := []string{"clickhouse"}
	if path != "" && path != ":memory:" {
		argv = append(argv, "--path="+path)
	}
	argv = append(argv, args...)
	cargs := make([]*byte, len(argv)+1)
	keep := make([][]byte, len(argv))
	for i, a := range argv {
		keep[i] = append([]byte(a), 0)
		cargs[i] = &keep[i][0]
	}
	saved := saveSignals()
	c := chdbConnect(int32(len(argv)), &cargs[0])
	saved.restore() // keep Go's own signal handling (see signals.go)
	runtime.KeepAlive(keep)
	if c == nil || c.internal == nil {
		return nil, fmt.Errorf("chdb: cannot open data folder %s (is another cadrestat process using it?)", path)
	}
	return &Conn{conn: c}, nil
}

// Query runs one statement and returns its output in the given ClickHouse format.
// A ClickHouse exception comes back as *Exception.
func (c *Conn) Query(query, format string) ([]byte, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.conn == nil {
		return nil, errors.New("chdb: connection closed")
	}
	q := append([]byte(query), 0)
	f := append([]byte(format), 0)
	res := chdbQueryN(c.conn.internal, &q[0], uintptr(len(query)), &f[0], uintptr(len(format)))
	runtime.KeepAlive(q)
	runtime.KeepAlive(f)
	if res == nil {
		return nil, errors.New("chdb: query returned no result")
	}
	defer chdbDestroyResult(res)
	if e := chdbResultError(res); e != nil {
		if msg := cString(e); msg != "" {
			return nil, &Exception{Message: msg}
		}
	}
	n := chdbResultLength(res)
	buf := chdbResultBuffer(res)
	if n == 0 || buf == nil {
		return nil, nil
	}
	out := make([]byte, n)
	copy(out, unsafe.Slice((*byte)(buf), n))
	return out, nil
}

// Close closes the connection; it waits for running queries.
func (c *Conn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != nil {
		chdbCloseConn(c.conn)
		c.conn = nil
	}
	return nil
}

// Exception is an error raised by the ClickHouse engine. Its message may contain SQL and
// paths, so it is never shown to API clients (the warehouse maps it to a safe error).
type Exception struct{ Message string }

func (e *Exception) Error() string { return "clickhouse: " + e.Message }

func cString(p unsafe.Pointer) string {
	if p == nil {
		return ""
	}
	n := 0
	for *(*byte)(unsafe.Add(p, n)) != 0 {
		n++
	}
	return string(unsafe.Slice((*byte)(p), n))
}
