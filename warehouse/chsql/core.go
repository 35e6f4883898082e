package chsql

import (
	"context"
	"sync"

	"github.com/cadrestat/cadrestat/warehouse"
)

// Core implements warehouse.Store over an engine's Executor. Engines embed it.
type Core struct {
	Ex Executor
	DB string
	// Cluster, when set, names the ClickHouse cluster: tables are ReplicatedMergeTree
	// "<name>_local" plus Distributed "<name>", created and altered ON CLUSTER.
	Cluster string

	loadMu sync.Mutex // loads are serialised within a process
}

var (
	_ warehouse.Store             = (*Core)(nil)
	_ warehouse.LoadHistory       = (*Core)(nil)
	_ warehouse.RejectionRecorder = (*Core)(nil)
)

// NewCore returns a Core over ex for database db.
func NewCore(ex Executor, db string) (*Core, error) {
	if !ValidIdent(db) {
		return nil, warehouse.Errorf(warehouse.ErrInvalid, "invalid database name %q (use lower-case letters, digits, _)", db)
	}
	return &Core{Ex: ex, DB: db}, nil
}

func (c *Core) Ping(ctx context.Context) error { return c.Ex.Ping(ctx) }
func (c *Core) Close() error                   { return c.Ex.Close() }

func (c *Core) DataVersion(ctx context.Context) (uint64, error) {
	var v uint64
	err := c.Ex.Select(ctx, Query{SQL: "SELECT toUInt64(max(version)) FROM " + c.DB + ".loads"}, func(r Row) error {
		return r.Scan(&v)
	})
	return v, err
}

// RecordRejection notes a refused ingest (file, problem count, first problem) for operators.
func (c *Core) RecordRejection(ctx context.Context, file string, problems int, first string) error {
	return c.Ex.Exec(ctx, Query{
		SQL:    "INSERT INTO " + c.DB + ".rejections (file, problems, first_problem) SELECT {f:String}, {n:UInt64}, {p:String}",
		Params: []Param{{"f", file}, {"n", uint64(problems)}, {"p", first}},
	})
}

// HasLoad reports whether a committed load was made under this file name (bundled data
// is loaded as "bundle:<digest>", once per change of the bundle).
func (c *Core) HasLoad(ctx context.Context, file string) (bool, error) {
	var n uint64
	err := c.Ex.Select(ctx, Query{SQL: "SELECT count() FROM " + c.DB + ".loads WHERE file = {f:String}", Params: []Param{{"f", file}}},
		func(r Row) error { return r.Scan(&n) })
	return n > 0, err
}

// RawCount counts every stored row of a table, committed or not, all revisions: what the
// engine holds, which the benchmark harness reports and tests compare to prove an
// interrupted load left nothing behind.
func (c *Core) RawCount(ctx context.Context, table string) (uint64, error) {
	if !ValidIdent(table) {
		return 0, warehouse.Errorf(warehouse.ErrInvalid, "invalid table name %q", table)
	}
	var n uint64
	err := c.Ex.Select(ctx, Query{SQL: "SELECT count() FROM " + c.DB + "." + table}, func(r Row) error { return r.Scan(&n) })
	return n, err
}
