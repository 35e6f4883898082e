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
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/cadrestat/cadrestat/warehouse/chsql"
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
	*chsql.Core
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
		_ = s.Close() // the migration's error is the one to return
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
	if cfg.Cluster != "" && !chsql.ValidCluster(cfg.Cluster) {
		return nil, warehouse.Errorf(warehouse.ErrInvalid, "invalid cluster name %q", cfg.Cluster)
	}
	conn, err := ch.Open(opts)
	if err != nil {
		return nil, warehouse.Wrap(err, warehouse.ErrInvalid, "invalid ClickHouse connection settings")
	}
	// No dial here: the pool connects on first use, so a server that is down when cadrestat
	// starts is an UNAVAILABLE error per query, and the store recovers when it comes back.
	ex := &executor{conn: conn, cluster: cfg.Cluster}
	core, err := chsql.NewCore(ex, cfg.Database)
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
	cluster string

	mu      sync.Mutex
	known   bool // server version detected
	inlined bool // server too old for server-side parameters
	quorum  int  // cluster: replicas per shard, found on first contact (0 = not yet)
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

// prepare makes the query's context (settings, parameters) and SQL. data says the SQL
// carries row values as literals (insertSelect), so it is sent exactly as written.
func (e *executor) prepare(ctx context.Context, q chsql.Query, data, read bool) (context.Context, string, error) {
	opts := []ch.QueryOption{}
	settings := ch.Settings{}
	if read { // every server version knows these two; loads are bounded by their chunks
		for k, v := range chsql.MemorySettings() {
			settings[k] = int(v) // the driver sends int, not int64
		}
	}
	if dl, ok := ctx.Deadline(); ok {
		settings["max_execution_time"] = int(math.Max(1, math.Ceil(time.Until(dl).Seconds())))
	}
	if len(q.Settings) > 0 && !e.inline() { // a server older than 23 may not know them
		for k, v := range q.Settings {
			settings[k] = v
		}
	}
	if e.cluster != "" && !data {
		q.SQL = globalIn(q.SQL)
	}
	sql := q.SQL
	if len(q.Params) > 0 {
		if e.inline() {
			s, err := chsql.Inline(q)
			if err != nil {
				return ctx, "", warehouse.Wrap(err, warehouse.ErrInternal, "warehouse error")
			}
			sql = s
		} else {
			params := ch.Parameters{}
			for _, p := range q.Params {
				params[p.Name] = chsql.ParamText(p.Value)
			}
			opts = append(opts, ch.WithParameters(params))
		}
	}
	if e.cluster != "" {
		// On a cluster (verified on ClickHouse 18.16 and the settings exist on modern
		// servers): an INSERT into a Distributed table returns only once every shard has
		// written its rows (insert_distributed_sync), and on each shard only once every
		// replica holds them (insert_quorum = replicas per shard). So when Load writes its
		// commit row, the rows it commits are on every replica of every shard, and no read
		// through any node can see the marker before the rows. The price: a load fails
		// while any replica is down (UNAVAILABLE, nothing of it visible), and succeeds again
		// once it is back. Subqueries become GLOBAL (see globalIn).
		settings["insert_distributed_sync"] = 1
		if q := e.insertQuorum(ctx); q > 1 {
			settings["insert_quorum"] = q
			settings["insert_quorum_timeout"] = 60000
		}
	}
	if len(settings) > 0 {
		opts = append(opts, ch.WithSettings(settings))
	}
	return ch.Context(ctx, opts...), sql, nil
}

var inSubquery = regexp.MustCompile(`\b(NOT )?IN \(SELECT `)

// globalIn makes every IN (SELECT …) of a SELECT or INSERT GLOBAL IN on a cluster. A plain
// IN inside a query over a Distributed table is sent as text to every shard: a subquery over
// another Distributed table is refused there ("double-distributed", 18.16 and modern
// servers alike) and one over a load's staging table, which exists only on the node that
// received the query, fails. GLOBAL runs the subquery once, on that node, and ships its
// result to the shards; on a local table it is the same as IN. (Setting
// distributed_product_mode = 'global' would do the first half, but the driver cannot send a
// string-valued setting to an 18.16 server.) Only the code's own SQL is rewritten: values
// are parameters at this point, and row literals never come here (see prepare).
func globalIn(sql string) string {
	if !strings.HasPrefix(sql, "SELECT ") && !strings.HasPrefix(sql, "INSERT ") {
		return sql
	}
	return inSubquery.ReplaceAllString(sql, "GLOBAL ${1}IN (SELECT ")
}

// insertQuorum returns the number of replicas of the cluster's smallest shard, read once
// from system.clusters on the node cadrestat talks to; 0 until it could be read.
func (e *executor) insertQuorum(ctx context.Context) int {
	e.mu.Lock()
	q := e.quorum
	e.mu.Unlock()
	if q > 0 {
		return q
	}
	var n uint64
	rows, err := e.conn.Query(ctx, "SELECT toUInt64(min(c)) FROM (SELECT shard_num, count() AS c FROM system.clusters WHERE cluster = '"+e.cluster+"' GROUP BY shard_num)")
	if err != nil {
		return 0
	}
	defer rows.Close()
	if rows.Next() && rows.Scan(&n) == nil && n > 0 {
		e.mu.Lock()
		e.quorum = int(n)
		e.mu.Unlock()
	}
	return int(n)
}

