package warehouse

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
)

// Store is the warehouse as the rest of cadrestat sees it. Every engine implements it; one
// contract test suite (warehouse/storetest) runs against each.
type Store interface {
	// Migrate brings the schema to this binary's version; running it twice changes nothing.
	Migrate(ctx context.Context) error
	// Ping reports whether the warehouse answers.
	Ping(ctx context.Context) error
	// DataVersion increases with every committed load; caches key on it.
	DataVersion(ctx context.Context) (uint64, error)
	// Catalog returns all dimension data (provinces, groups, metrics, sources, targets).
	Catalog(ctx context.Context) (*Catalog, error)
	// Observations returns the current revision of every observation matching f.
	Observations(ctx context.Context, f ObservationFilter) ([]Observation, error)
	// CountObservations counts what Observations would return without its limit.
	CountObservations(ctx context.Context, f ObservationFilter) (int, error)
	// Revisions returns every committed revision of the given observation IDs, newest first.
	Revisions(ctx context.Context, ids []string) (map[string][]Observation, error)
	// Load validates nothing (ingest does) and writes a batch atomically: all or nothing.
	Load(ctx context.Context, b *Batch) (*LoadResult, error)
	Close() error
}

// ObservationFilter selects observations. Empty fields do not filter.
type ObservationFilter struct {
	MetricIDs        []string
	SubjectIDs       []string
	SourceIDs        []string
	Statuses         []string
	PeriodLabels     []string
	YearFrom, YearTo int // on the period's start year; 0 = open
	IncludeSynthetic bool
	AfterID          string // keyset cursor: rows with id > AfterID
	Limit            int    // 0 = no limit
	// OnePerCell, when set, keeps only the preferred observation of each subject and start
	// year (the cursor and limit are then ignored): the engine picks, so a metric with 150
	// sources per cell sends one row per cell instead of 150.
	OnePerCell *CellOrder
}

// CellOrder ranks the observations of one cell, best first: by status, then exact values
// before bounds, then by period kind, then by source, each in the order listed (every
// stored value is listed: ingest accepts no other statuses or period kinds, and the
// sources list comes from the catalogue).
type CellOrder struct {
	Statuses    []string
	PeriodKinds []string
	Sources     []string
}

// LineageLink says a VN63 unit went into a VN34 unit.
type LineageLink struct{ From, To string }

// Batch is one load: any mix of dimension rows and observations, written all or nothing.
type Batch struct {
	File         string
	Provinces    []Province
	Lineage      []LineageLink
	Groups       []Group
	Metrics      []Metric
	Sources      []Source
	Targets      []Target
	Observations []Observation
	// More, when set, streams further observations after Observations, chunk by chunk, so a
	// load of millions of rows never holds them all. It calls yield for each chunk in order;
	// an error (its own or yield's) fails the load and nothing of it stays.
	More func(yield func([]Observation) error) error
}

// Rows counts the rows a batch holds (not those More will stream).
func (b *Batch) Rows() int {
	return len(b.Provinces) + len(b.Lineage) + len(b.Groups) + len(b.Metrics) + len(b.Sources) + len(b.Targets) + len(b.Observations)
}

// LoadResult tells what a load changed.
type LoadResult struct {
	LoadID      string
	DataVersion uint64
	Rows        int
	Changed     int // rows that were new or differed from the current revision
}

// Core implements Store over an engine's Executor. Engines embed it.
type Core struct {
	Ex Executor
	DB string
	// Cluster, when set, names the ClickHouse cluster: tables are ReplicatedMergeTree
	// "<name>_local" plus Distributed "<name>", created and altered ON CLUSTER.
	Cluster string

	loadMu sync.Mutex // loads are serialised within a process
	// FilePart, when set, replaces the rows per part of a load merged from a file (tests
	// use a few rows to exercise loads of many parts).
	FilePart int
	// FailAfterWrite, when set, runs after a load has written (but not committed) table t;
	// an error from it fails the load. A test hook that simulates a crash mid-load.
	FailAfterWrite func(table string) error
}

// NewCore returns a Core over ex for database db.
func NewCore(ex Executor, db string) (*Core, error) {
	if !ValidIdent(db) {
		return nil, Errorf(KindInvalid, "invalid database name %q (use lower-case letters, digits, _)", db)
	}
	return &Core{Ex: ex, DB: db}, nil
}

