// Package embedded is the default engine: ClickHouse in-process through chDB. Data persists
// in a folder; the library is loaded lazily so a missing one is an error, not a panic.
package embedded

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"time"

	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/cadrestat/cadrestat/warehouse/chsql"
	"github.com/cadrestat/cadrestat/warehouse/embedded/chdb"
)

// Store is the warehouse on embedded ClickHouse.
type Store struct {
	*chsql.Core
	conn    *chdb.Conn
	dataDir string // the folder Open opened ("" on a shared connection): backups go elsewhere
}

var _ warehouse.Store = (*Store)(nil)

// Options are OpenWith's settings; the zero value is Open's.
type Options struct {
	// Connections is the number of engine connections to make (0: one per CPU, at least
	// 2). chDB runs one statement at a time per connection, so this bounds how many
	// warehouse queries run at once; each one still uses several threads inside the engine.
	Connections int
}

func (o Options) connections() int {
	if o.Connections > 0 {
		return o.Connections
	}
	return max(2, runtime.GOMAXPROCS(0))
}

// fileReadMethod makes file() (a load's RowFiles) read with pread instead of clickhouse-local's
// default mmap: mapped pages count in the process's RSS, so inserting a 1.2 GB RowBinary file
// of L's 11.9 M rows peaked at 3.4 GB with mmap and 1.4 GB with pread, no slower (32 s against
// 36 s, same run).
const fileReadMethod = "--storage_file_read_method=pread"

// Open opens (creating if needed) the data folder at dir, migrates database db and removes
// what an interrupted load left behind. The folder is locked by this process until Close.
func Open(ctx context.Context, dir, db string) (*Store, error) {
	return OpenWith(ctx, dir, db, Options{})
}

// OpenWith is Open with opt.
func OpenWith(ctx context.Context, dir, db string, opt Options) (*Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, warehouse.Wrap(err, warehouse.ErrUnavailable, "cannot create data folder "+dir)
	}
	conn, err := chdb.OpenN(dir, opt.connections(), fileReadMethod)
	if err != nil {
		if errors.Is(err, chdb.ErrUnsupported) {
			return nil, warehouse.Wrap(err, warehouse.ErrUnavailable, fmt.Sprintf("the embedded engine is not supported on %s/%s: use -engine clickhouse", runtime.GOOS, runtime.GOARCH))
		}
		if errors.Is(err, chdb.ErrLibraryMissing) {
			return nil, warehouse.Wrap(err, warehouse.ErrUnavailable,
				fmt.Sprintf("embedded ClickHouse library not found (looked at %s); run `%s` or set CHDB_LIB_PATH", chdb.LibraryPath(), chdb.SetupCommand))
		}
		return nil, warehouse.Wrap(err, warehouse.ErrUnavailable, "cannot open data folder "+dir+" (another cadrestat process may hold it)")
	}
	tmp := filepath.Join(dir, "load-tmp")
	os.RemoveAll(tmp) // what a killed load left; this process holds the folder now
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		conn.Close()
		return nil, warehouse.Wrap(err, warehouse.ErrUnavailable, "cannot create "+tmp)
	}
	s, err := onConn(ctx, &executor{conn: conn, tmpDir: tmp}, db)
	if err != nil {
		conn.Close()
		return nil, err
	}
	s.dataDir, _ = filepath.Abs(dir)
	if err := s.Recover(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	return s, nil
}

// OnConn makes a Store for database db on an already open connection and migrates it.
// The caller keeps owning conn: closing the Store leaves it open (tests share one connection
// per process, since chDB allows one, and isolate by database).
func OnConn(ctx context.Context, conn *chdb.Conn, db string) (*Store, error) {
	return onConn(ctx, &executor{conn: conn, shared: true}, db)
}

