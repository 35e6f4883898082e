package chsql

import (
	"context"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/cadrestat/cadrestat/warehouse"
)

// fileStage writes rows to RowFiles and merges each part of about a million rows straight
// into the table (rows carry the load id, so nothing is visible before the commit, and a
// failure's rows are deleted by load id). Two files alternate: while the engine merges one
// part, the next is encoded into the other, so Go and ClickHouse work at the same time.
type fileStage struct {
	c      *Core
	t      loadTable
	loadID string
	rev    uint64
	files  [2]RowFile
	cur    int        // the file being written
	flying chan error // the merge in flight, if any
	wrote  bool
	bufs   [][]byte // one encoding buffer per core, reused
	// For observations, the metrics and start years of the rows in the current file: their
	// current revisions lie within them, found through the table's sorting key instead of
	// a second parse of the file for its ids (which tripled the engine's time of a load).
	metrics  map[string]bool
	from, to uint16
}

func newFileStage(ctx context.Context, rf RowFiler, c *Core, t loadTable, loadID string, rev uint64) (*fileStage, error) {
	s := &fileStage{c: c, t: t, loadID: loadID, rev: rev}
	for i := range s.files {
		f, err := rf.RowFile(ctx, c.DB+"."+t.name, t.columns)
		if err != nil {
			s.close(ctx)
			return nil, err
		}
		s.files[i] = f
	}
	return s, nil
}

// filePart is how many rows a file holds before they are merged: large enough that the
// per-statement cost vanishes, small enough to bound the temporary files (~150 MB each).
const filePart = 1 << 20

func (c *Core) filePart() int {
	if c.FilePart > 0 {
		return c.FilePart
	}
	return filePart
}

func (s *fileStage) add(ctx context.Context, rows [][]any) error {
	b, err := AppendRowsBinary(nil, rows)
	if err != nil {
		return err
	}
	return s.write(ctx, b, len(rows))
}

// addObservations encodes on every core (hashing and encoding cost ~0.5 µs a row) and
// appends the parts in order.
func (s *fileStage) addObservations(ctx context.Context, obs []warehouse.Observation) error {
	if len(obs) == 0 {
		return nil
	}
	s.widen(obs)
	workers := runtime.GOMAXPROCS(0)
	if len(obs) < 4096 {
		workers = 1
	}
	for len(s.bufs) < workers {
		s.bufs = append(s.bufs, nil)
	}
	step := (len(obs) + workers - 1) / workers
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := min(w*step, len(obs)), min((w+1)*step, len(obs))
		wg.Go(func() {
			b := s.bufs[w][:0]
			for i := lo; i < hi; i++ {
				b = appendObservationRow(b, &obs[i], s.loadID, s.rev)
			}
			s.bufs[w] = b
		})
	}
	wg.Wait()
	for w := 0; w < workers; w++ {
		lo, hi := min(w*step, len(obs)), min((w+1)*step, len(obs))
		if err := s.write(ctx, s.bufs[w], hi-lo); err != nil {
			return err
		}
	}
	return nil
}

func (s *fileStage) write(ctx context.Context, p []byte, n int) error {
	if n == 0 {
		return nil
	}
	if err := s.files[s.cur].Write(p, n); err != nil {
		return err
	}
	if s.files[s.cur].Rows() >= s.c.filePart() {
		return s.flush(ctx)
	}
	return nil
}

// flush starts merging the current file in the background and switches to the other one
// once its own merge has finished.
func (s *fileStage) flush(ctx context.Context) error {
	f := s.files[s.cur]
	if f.Rows() == 0 {
		return nil
	}
	if err := s.wait(); err != nil {
		return err
	}
	c, src := s.c, f.Source()
	cols := strings.Join(s.t.columns, ", ")
	scope, params := s.scope()
	sql := "INSERT INTO " + c.DB + "." + s.t.name + " (" + cols + ") SELECT " + cols + " FROM " + src + " WHERE " + c.changedWhere(s.t.name, src, scope)
	s.metrics, s.wrote = nil, true
	done := make(chan error, 1)
	go func() {
		err := c.Ex.Exec(ctx, Query{SQL: sql, Params: params})
		if err == nil {
			err = f.Reset()
		}
		done <- err
	}()
	s.flying, s.cur = done, 1-s.cur
	return nil
}

// wait waits for the merge in flight.
func (s *fileStage) wait() error {
	if s.flying == nil {
		return nil
	}
	err := <-s.flying
	s.flying = nil
	return err
}

func (s *fileStage) widen(obs []warehouse.Observation) {
	if s.metrics == nil {
		s.metrics, s.from, s.to = map[string]bool{}, 65535, 0
	}
	last := ""
	for i := range obs {
		if m := obs[i].MetricID; m != last {
			s.metrics[m], last = true, m
		}
		y := uint16(obs[i].Period.Start)
		s.from, s.to = min(s.from, y), max(s.to, y)
	}
}

// scope restricts the comparison with current rows to the file's metrics and years.
func (s *fileStage) scope() (string, []Param) {
	if s.metrics == nil {
		return "", nil
	}
	ms := make([]string, 0, len(s.metrics))
	for m := range s.metrics {
		ms = append(ms, m)
	}
	sort.Strings(ms)
	// Bound as parameters like every other value: the metric IDs come from the loaded file.
	return "metric_id IN {scope_metrics:Array(String)} AND period_start BETWEEN {scope_from:UInt16} AND {scope_to:UInt16}",
		[]Param{{"scope_metrics", ms}, {"scope_from", uint64(s.from)}, {"scope_to", uint64(s.to)}}
}

func (s *fileStage) merge(ctx context.Context) (int, error) {
	if err := s.flush(ctx); err != nil {
		return 0, err
	}
	if err := s.wait(); err != nil {
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

func (s *fileStage) close(context.Context) {
	_ = s.wait()
	for _, f := range s.files {
		if f != nil {
			_ = f.Close()
		}
	}
}
