package chsql

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/cadrestat/cadrestat/warehouse"
)

// Migration is one versioned, idempotent schema change. Statements use IF NOT EXISTS so a
// migration interrupted half-way can simply run again.
type Migration struct {
	Version    int
	Name       string
	Statements []string
}

// Migrations is the ordered schema history. {db} is replaced by the (allow-listed) database
// name. Append new migrations; never edit one that has shipped: its text is what existing
// folders ran. The data tables' current shape is their descriptor (tables.go), and
// TestMigrationsBuildTheDescribedSchema checks this history builds exactly it. A new column
// is added with "ALTER TABLE {db}.t ADD COLUMN IF NOT EXISTS c Type" in a new migration N
// and the descriptor's column marked addedIn(N): servers too old to parse IF NOT EXISTS
// there (ClickHouse 18.16) get the statement without it, run only when system.columns does
// not list the column yet (see addColumn).
var Migrations = []Migration{
	{1, "base tables", []string{
		`CREATE TABLE IF NOT EXISTS {db}.schema_migrations (version UInt32, name String, applied_at DateTime DEFAULT now()) ENGINE = MergeTree ORDER BY version`,
		// A load becomes visible only when its row here is written: the commit marker that
		// makes an interrupted load invisible.
		`CREATE TABLE IF NOT EXISTS {db}.loads (load_id String, version UInt64, file String, rows UInt64, changed UInt64, committed_at DateTime DEFAULT now()) ENGINE = MergeTree ORDER BY version`,
		`CREATE TABLE IF NOT EXISTS {db}.provinces (id String, map String, code String, name String, name_ascii String, kind String, region String, valid_from String, valid_to String, hash UInt64, load_id String, revision UInt64) ENGINE = MergeTree ORDER BY (id, revision)`,
		`CREATE TABLE IF NOT EXISTS {db}.lineage (id String, from_id String, to_id String, hash UInt64, load_id String, revision UInt64) ENGINE = MergeTree ORDER BY (id, revision)`,
		`CREATE TABLE IF NOT EXISTS {db}.groups (id String, kind String, name String, name_vi String, map String, members Array(String), source_id String, note String, hash UInt64, load_id String, revision UInt64) ENGINE = MergeTree ORDER BY (id, revision)`,
		`CREATE TABLE IF NOT EXISTS {db}.metrics (id String, name_en String, name_vi String, unit String, kind String, body String, level String, better String, aggregation String, description String, hash UInt64, load_id String, revision UInt64) ENGINE = MergeTree ORDER BY (id, revision)`,
		`CREATE TABLE IF NOT EXISTS {db}.sources (id String, title String, issuer String, doc_number String, date String, language String, location String, kind String, licence String, hash UInt64, load_id String, revision UInt64) ENGINE = MergeTree ORDER BY (id, revision)`,
		`CREATE TABLE IF NOT EXISTS {db}.targets (id String, metric_id String, scope String, lower Nullable(Float64), upper Nullable(Float64), lower_inclusive UInt8, upper_inclusive UInt8, deadline UInt16, directive String, source_id String, quote String, note String, hash UInt64, load_id String, revision UInt64) ENGINE = MergeTree ORDER BY (id, revision)`,
		`CREATE TABLE IF NOT EXISTS {db}.observations (id String, subject_kind String, subject_id String, metric_id String, period_kind String, period_start UInt16, period_end UInt16, period_label String, value Nullable(Float64), numerator Nullable(Float64), denominator Nullable(Float64), qualifier String, status String, source_id String, quote String, note String, hash UInt64, load_id String, revision UInt64) ENGINE = MergeTree ORDER BY (metric_id, period_start, subject_id, id, revision)`,
	}},
	// Rejected ingest attempts are recorded so an operator can see what was refused and why.
	{2, "ingest rejections", []string{
		`CREATE TABLE IF NOT EXISTS {db}.rejections (file String, problems UInt64, first_problem String, at DateTime DEFAULT now()) ENGINE = MergeTree ORDER BY at`,
	}},
	// Sources a reader can open: the page's address and the date it was read (issue 14).
	// Rows written before read both as "".
	{3, "source url and retrieval date", []string{
		`ALTER TABLE {db}.sources ADD COLUMN IF NOT EXISTS url String`,
		`ALTER TABLE {db}.sources ADD COLUMN IF NOT EXISTS retrieved String`,
	}},
	// A declared priority per source, the last tie-breaker of the preference rule (issue
	// 13): higher first. Rows written before read 0.
	{4, "source priority", []string{
		`ALTER TABLE {db}.sources ADD COLUMN IF NOT EXISTS priority Int64`,
	}},
	// A load records its start before it writes a row, so opening a folder finds the loads
	// that never committed here instead of scanning every data table's load_id (Recover:
	// 0.3–1 s of serve's start at scale L, 11.9 M rows, on a busy machine).
	{5, "load starts", []string{
		`CREATE TABLE IF NOT EXISTS {db}.load_starts (load_id String, started_at DateTime DEFAULT now()) ENGINE = MergeTree ORDER BY started_at`,
	}},
	// The periods a target judges (issue 25): Chỉ thị 35's "≥ 15 % by 2020" judges the
	// 2020–2025 congresses, not the committees elected in 2025. Rows written before read [].
	{6, "target periods", []string{
		`ALTER TABLE {db}.targets ADD COLUMN IF NOT EXISTS applies Array(String)`,
	}},
}