func (e *executor) Exec(ctx context.Context, q chsql.Query) error { return e.exec(ctx, q, false) }

func (e *executor) exec(ctx context.Context, q chsql.Query, data bool) error {
	qctx, sql, err := e.prepare(ctx, q, data, false)
	if err != nil {
		return err
	}
	return translate(ctx, e.conn.Exec(qctx, sql))
}

func (e *executor) Select(ctx context.Context, q chsql.Query, each func(chsql.Row) error) error {
	qctx, sql, err := e.prepare(ctx, q, false, true)
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
	qctx, _, _ := e.prepare(ctx, chsql.Query{}, true, false)
	batch, err := e.conn.PrepareBatch(qctx, "INSERT INTO "+table+" ("+strings.Join(columns, ", ")+")")
	if err != nil {
		return translate(ctx, err)
	}
	for _, r := range rows {
		if err := batch.Append(r...); err != nil {
			_ = batch.Abort() // the append's error is the one to return
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
		if err := e.exec(ctx, chsql.Query{SQL: b.String()}, true); err != nil {
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
		return fmt.Sprintf("CAST(%s AS Nullable(Float64))", chsql.ParamText(*x))
	case string:
		return chsql.QuoteString(x)
	case []string:
		if len(x) == 0 {
			return "CAST([] AS Array(String))"
		}
		return chsql.ParamText(x)
	case uint8:
		return fmt.Sprintf("toUInt8(%d)", x)
	case uint16:
		return fmt.Sprintf("toUInt16(%d)", x)
	case uint64:
		return fmt.Sprintf("toUInt64(%d)", x)
	default:
		return chsql.QuoteString(fmt.Sprint(x))
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
		if msg, ok := clusterExceptions[ex.Code]; ok {
			return warehouse.Wrap(err, warehouse.ErrUnavailable, msg)
		}
		return warehouse.Wrap(err, chsql.KindOfException(int(ex.Code)), chsql.MessageOfException(int(ex.Code)))
	}
	if dl, ok := ctx.Deadline(); errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) || (ok && time.Until(dl) < 100*time.Millisecond) {
		return warehouse.Wrap(err, warehouse.ErrTimeout, "the query took too long and was stopped")
	}
	if errors.Is(err, context.Canceled) {
		return warehouse.Wrap(err, warehouse.ErrTimeout, "the request was cancelled")
	}
	// A refused, reset or dropped connection (server down, killed mid-query, restarting).
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, ch.ErrAcquireConnTimeout) || strings.Contains(err.Error(), "connection refused") {
		return warehouse.Wrap(err, warehouse.ErrUnavailable, "the warehouse server is unreachable")
	}
	return warehouse.Wrap(err, warehouse.ErrInternal, "warehouse error")
}

// Ping reports whether the warehouse answers. On a cluster it must be whole: the node
// cadrestat talks to answers and every shard has a replica that does (a query through
// every shard), so /readyz says so when a whole shard is down.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.ex.Ping(ctx); err != nil || s.Cluster == "" {
		return err
	}
	return s.ex.Exec(ctx, chsql.Query{SQL: "SELECT count() FROM cluster('" + s.Cluster + "', system, one)"})
}

// clusterExceptions are the ClickHouse errors of a cluster with a part missing (codes as
// 18.16 and modern servers number them, seen on the loopback cluster): the request can
// succeed later, so they are UNAVAILABLE, with a message that names no host.
var clusterExceptions = map[int32]string{
	209: "part of the warehouse cluster did not answer in time; try again shortly",         // SOCKET_TIMEOUT
	210: "part of the warehouse cluster is unreachable; try again shortly",                 // NETWORK_ERROR
	279: "part of the warehouse cluster is unreachable; try again shortly",                 // ALL_CONNECTION_TRIES_FAILED: every replica of a shard is down
	242: "the warehouse cluster cannot take writes now (coordination service unreachable)", // TABLE_IS_READ_ONLY: ZooKeeper lost
	999: "the warehouse cluster cannot take writes now (coordination service unreachable)", // KEEPER_EXCEPTION
	285: "the warehouse cluster cannot take writes now: a replica is down",                 // TOO_FEW_LIVE_REPLICAS for insert_quorum
	286: "the warehouse cluster cannot take writes now: a replica is catching up",          // UNSATISFIED_QUORUM_FOR_PREVIOUS_WRITE
	319: "the warehouse cluster could not confirm a write; try again shortly",              // UNKNOWN_STATUS_OF_INSERT
}

// Exec runs one statement with no parameters (administration and tests).
func (s *Store) Exec(ctx context.Context, sql string) error {
	return s.ex.Exec(ctx, chsql.Query{SQL: sql})
}
