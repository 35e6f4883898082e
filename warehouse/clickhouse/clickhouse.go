// Package clickhouse is the server engine: the same Store over a ClickHouse server or
// cluster through clickhouse-go/v2 (native protocol, connection pool, server-side params).
package clickhouse

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/cadrestat/cadrestat/warehouse"
)

// Config says how to reach the server.
type Config struct {
	Addrs        []string
	User         string
	Password     string
	Database     string
	TLS          bool
	DialTimeout  time.Duration
	ReadTimeout  time.Duration
	MaxOpenConns int
	MaxIdleConns int
	// Cluster names a ClickHouse cluster: tables are created ReplicatedMergeTree + Distributed
	// ON CLUSTER, and inserts are synchronous so a load's commit follows its rows.
	Cluster string
}

// Store is the warehouse on a ClickHouse server.
type Store struct {
	*warehouse.Core
	ex *executor
}

var _ warehouse.Store = (*Store)(nil)

// Open connects and migrates. A server that is down at start is an UNAVAILABLE error.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	s, err := Connect(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Connect prepares the connection pool without contacting the server (serve starts even
// when the server is down); Open connects and migrates.
func Connect(ctx context.Context, cfg Config) (*Store, error) {
	opts := &ch.Options{
		Addr:         cfg.Addrs,
		Auth:         ch.Auth{Database: "default", Username: cfg.User, Password: cfg.Password},
		DialTimeout:  orDefault(cfg.DialTimeout, 5*time.Second),
		ReadTimeout:  orDefault(cfg.ReadTimeout, 60*time.Second),
		MaxOpenConns: max(cfg.MaxOpenConns, 1),
		MaxIdleConns: max(cfg.MaxIdleConns, 1),
	}
	if cfg.TLS {
		opts.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	conn, err := ch.Open(opts)
	if err != nil {
		return nil, warehouse.Wrap(err, warehouse.KindInvalid, "invalid ClickHouse connection settings")
	}
	// No dial here: the pool connects on first use, so a server that is down when cadrestat
	// starts is an UNAVAILABLE error per query, and the store recovers when it comes back.
	ex := &executor{conn: conn, cluster: cfg.Cluster != ""}
	core, err := warehouse.NewCore(ex, cfg.Database)
	if err != nil {
		conn.Close()
		return nil, err
	}
	core.Cluster = cfg.Cluster
	return &Store{Core: core, ex: ex}, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

type executor struct {
	conn    driver.Conn
	cluster bool

	mu      sync.Mutex
	known   bool // server version detected
	inlined bool // server too old for server-side parameters
}

// inline reports whether parameters must be inlined: server-side {name:Type} parameters
// arrived in ClickHouse 19.15 (23.x for every statement kind used here); older servers get
// escaped, cast literals. The version is read on first successful contact.
func (e *executor) inline() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.known {
		if v, err := e.conn.ServerVersion(); err == nil {
			e.known, e.inlined = true, v.Version.Major < 23
		}
	}
	return e.inlined
}

func (e *executor) prepare(ctx context.Context, q warehouse.Query) (context.Context, string, error) {
	opts := []ch.QueryOption{}
	settings := ch.Settings{}
	if dl, ok := ctx.Deadline(); ok {
		settings["max_execution_time"] = int(math.Max(1, math.Ceil(time.Until(dl).Seconds())))
	}
	sql := q.SQL
	if len(q.Params) > 0 {
		if e.inline() {
			s, err := warehouse.Inline(q)
			if err != nil {
				return ctx, "", warehouse.Wrap(err, warehouse.KindInternal, "warehouse error")
			}
			sql = s
		} else {
			params := ch.Parameters{}
			for _, p := range q.Params {
				params[p.Name] = warehouse.ParamText(p.Value)
			}
			opts = append(opts, ch.WithParameters(params))
		}
	}
	if e.cluster {
		settings["insert_distributed_sync"] = 1
	}
	if len(settings) > 0 {
		opts = append(opts, ch.WithSettings(settings))
	}
	return ch.Context(ctx, opts...), sql, nil
}

func (e *executor) Exec(ctx context.Context, q warehouse.Query) error {
	qctx, sql, err := e.prepare(ctx, q)
	if err != nil {
		return err
	}
	return translate(ctx, e.conn.Exec(qctx, sql))
}

func (e *executor) Select(ctx context.Context, q warehouse.Query, each func(warehouse.Row) error) error {
	qctx, sql, err := e.prepare(ctx, q)
	if err != nil {
		return err
	}
	rows, err := e.conn.Query(qctx, sql)
	if err != nil {
		return translate(ctx, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rowAdapter{rows}); err != nil {
			return translate(ctx, err)
		}
	}
	return translate(ctx, rows.Err())
}

type rowAdapter struct{ rows driver.Rows }

func (r rowAdapter) Scan(dest ...any) error { return r.rows.Scan(dest...) }

func (e *executor) Insert(ctx context.Context, table string, columns []string, rows [][]any) error {
	if e.inline() {
		return e.insertSelect(ctx, table, columns, rows)
	}
	qctx, _, _ := e.prepare(ctx, warehouse.Query{})
	batch, err := e.conn.PrepareBatch(qctx, "INSERT INTO "+table+" ("+strings.Join(columns, ", ")+")")
	if err != nil {
		return translate(ctx, err)
	}
	for _, r := range rows {
		if err := batch.Append(r...); err != nil {
			batch.Abort()
			return translate(ctx, err)
		}
	}
	return translate(ctx, batch.Send())
}

// insertSelect writes rows as INSERT … SELECT of literals: the only insert form that works
// on old servers (Debian's 18.16 hangs on INSERT … VALUES from this driver).
func (e *executor) insertSelect(ctx context.Context, table string, columns []string, rows [][]any) error {
	const per = 500
	for i := 0; i < len(rows); i += per {
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + strings.Join(columns, ", ") + ") ")
		for j, r := range rows[i:min(i+per, len(rows))] {
			if j > 0 {
				b.WriteString(" UNION ALL ")
			}
			b.WriteString("SELECT ")
			for k, v := range r {
				if k > 0 {
					b.WriteString(", ")
				}
				b.WriteString(literal(v))
			}
		}
		if err := e.Exec(ctx, warehouse.Query{SQL: b.String()}); err != nil {
			return err
		}
	}
	return nil
}