func (c *Core) Migrate(ctx context.Context) error {
	return migrate(ctx, c.Ex, c.DB, c.Cluster, SchemaVersion())
}

// MigrateTo applies migrations up to version v only: the contract suite builds a folder as
// an older binary left it, then upgrades it.
func (c *Core) MigrateTo(ctx context.Context, v int) error {
	return migrate(ctx, c.Ex, c.DB, c.Cluster, v)
}

// SchemaVersionApplied returns the folder's recorded schema version.
func (c *Core) SchemaVersionApplied(ctx context.Context) (int, error) {
	return appliedVersion(ctx, c.Ex, c.DB)
}

// SchemaVersion is the newest migration this binary knows.
func SchemaVersion() int { return Migrations[len(Migrations)-1].Version }

// migrate applies, in order, every migration newer than the folder's recorded version, so a
// newer binary upgrades an older data folder and a second run changes nothing.
func migrate(ctx context.Context, ex Executor, db, cluster string, upTo int) error {
	if !ValidIdent(db) {
		return warehouse.Errorf(warehouse.ErrInvalid, "invalid database name %q", db)
	}
	if cluster != "" && !clusterRE.MatchString(cluster) {
		return warehouse.Errorf(warehouse.ErrInvalid, "invalid cluster name %q", cluster)
	}
	// An up-to-date folder (every start but the first) needs one statement, not three: a
	// statement is 10–90 ms of serve's start on the embedded engine. A folder without the
	// database or the bookkeeping table fails here and takes the path below.
	if applied, err := appliedVersion(ctx, ex, db); err == nil && applied >= upTo && applied <= SchemaVersion() {
		return nil
	}
	run := func(stmt string) error {
		for _, st := range clusterStatements(stmt, cluster, upTo) {
			st, skip, err := addColumn(ctx, ex, db, st)
			if err != nil {
				return err
			}
			if skip {
				continue
			}
			if err := ex.Exec(ctx, Query{SQL: expand(st, db)}); err != nil {
				return err
			}
		}
		return nil
	}
	onCluster := ""
	if cluster != "" {
		onCluster = " ON CLUSTER " + cluster
	}
	if err := ex.Exec(ctx, Query{SQL: "CREATE DATABASE IF NOT EXISTS " + db + onCluster}); err != nil {
		return err
	}
	// The bookkeeping table itself comes from migration 1; create it first so we can read it.
	if err := run(Migrations[0].Statements[0]); err != nil {
		return err
	}
	applied, err := appliedVersion(ctx, ex, db)
	if err != nil {
		return err
	}
	if applied > SchemaVersion() {
		return warehouse.Errorf(warehouse.ErrConflict, "data folder has schema version %d, newer than this binary's %d; upgrade cadrestat", applied, SchemaVersion())
	}
	for _, m := range Migrations {
		if m.Version <= applied || m.Version > upTo {
			continue
		}
		for _, st := range m.Statements {
			if err := run(st); err != nil {
				return fmt.Errorf("migration %d (%s): %w", m.Version, m.Name, err)
			}
		}
		err := ex.Exec(ctx, Query{
			SQL:    "INSERT INTO " + db + ".schema_migrations (version, name) SELECT {v:UInt32}, {n:String}",
			Params: []Param{{"v", m.Version}, {"n", m.Name}},
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func appliedVersion(ctx context.Context, ex Executor, db string) (int, error) {
	var v uint64
	err := ex.Select(ctx, Query{SQL: "SELECT toUInt64(max(version)) FROM " + db + ".schema_migrations"}, func(r Row) error {
		return r.Scan(&v)
	})
	return int(v), err
}

var addColumnRE = regexp.MustCompile(`^ALTER TABLE \{db\}\.(\w+)(?: ON CLUSTER \w+)? ADD COLUMN( IF NOT EXISTS) (\w+) `)

// addColumn makes an ADD COLUMN IF NOT EXISTS statement run on every server: it returns the
// statement without IF NOT EXISTS, or skip when the table already has the column (a
// migration that stopped half-way and runs again). Other statements pass unchanged.
func addColumn(ctx context.Context, ex Executor, db, st string) (string, bool, error) {
	m := addColumnRE.FindStringSubmatchIndex(st)
	if m == nil {
		return st, false, nil
	}
	table, column := st[m[2]:m[3]], st[m[6]:m[7]]
	var n uint64
	err := ex.Select(ctx, Query{
		SQL:    "SELECT count() FROM system.columns WHERE database = {db:String} AND table = {t:String} AND name = {c:String}",
		Params: []Param{{"db", db}, {"t", table}, {"c", column}},
	}, func(r Row) error { return r.Scan(&n) })
	if err != nil {
		return "", false, err
	}
	return st[:m[4]] + st[m[5]:], n > 0, nil
}

func expand(stmt, db string) string { return strings.ReplaceAll(stmt, "{db}", db) }
