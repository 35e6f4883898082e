// Package chdb is a small, lazily loaded binding to libchdb.so (ClickHouse in-process).
//
// chdb-go's own purego package opens the library in init() and panics when it is missing,
// which would crash a binary that only wanted the server engine. This package opens the
// library only when Open is called and reports a missing library as an ordinary error.
package chdb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
)

// SetupCommand is what a user runs to fetch the library; errors name it.
const SetupCommand = "make engine"

// ErrLibraryMissing is returned when libchdb.so cannot be found or loaded.
var ErrLibraryMissing = errors.New("chdb: engine library libchdb.so not found")

// ErrUnsupported is returned on platforms this binding does not run on: it is built for
// Linux (libchdb.so through purego, and Linux's rt_sigaction to keep Go's signal handlers;
// see signals.go), so elsewhere the embedded engine is an error and the server engine
// (-engine clickhouse) is what runs.
var ErrUnsupported = errors.New("chdb: the embedded engine is not supported on this platform (" + runtime.GOOS + "/" + runtime.GOARCH + "); use -engine clickhouse")

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
	// chdb_query_with_params_n: the query, the format, then parallel arrays of parameter
	// names and values with their byte lengths, and their count (chdb.h of chDB ≥ 26.x).
	chdbQueryWithParamsN func(conn unsafe.Pointer, query *byte, queryLen uintptr, format *byte, formatLen uintptr,
		names *uintptr, nameLens *uintptr, values *uintptr, valueLens *uintptr, count uintptr) unsafe.Pointer
	// chdb_backup_database_n / chdb_restore_database_n: database and archive path (and, for
	// a backup, an optional base archive), each with its length.
	chdbBackupDatabaseN  func(conn unsafe.Pointer, db *byte, dbLen uintptr, path *byte, pathLen uintptr, base *byte, baseLen uintptr) unsafe.Pointer
	chdbRestoreDatabaseN func(conn unsafe.Pointer, db *byte, dbLen uintptr, path *byte, pathLen uintptr) unsafe.Pointer
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

// Conn is a set of chDB connections to one data folder (chDB allows one open data folder
// per process, but several connections to it). Each engine connection runs one statement at
// a time, and parameters bound by chdb_query_with_params_n live on the connection while the
// call waits for it: two concurrent calls on one engine connection can see each other's
// values (measured on 26.7.3: TestParamsDoNotCrossUnderConcurrency). So every call takes an
// engine connection for itself, and concurrency comes from having several.
type Conn struct {
	mu    sync.RWMutex // write-locked by Close
	all   []*connection
	free  chan *connection
	close bool
	live  atomic.Int32  // connections not retired
	dead  chan struct{} // closed when live reaches 0
}

// Open loads the library if needed and connects to the data folder at path
// (":memory:" for a throw-away in-memory engine), with one engine connection.
func Open(path string, args ...string) (*Conn, error) {
	return OpenN(path, 1, args...)
}

// OpenN is Open with n engine connections (n < 1 means 1): up to n statements run at once.
func OpenN(path string, n int, args ...string) (*Conn, error) {
	if err := load(); err != nil {
		return nil, err
	}
	argv := []string{"clickhouse"}
	if path != "" && path != ":memory:" {
		argv = append(argv, "--path="+path)
	}
	// BACKUP and RESTORE write and read only under backups.allowed_path, fixed when the
	// engine boots. The callers of BackupDatabase and RestoreDatabase check their paths
	// (absolute, a new file in an empty folder), so the engine may use any.
	argv = append(argv, "--backups.allowed_path=/")
	argv = append(argv, args...)
	c := &Conn{free: make(chan *connection, max(n, 1)), dead: make(chan struct{})}
	c.live.Store(int32(max(n, 1)))
	for range max(n, 1) {
		e := connect(argv)
		if e == nil {
			c.Close()
			return nil, fmt.Errorf("chdb: cannot open data folder %s (is another cadrestat process using it?)", path)
		}
		c.all = append(c.all, e)
		c.free <- e
	}
	return c, nil
}