func literal(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case *float64:
		if x == nil {
			return "CAST(NULL AS Nullable(Float64))"
		}
		return fmt.Sprintf("CAST(%s AS Nullable(Float64))", warehouse.ParamText(*x))
	case string:
		return warehouse.QuoteString(x)
	case []string:
		if len(x) == 0 {
			return "CAST([] AS Array(String))"
		}
		return warehouse.ParamText(x)
	case uint8:
		return fmt.Sprintf("toUInt8(%d)", x)
	case uint16:
		return fmt.Sprintf("toUInt16(%d)", x)
	case uint64:
		return fmt.Sprintf("toUInt64(%d)", x)
	default:
		return warehouse.QuoteString(fmt.Sprint(x))
	}
}

func (e *executor) Ping(ctx context.Context) error { return translate(ctx, e.conn.Ping(ctx)) }
func (e *executor) Close() error                   { return e.conn.Close() }

// translate maps driver errors to warehouse errors at the engine boundary; the driver's
// text stays in the cause, for logs.
func translate(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	var we *warehouse.Error
	if errors.As(err, &we) {
		return err
	}
	var ex *ch.Exception
	if errors.As(err, &ex) {
		return warehouse.Wrap(err, warehouse.KindOfException(int(ex.Code)), warehouse.MessageOfException(int(ex.Code)))
	}
	if dl, ok := ctx.Deadline(); errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) || (ok && time.Until(dl) < 100*time.Millisecond) {
		return warehouse.Wrap(err, warehouse.KindTimeout, "the query took too long and was stopped")
	}
	if errors.Is(err, context.Canceled) {
		return warehouse.Wrap(err, warehouse.KindTimeout, "the request was cancelled")
	}
	// A refused, reset or dropped connection (server down, killed mid-query, restarting).
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, ch.ErrAcquireConnTimeout) || strings.Contains(err.Error(), "connection refused") {
		return warehouse.Wrap(err, warehouse.KindUnavailable, "the warehouse server is unreachable")
	}
	return warehouse.Wrap(err, warehouse.KindInternal, "warehouse error")
}

// Exec runs one statement with no parameters (administration and tests).
func (s *Store) Exec(ctx context.Context, sql string) error {
	return s.ex.Exec(ctx, warehouse.Query{SQL: sql})
}
