package warehouse

import (
	"context"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Load writes the batch through staging: rows whose content is unchanged are skipped (so
// loading a file twice changes nothing), changed rows become a new revision (the old one
// stays readable), and nothing is visible until the commit row in `loads` is written. A
// failure, including one from the batch's stream, removes what this load wrote.
func (c *Core) Load(ctx context.Context, b *Batch) (res *LoadResult, err error) {
	c.loadMu.Lock()
	defer c.loadMu.Unlock()
	version, err := c.DataVersion(ctx)
	if err != nil {
		return nil, err
	}
	version++
	id := newLoadID()
	res = &LoadResult{LoadID: id, DataVersion: version, Rows: b.Rows()}
	defer func() {
		if err != nil {
			c.discard(context.WithoutCancel(ctx), id)
		}
	}()
	for _, t := range loadTables {
		rows := t.rows(b, id, version)
		streamed := t.name == "observations" && b.More != nil
		if len(rows) == 0 && !streamed {
			continue
		}
		st, err := c.newStage(ctx, t, id)
		if err != nil {
			return nil, err
		}
		n, err := func() (int, error) {
			defer st.close(context.WithoutCancel(ctx))
			if err := st.add(ctx, rows); err != nil {
				return 0, err
			}
			if streamed {
				err := b.More(func(obs []Observation) error {
					res.Rows += len(obs)
					return st.add(ctx, observationRows(obs, id, version))
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
	// Write appends rows of the table's columns.
	Write(rows [][]any) error
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
	merge(ctx context.Context) (changed int, err error)
	close(ctx context.Context)
}

func (c *Core) newStage(ctx context.Context, t loadTable, loadID string) (stage, error) {
	if rf, ok := c.Ex.(RowFiler); ok {
		f, err := rf.RowFile(ctx, c.DB+"."+t.name, t.columns)
		if err != nil {
			return nil, err
		}
		return &fileStage{c: c, t: t, loadID: loadID, f: f}, nil
	}
	name := c.DB + ".stage_" + loadID + "_" + t.name
	if err := c.Ex.Exec(ctx, Query{SQL: "CREATE TABLE " + name + " AS " + c.DB + "." + t.name + " ENGINE = Memory"}); err != nil {
		return nil, err
	}
	return &tableStage{c: c, t: t, name: name}, nil
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
	c    *Core
	t    loadTable
	name string
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

// fileStage writes rows to a RowFile and merges each part of about a million rows straight
// into the table (rows carry the load id, so nothing is visible before the commit, and a
// failure's rows are deleted by load id).
type fileStage struct {
	c      *Core
	t      loadTable
	loadID string
	f      RowFile
	wrote  bool
	// For observations, the metrics and start years of the rows in the file: the rows'
	// current revisions lie within them, found through the table's sorting key instead of a
	// second parse of the file for its ids (which tripled the engine's time of a big load).
	metrics  map[string]bool
	from, to uint16
}

// filePart is how many rows a file holds before they are merged: large enough that the
// per-statement cost vanishes, small enough to bound the temporary file (~200 MB).
const filePart = 1 << 20

func (s *fileStage) add(ctx context.Context, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if err := s.f.Write(rows); err != nil {
		return err
	}
	if s.t.name == "observations" {
		s.widen(rows)
	}
	if s.f.Rows() >= filePart {
		return s.flush(ctx)
	}
	return nil
}

func (s *fileStage) flush(ctx context.Context) error {
	if s.f.Rows() == 0 {
		return nil
	}
	c, src := s.c, s.f.Source()
	cols := strings.Join(s.t.columns, ", ")
	if err := c.Ex.Exec(ctx, Query{SQL: "INSERT INTO " + c.DB + "." + s.t.name + " (" + cols + ") SELECT " + cols + " FROM " + src + " WHERE " + c.changedWhere(s.t.name, src, s.scope())}); err != nil {
		return err
	}
	s.wrote, s.metrics = true, nil
	return s.f.Reset()
}

// Column positions in obsColumns that widen uses.
const (
	obsMetricCol = 3
	obsStartCol  = 5
)

func (s *fileStage) widen(rows [][]any) {
	if s.metrics == nil {
		s.metrics, s.from, s.to = map[string]bool{}, 65535, 0
	}
	for _, r := range rows {
		s.metrics[r[obsMetricCol].(string)] = true
		y := r[obsStartCol].(uint16)
		s.from, s.to = min(s.from, y), max(s.to, y)
	}
}

// scope restricts the comparison with current rows to the file's metrics and years.
func (s *fileStage) scope() string {
	if s.metrics == nil {
		return ""
	}
	ms := make([]string, 0, len(s.metrics))
	for m := range s.metrics {
		ms = append(ms, QuoteString(m))
	}
	sort.Strings(ms)
	return "metric_id IN (" + strings.Join(ms, ", ") + ")" +
		" AND period_start BETWEEN " + strconv.Itoa(int(s.from)) + " AND " + strconv.Itoa(int(s.to))
}

func (s *fileStage) merge(ctx context.Context) (int, error) {
	if err := s.flush(ctx); err != nil {
		return 0, err
	}
	if !s.wrote {
		return 0, nil
	}
	c := s.c
	var n uint64
	err := c.Ex.Select(ctx, Query{SQL: "SELECT count() FROM " + c.DB + "." + s.t.name + " WHERE load_id = {id:String}", Params: []Param{{"id", s.loadID}}},
		func(r Row) error { return r.Scan(&n) })
	if err != nil {
		return 0, err
	}
	if n > 0 && c.FailAfterWrite != nil {
		err = c.FailAfterWrite(s.t.name)
	}
	return int(n), err
}

func (s *fileStage) close(context.Context) { _ = s.f.Close() }

// observationRows converts observations to table rows on every core: hashing and boxing
// every value is a large share of a big load's time in Go.
func observationRows(obs []Observation, loadID string, rev uint64) [][]any {
	out := make([][]any, len(obs))
	conv := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			o := &obs[i]
			if o.ID == "" {
				o.ID = ObservationID(o.SubjectID, o.MetricID, o.Period.Label, o.SourceID)
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