func connect(argv []string) *connection {
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
		return nil
	}
	return c
}

// Query runs one statement and returns its output in the given ClickHouse format.
// A ClickHouse exception comes back as *Exception.
func (c *Conn) Query(query, format string) ([]byte, error) {
	return c.call(nil, func(conn unsafe.Pointer) unsafe.Pointer {
		q := append([]byte(query), 0)
		f := append([]byte(format), 0)
		res := chdbQueryN(conn, &q[0], uintptr(len(query)), &f[0], uintptr(len(format)))
		runtime.KeepAlive(q)
		runtime.KeepAlive(f)
		return res
	})
}

// Param is one server-side query parameter: the statement refers to it as {Name:Type}.
// Value is the engine's escaped text form for the type (see EscapeParam): chDB parses it
// with the type's TSV deserializer, so a raw backslash, tab or newline would be read as an
// escape or end the value.
type Param struct{ Name, Value string }

// QueryParams runs one statement whose {name:Type} placeholders the engine binds from
// params after parsing (chdb_query_with_params_n): no value is ever part of the SQL text.
func (c *Conn) QueryParams(query, format string, params []Param) ([]byte, error) {
	return c.QueryParamsContext(context.Background(), query, format, params)
}

// QueryParamsContext is QueryParams that gives up waiting for a free engine connection when
// ctx ends (ctx.Err()). Once the statement has started it runs to its end (chDB cannot stop
// it; max_execution_time does), and its connection stays busy until then.
func (c *Conn) QueryParamsContext(ctx context.Context, query, format string, params []Param) ([]byte, error) {
	if len(params) == 0 {
		return c.call(ctx.Done(), func(conn unsafe.Pointer) unsafe.Pointer {
			q := append([]byte(query), 0)
			f := append([]byte(format), 0)
			res := chdbQueryN(conn, &q[0], uintptr(len(query)), &f[0], uintptr(len(format)))
			runtime.KeepAlive(q)
			runtime.KeepAlive(f)
			return res
		})
	}
	return c.call(ctx.Done(), func(conn unsafe.Pointer) unsafe.Pointer {
		// One buffer holds the query, the format and every name and value; the pointer
		// arrays hold addresses into it as uintptr (no Go pointers in memory handed to C),
		// and KeepAlive keeps it (heap memory does not move) until the call returns.
		size := len(query) + len(format) + 2
		for _, p := range params {
			size += len(p.Name) + len(p.Value) + 2
		}
		buf := make([]byte, 0, size) // never grows: the addresses taken below stay valid
		at := func(s string) (int, uintptr) {
			off := len(buf)
			buf = append(buf, s...)
			buf = append(buf, 0)
			return off, uintptr(len(s))
		}
		addr := func(off int) uintptr { return uintptr(unsafe.Pointer(&buf[off])) }
		q, ql := at(query)
		f, fl := at(format)
		n := len(params)
		arr := make([]uintptr, 4*n)
		names, nameLens, values, valueLens := arr[:n], arr[n:2*n], arr[2*n:3*n], arr[3*n:]
		for i, p := range params {
			var off int
			off, nameLens[i] = at(p.Name)
			names[i] = addr(off)
			off, valueLens[i] = at(p.Value)
			values[i] = addr(off)
		}
		res := chdbQueryWithParamsN(conn, &buf[q], ql, &buf[f], fl, &names[0], &nameLens[0], &values[0], &valueLens[0], uintptr(n))
		runtime.KeepAlive(buf)
		runtime.KeepAlive(arr)
		return res
	})
}

// BackupDatabase writes database db into a new archive file at path (absolute; its folder
// must exist and lie under the connection's backups.allowed_path; an existing file is never
// overwritten), through chdb_backup_database_n: chDB quotes the name and path itself.
func (c *Conn) BackupDatabase(db, path string) error {
	_, err := c.call(nil, func(conn unsafe.Pointer) unsafe.Pointer {
		d, p := append([]byte(db), 0), append([]byte(path), 0)
		res := chdbBackupDatabaseN(conn, &d[0], uintptr(len(db)), &p[0], uintptr(len(path)), nil, 0)
		runtime.KeepAlive(d)
		runtime.KeepAlive(p)
		return res
	})
	return err
}