func onConn(ctx context.Context, ex *executor, db string) (*Store, error) {
	conn := ex.conn
	core, err := chsql.NewCore(ex, db)
	if err != nil {
		return nil, err
	}
	s := &Store{Core: core, conn: conn}
	if err := s.Migrate(ctx); err != nil {
		return nil, err
	}
	// Full copies left by a backup or restore that was killed (backup.go).
	if err := s.dropScratch(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// traceSQL prints every statement (first 300 bytes) to stderr, for debugging.
var traceSQL = os.Getenv("CADRESTAT_TRACE_SQL") == "1"

// executor runs SQL on chDB. chDB cannot cancel a running query, so a context deadline is
// passed down as max_execution_time and the call returns when the context ends.
type executor struct {
	conn   *chdb.Conn
	shared bool // connection owned by someone else: Close does not close it
	// tmpDir holds a load's temporary files: inside the data folder when this process owns
	// it, so the files a killed load leaves are removed at the next Open (not in /tmp for
	// ever); empty means the system's temporary folder.
	tmpDir string
	// sent, if set, sees every statement as sent to the engine, with its parameters (tests).
	sent func(sql string, params []chdb.Param)
}

// engineParams renders parameter values as the engine reads them: strings as escaped text
// (chdb.EscapeParam), numbers and arrays in ClickHouse's text form (chsql.ParamText).
func engineParams(ps []chsql.Param) []chdb.Param {
	if len(ps) == 0 {
		return nil
	}
	out := make([]chdb.Param, len(ps))
	for i, p := range ps {
		v, ok := p.Value.(string)
		if ok {
			v = chdb.EscapeParam(v)
		} else {
			v = chsql.ParamText(p.Value)
		}
		out[i] = chdb.Param{Name: p.Name, Value: v}
	}
	return out
}

func (e *executor) run(ctx context.Context, sql string, q chsql.Query, format string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, translate(ctx, err)
	}
	extra := map[string]string{}
	if format == selectFormat { // reads only: a SETTINGS clause on DDL would be the table's
		for k, v := range chsql.MemorySettings() {
			extra[k] = strconv.FormatInt(v, 10)
		}
	}
	for k, v := range q.Settings {
		extra[k] = v
	}
	// The engine's time limit is the deadline, rounded up to the millisecond, so it can only
	// cut a statement at or after the deadline (see cutShort).
	dl, hasDeadline := ctx.Deadline()
	if hasDeadline {
		secs := math.Max(0.001, math.Ceil(time.Until(dl).Seconds()*1000)/1000)
		extra["max_execution_time"] = strconv.FormatFloat(secs, 'f', 3, 64)
	}
	// Values travel as server-side parameters (chdb_query_with_params_n): the engine binds
	// each {name:Type} placeholder after parsing, so no value is ever part of the SQL text and
	// chsql.Inline is not used by this engine. What is still written into SQL here is not
	// a value from a user: identifiers (database and table names, checked by
	// chsql.ValidIdent), the deadline's max_execution_time below, and rowFile.Source's
	// temporary file path and column list (chsql.RowFile returns a table expression, not
	// a Query, so it has no parameters to carry them; both come from this process).
	params := engineParams(q.Params)
	full := sql + chsql.SettingsClause(extra)
	if e.sent != nil {
		e.sent(full, params)
	}
	if traceSQL {
		start := time.Now()
		defer func() { fmt.Fprintf(os.Stderr, "sql (%v): %.200s\n", time.Since(start).Round(time.Millisecond), full) }()
	}
	type result struct {
		out []byte
		err error
	}
	ch := make(chan result, 1)
	go func() {
		out, err := e.conn.QueryParamsContext(ctx, full, format, params)
		ch <- result{out, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, translate(ctx, r.err)
		}
		if hasDeadline && cutShort(dl, time.Now()) {
			return nil, translate(ctx, context.DeadlineExceeded)
		}
		return r.out, nil
	case <-ctx.Done():
		return nil, translate(ctx, ctx.Err())
	}
}

// cutShort reports whether a result that arrived at now, for a statement whose time limit
// ends at the deadline dl, may have been cut short by that limit. chDB 26.7.3 sometimes ends
// a statement at max_execution_time with the rows produced so far and no error (measured:
// 2 of 300 reads of 101,000 rows under a 10 ms limit came back with 100,000 and no error),
// so such a result is never trusted: the limit only acts at or after the deadline, and a
// result that arrives before it was not cut.
func cutShort(dl, now time.Time) bool { return !now.Before(dl) }

func (e *executor) Exec(ctx context.Context, q chsql.Query) error {
	_, err := e.run(ctx, q.SQL, q, "TabSeparated")
	return err
}

const selectFormat = "RowBinaryWithNamesAndTypes"

func (e *executor) Select(ctx context.Context, q chsql.Query, each func(chsql.Row) error) error {
	out, err := e.run(ctx, q.SQL, q, selectFormat)
	if err != nil {
		return err
	}
	return decodeRowBinary(out, each)
}

func (e *executor) Ping(ctx context.Context) error {
	return e.Exec(ctx, chsql.Query{SQL: "SELECT 1"})
}

func (e *executor) Close() error {
	if e.shared {
		return nil
	}
	return e.conn.Close()
}

var codeRE = regexp.MustCompile(`Code: (\d+)\.`)

// translate turns engine and context errors into warehouse errors with safe messages. The
// exception text (which may hold SQL) stays in the wrapped cause, for logs only.
func translate(ctx context.Context, err error) error {
	if errors.Is(err, context.DeadlineExceeded) || (ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded)) {
		return warehouse.Wrap(err, warehouse.ErrTimeout, "the query took too long and was stopped")
	}
	if errors.Is(err, context.Canceled) {
		return warehouse.Wrap(err, warehouse.ErrTimeout, "the request was cancelled")
	}
	if errors.Is(err, chdb.ErrGaveUp) {
		return warehouse.Wrap(err, warehouse.ErrTimeout, "the query took too long and was stopped")
	}
	if errors.Is(err, chdb.ErrBroken) {
		return warehouse.Wrap(err, warehouse.ErrUnavailable, "the warehouse engine must be restarted")
	}
	var ex *chdb.Exception
	if errors.As(err, &ex) {
		code := 0
		if m := codeRE.FindStringSubmatch(ex.Message); m != nil {
			code, _ = strconv.Atoi(m[1])
		}
		return warehouse.Wrap(err, chsql.KindOfException(code), chsql.MessageOfException(code))
	}
	return warehouse.Wrap(err, warehouse.ErrInternal, "warehouse error")
}

// Exec runs one statement with no parameters (administration and tests).
func (s *Store) Exec(ctx context.Context, sql string) error {
	return s.Ex.Exec(ctx, chsql.Query{SQL: sql})
}