func (c *Core) Migrate(ctx context.Context) error {
	return migrate(ctx, c.Ex, c.DB, c.Cluster, SchemaVersion())
}

// MigrateTo applies migrations up to version v only (tests use it to build an old folder).
func (c *Core) MigrateTo(ctx context.Context, v int) error {
	return migrate(ctx, c.Ex, c.DB, c.Cluster, v)
}

// deleteSQL deletes rows of a table synchronously: on a cluster, from every shard's local
// table (a Distributed table cannot be altered).
func (c *Core) deleteSQL(table, where string) string {
	st := "ALTER TABLE {db}." + table + " DELETE WHERE " + where + " SETTINGS mutations_sync = 1"
	return expand(ClusterStatements(st, c.Cluster)[0], c.DB)
}

// SchemaVersionApplied returns the folder's recorded schema version.
func (c *Core) SchemaVersionApplied(ctx context.Context) (int, error) {
	return appliedVersion(ctx, c.Ex, c.DB)
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

// current is the FROM clause for the newest committed revision of each row of table.
func (c *Core) current(table, cols, where string) string {
	if where != "" {
		where = " AND " + where
	}
	return "SELECT " + cols + " FROM " + c.DB + "." + table +
		" WHERE load_id IN (SELECT load_id FROM " + c.DB + ".loads)" + where +
		" ORDER BY id, revision DESC LIMIT 1 BY id"
}

// Recover removes rows of loads that never committed (a crash or kill mid-load) and
// leftover staging tables. Only a process that holds the data folder exclusively may call it.
func (c *Core) Recover(ctx context.Context) error {
	for _, t := range loadTables {
		q := Query{SQL: c.deleteSQL(t.name, "load_id NOT IN (SELECT load_id FROM "+c.DB+".loads)")}
		var n uint64
		if err := c.Ex.Select(ctx, Query{SQL: "SELECT count() FROM " + c.DB + "." + t.name + " WHERE load_id NOT IN (SELECT load_id FROM " + c.DB + ".loads)"}, func(r Row) error { return r.Scan(&n) }); err != nil {
			return err
		}
		if n == 0 {
			continue
		}
		if err := c.Ex.Exec(ctx, q); err != nil {
			return err
		}
	}
	var stages []string
	err := c.Ex.Select(ctx, Query{SQL: "SELECT name FROM system.tables WHERE database = {db:String} AND startsWith(name, 'stage_')", Params: []Param{{"db", c.DB}}}, func(r Row) error {
		var s string
		if err := r.Scan(&s); err != nil {
			return err
		}
		stages = append(stages, s)
		return nil
	})
	if err != nil {
		return err
	}
	for _, s := range stages {
		if ValidIdent(s) {
			if err := c.Ex.Exec(ctx, Query{SQL: "DROP TABLE IF EXISTS " + c.DB + "." + s}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *Core) discard(ctx context.Context, loadID string) {
	for _, t := range loadTables {
		_ = c.Ex.Exec(ctx, Query{
			SQL:    c.deleteSQL(t.name, "load_id = {id:String}"),
			Params: []Param{{"id", loadID}},
		})
		_ = c.Ex.Exec(ctx, Query{SQL: "DROP TABLE IF EXISTS " + c.DB + ".stage_" + loadID + "_" + t.name})
	}
}

func newLoadID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
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

// Catalog builds an indexed catalogue from the batch's own dimension rows (used to generate
// synthetic data from the bundled files without a warehouse).
func (b *Batch) Catalog() *Catalog {
	c := &Catalog{Provinces: b.Provinces, Groups: b.Groups, Metrics: b.Metrics, Sources: b.Sources, Targets: b.Targets}
	c.Index()
	return c
}

// RawCount counts every stored row of a table, committed or not, all revisions (tests use
// it to prove an interrupted load left nothing behind).
func (c *Core) RawCount(ctx context.Context, table string) (uint64, error) {
	if !ValidIdent(table) {
		return 0, Errorf(KindInvalid, "invalid table name %q", table)
	}
	var n uint64
	err := c.Ex.Select(ctx, Query{SQL: "SELECT count() FROM " + c.DB + "." + table}, func(r Row) error { return r.Scan(&n) })
	return n, err
}
