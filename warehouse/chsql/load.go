package chsql

import (
	"context"
	"runtime"
	"strings"
	"sync"

	"github.com/cadrestat/cadrestat/warehouse"
)

// Load writes the batch through staging: rows whose content is unchanged are skipped (so
// loading a file twice changes nothing), changed rows become a new revision (the old one
// stays readable), and nothing is visible until the commit row in `loads` is written. A
// failure, including one from the batch's stream, removes what this load wrote.
//
// A load that changed no row leaves the data version as it was: the data are the same, so
// nothing keyed on the version (the server's response cache, its pre-rendered views, the
// catalogue) needs to be thrown away. It is still recorded in `loads`, at the unchanged
// version, so HasLoad finds it by its file name (the bundle is loaded once per digest).
func (c *Core) Load(ctx context.Context, b *warehouse.Batch) (res *warehouse.LoadResult, err error) {
	c.loadMu.Lock()
	defer c.loadMu.Unlock()
	current, err := c.DataVersion(ctx)
	if err != nil {
		return nil, err
	}
	// Changed rows are written at the next version (their revision); whether the load
	// commits at it is known only once every table has been merged.
	version := current + 1
	id := newLoadID()
	res = &warehouse.LoadResult{LoadID: id, DataVersion: version, Rows: b.Rows()}
	defer func() {
		if err != nil {
			c.discard(context.WithoutCancel(ctx), id)
		}
	}()
	for _, t := range loadTables {
		obs := t.name == "observations"
		var rows [][]any
		if !obs {
			rows = t.rows(b, id, version)
		}
		if len(rows) == 0 && !(obs && (len(b.Observations) > 0 || b.More != nil)) {
			continue
		}
		st, err := c.newStage(ctx, t, id, version)
		if err != nil {
			return nil, err
		}
		n, err := func() (int, error) {
			defer st.close(context.WithoutCancel(ctx))
			if !obs {
				if err := st.add(ctx, rows); err != nil {
					return 0, err
				}
				return st.merge(ctx)
			}
			if err := st.addObservations(ctx, b.Observations); err != nil {
				return 0, err
			}
			if b.More != nil {
				err := b.More(func(chunk []warehouse.Observation) error {
					res.Rows += len(chunk)
					return st.addObservations(ctx, chunk)
				})
				if err != nil {
					return 0, err
				}
			}
			return st.merge(ctx)
		}()
		if err != nil {
			return nil, err
		}
		res.Changed += n
	}
	if res.Changed == 0 {
		// Nothing of this load was written (a stage writes only changed rows, and Changed
		// counts the rows it wrote), so no row carries the revision it would have had.
		version = current
		res.DataVersion = current
	}
	err = c.Ex.Exec(ctx, Query{
		SQL:    "INSERT INTO " + c.DB + ".loads (load_id, version, file, rows, changed) SELECT {id:String}, {v:UInt64}, {f:String}, {r:UInt64}, {c:UInt64}",
		Params: []Param{{"id", id}, {"v", version}, {"f", b.File}, {"r", uint64(res.Rows)}, {"c", uint64(res.Changed)}},
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// RowFiler is implemented by executors that can show rows to SQL as a table function over
// a local file (the embedded engine). A load then merges straight from the file instead of
// first copying every row into a staging table, which measured ~40 % of the engine's time
// of a large load.
type RowFiler interface {
	RowFile(ctx context.Context, table string, columns []string) (RowFile, error)
}

// RowFile is a temporary file of rows for one table.
type RowFile interface {
	// Write appends n rows of the table's columns, encoded as RowBinary (rowbinary.go).
	Write(p []byte, n int) error
	// Rows counts the rows written since the last Reset.
	Rows() int
	// Source is a table expression (for FROM) reading what was written.
	Source() string
	// Reset empties the file for the next part.
	Reset() error
	// Close removes the file.
	Close() error
}

// stage receives one table's rows of one load and merges the changed ones into the table.
type stage interface {
	add(ctx context.Context, rows [][]any) error
	addObservations(ctx context.Context, obs []warehouse.Observation) error
	merge(ctx context.Context) (changed int, err error)
	close(ctx context.Context)
}

func (c *Core) newStage(ctx context.Context, t loadTable, loadID string, rev uint64) (stage, error) {
	if rf, ok := c.Ex.(RowFiler); ok {
		return newFileStage(ctx, rf, c, t, loadID, rev)
	}
	name := c.DB + ".stage_" + loadID + "_" + t.name
	if err := c.Ex.Exec(ctx, Query{SQL: "CREATE TABLE " + name + " AS " + c.DB + "." + t.name + " ENGINE = Memory"}); err != nil {
		return nil, err
	}
	return &tableStage{c: c, t: t, name: name, loadID: loadID, rev: rev}, nil
}

// changedWhere keeps the rows of src whose content differs from the current revision of the
// same id. It compares only with the current rows within scope (by default, the ids in
// src), so its cost follows the size of the load, not of the warehouse (a one-row
// correction into millions of rows).
func (c *Core) changedWhere(table, src, scope string) string {
	if scope == "" {
		scope = "id IN (SELECT id FROM " + src + ")"
	}
	return "(id, hash) NOT IN (SELECT id, hash FROM (" + c.current(table, "id, hash", scope) + "))"
}

// tableStage stages rows in a Memory table, the portable way (the server engine).
type tableStage struct {
	c      *Core
	t      loadTable
	name   string
	loadID string
	rev    uint64
}

func (s *tableStage) addObservations(ctx context.Context, obs []warehouse.Observation) error {
	return s.add(ctx, observationRows(obs, s.loadID, s.rev))
}

func (s *tableStage) add(ctx context.Context, rows [][]any) error {
	const chunk = 200000
	for i := 0; i < len(rows); i += chunk {
		if err := s.c.Ex.Insert(ctx, s.name, s.t.columns, rows[i:min(i+chunk, len(rows))]); err != nil {
			return err
		}
	}
	return nil
}

func (s *tableStage) merge(ctx context.Context) (int, error) {
	c, where := s.c, s.c.changedWhere(s.t.name, s.name, "")
	var n uint64
	if err := c.Ex.Select(ctx, Query{SQL: "SELECT count() FROM " + s.name + " WHERE " + where}, func(r Row) error { return r.Scan(&n) }); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, nil
	}
	cols := strings.Join(s.t.columns, ", ")
	err := c.Ex.Exec(ctx, Query{SQL: "INSERT INTO " + c.DB + "." + s.t.name + " (" + cols + ") SELECT " + cols + " FROM " + s.name + " WHERE " + where})
	if err == nil && c.FailAfterWrite != nil {
		err = c.FailAfterWrite(s.t.name)
	}
	return int(n), err
}

func (s *tableStage) close(ctx context.Context) {
	_ = s.c.Ex.Exec(ctx, Query{SQL: "DROP TABLE IF EXISTS " + s.name})
}

// observationRows converts observations to table rows on every core: hashing and boxing
// every value is a large share of a big load's time in Go.
func observationRows(obs []warehouse.Observation, loadID string, rev uint64) [][]any {
	out := make([][]any, len(obs))
	conv := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			o := &obs[i]
			if o.ID == "" {
				o.ID = warehouse.ObservationID(o.SubjectID, o.MetricID, o.Period.Label, o.SourceID)
			}
			out[i] = []any{o.ID, o.SubjectKind, o.SubjectID, o.MetricID, o.Period.Kind, uint16(o.Period.Start), uint16(o.Period.End), o.Period.Label,
				o.Value, o.Numerator, o.Denominator, o.Qualifier, o.Status, o.SourceID, o.Quote, o.Note, ObservationHash(o), loadID, rev}
		}
	}
	workers := runtime.GOMAXPROCS(0)
	if len(obs) < 4096 || workers == 1 {
		conv(0, len(obs))
		return out
	}
	var wg sync.WaitGroup
	step := (len(obs) + workers - 1) / workers
	for lo := 0; lo < len(obs); lo += step {
		wg.Go(func() { conv(lo, min(lo+step, len(obs))) })
	}
	wg.Wait()
	return out
}