// RestoreDatabase restores database db from an archive BackupDatabase wrote. The database
// must not hold the archive's tables already (a restore appends to existing tables).
func (c *Conn) RestoreDatabase(db, path string) error {
	_, err := c.call(nil, func(conn unsafe.Pointer) unsafe.Pointer {
		d, p := append([]byte(db), 0), append([]byte(path), 0)
		res := chdbRestoreDatabaseN(conn, &d[0], uintptr(len(db)), &p[0], uintptr(len(path)))
		runtime.KeepAlive(d)
		runtime.KeepAlive(p)
		return res
	})
	return err
}

// Size is the number of engine connections.
func (c *Conn) Size() int { return cap(c.free) }

// call runs one engine call returning a chdb_result on an engine connection of its own and
// turns the result into bytes or an *Exception, destroying it.
//
// A statement that fails after it has written rows (a timeout, an exception mid-stream)
// leaves those rows in its engine connection's output buffer, and chDB 26.7.3 hands them to
// the next statement on that connection in front of its own result: the next query would
// receive another query's bytes (TestFailedStatementLeavesNothingBehind). So after any
// failure the connection is drained before anyone else may use it; a connection that cannot
// be proved clean is retired, never reused.
//
// done, when not nil, ends the wait for a free connection (the caller no longer wants the
// answer): ErrGaveUp, and the statement never runs.
func (c *Conn) call(done <-chan struct{}, run func(conn unsafe.Pointer) unsafe.Pointer) ([]byte, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.close {
		return nil, errors.New("chdb: connection closed")
	}
	var e *connection
	select {
	case e = <-c.free:
	case <-c.dead:
		return nil, ErrBroken
	case <-done:
		return nil, ErrGaveUp
	}
	out, err := result(run(e.internal))
	if err != nil && !drain(e) {
		c.retire()
		return nil, err
	}
	c.free <- e
	return out, err
}

// result turns a chdb_result into bytes or an *Exception and destroys it.
func result(res unsafe.Pointer) ([]byte, error) {
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

// ErrBroken is returned once every engine connection has been retired (none could be
// drained after a failure): the process must be restarted to query again.
var ErrBroken = errors.New("chdb: no engine connection left that is known to be clean")

// ErrGaveUp is returned when the caller's context ended before an engine connection was free.
var ErrGaveUp = errors.New("chdb: gave up waiting for a free engine connection")

var drainSeq atomic.Uint64

// drain runs a marker statement on e and reports whether its result ended with exactly the
// marker: whatever a failed statement left in front of it is taken away with it. The marker
// is unique per call, so an earlier marker's output cannot pass for this one.
func drain(e *connection) bool {
	for range 3 {
		marker := fmt.Sprintf("cadrestat-drain-%d-%d", os.Getpid(), drainSeq.Add(1))
		q := []byte("SELECT '" + marker + "'\x00")
		f := []byte("TabSeparated\x00")
		out, err := result(chdbQueryN(e.internal, &q[0], uintptr(len(q)-1), &f[0], uintptr(len(f)-1)))
		runtime.KeepAlive(q)
		runtime.KeepAlive(f)
		if err == nil && bytes.HasSuffix(out, []byte(marker+"\n")) {
			return true
		}
	}
	return false
}

// retire takes a connection out of service for good; when none is left, waiting and
// later calls get ErrBroken instead of blocking.
func (c *Conn) retire() {
	if c.live.Add(-1) == 0 {
		close(c.dead)
	}
}

// Close closes the connections; it waits for running queries. Closing the last one shuts
// the engine down.
func (c *Conn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.close {
		c.close = true
		for i := len(c.all) - 1; i >= 0; i-- {
			chdbCloseConn(c.all[i])
		}
		c.all = nil
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
