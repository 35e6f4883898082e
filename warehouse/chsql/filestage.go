package chsql

import (
	"context"
	"strings"
)

// fileStage writes rows to RowFiles and merges each part of about a million rows straight
// into the table (rows carry the load id, so nothing is visible before the commit, and a
// failure's rows are deleted by load id). Two files alternate: while the engine merges one
// part, the next is encoded into the other, so Go and ClickHouse work at the same time.
type fileStage[T any] struct {
	c      *Core
	t      *table[T]
	loadID string
	rev    uint64
	files  [2]RowFile
	cur    int        // the file being written
	flying chan error // the merge in flight, if any
	wrote  bool
	bufs   [][]byte // one encoding buffer per span (split), reused
	scope  scope    // of the rows in the current file, for tables that narrow it
}

func newFileStage[T any](ctx context.Context, rf RowFiler, c *Core, t *table[T], loadID string, rev uint64) (*fileStage[T], error) {
	s := &fileStage[T]{c: c, t: t, loadID: loadID, rev: rev}
	for i := range s.files {
		f, err := rf.RowFile(ctx, t.fileStructure())
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

func partRows(ctx context.Context) int {
	if n := faultsOf(ctx).PartRows; n > 0 {
		return n
	}
	return filePart
}

// add encodes on every core (hashing and encoding cost ~0.5 µs an observation) and appends
// the spans in order.
func (s *fileStage[T]) add(ctx context.Context, rows []T) error {
	if len(rows) == 0 {
		return nil
	}
	if s.t.narrow != nil {
		s.t.narrow(&s.scope, rows)
	}
	spans := split(len(rows))
	for len(s.bufs) < len(spans) {
		s.bufs = append(s.bufs, nil)
	}
	inParallel(spans, func(i int, sp span) {
		b := s.bufs[i][:0]
		for j := sp.lo; j < sp.hi; j++ {
			b = s.t.appendRow(b, &rows[j], s.loadID, s.rev)
		}
		s.bufs[i] = b
	})
	for i, sp := range spans {
		if err := s.write(ctx, s.bufs[i], sp.hi-sp.lo); err != nil {
			return err
		}
	}
	return nil
}

func (s *fileStage[T]) write(ctx context.Context, p []byte, n int) error {
	if n == 0 {
		return nil
	}
	if err := s.files[s.cur].Write(p, n); err != nil {
		return err
	}
	if s.files[s.cur].Rows() >= partRows(ctx) {
		return s.flush(ctx)
	}
	return nil
}

// flush starts merging the current file in the background and switches to the other one
// once its own merge has finished.
func (s *fileStage[T]) flush(ctx context.Context) error {
	f := s.files[s.cur]
	if f.Rows() == 0 {
		return nil
	}
	if err := s.wait(); err != nil {
		return err
	}
	c, src := s.c, f.Source()
	where, params := s.scope.sql()
	sql := mergeSQL(c.DB, s.t.name, strings.Join(s.t.columns(), ", "), src, where)
	s.scope, s.wrote = scope{}, true
	done := make(chan error, 1)
	go func() {
		err := c.Ex.Exec(ctx, Query{SQL: sql, Params: params, Settings: partSettings})
		if err == nil {
			err = f.Reset()
		}
		done <- err
	}()
	s.flying, s.cur = done, 1-s.cur
	return nil
}

// partSettings make the engine write a part's rows in blocks of at most 256 Ki rows or
// 32 MiB instead of squashing them to its default of ~1 M rows or 256 MiB (each block is
// sorted, compressed and written with the whole of it in memory): the engine alone
// inserting L's 11.9 M rows from one file (pread) peaked at 1.40 GB RSS with the defaults,
// 0.88 GB at 256 Ki rows and 0.79 GB with both limits, at the same rate or better
// (32, 26 and 21 s, one after the other on a busy machine).
var partSettings = map[string]string{
	"min_insert_block_size_rows":  "262144",
	"max_insert_block_size":       "262144",
	"min_insert_block_size_bytes": "33554432",
}

// wait waits for the merge in flight.
func (s *fileStage[T]) wait() error {
	if s.flying == nil {
		return nil
	}
	err := <-s.flying
	s.flying = nil
	return err
}

func (s *fileStage[T]) merge(ctx context.Context) (int, error) {
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
	err := c.Ex.Select(ctx, writtenSQL(c.DB, s.t.name, s.loadID), func(r Row) error { return r.Scan(&n) })
	if err != nil {
		return 0, err
	}
	if n > 0 {
		err = afterWrite(ctx, s.t.name)
	}
	return int(n), err
}

// writtenSQL counts the rows a load wrote into a table.
func writtenSQL(db, table, loadID string) Query {
	return Query{SQL: "SELECT count() FROM " + db + "." + table + " WHERE load_id = {id:String}", Params: []Param{{"id", loadID}}}
}

func (s *fileStage[T]) close(context.Context) {
	_ = s.wait()
	for _, f := range s.files {
		if f != nil {
			_ = f.Close()
		}
	}
}
