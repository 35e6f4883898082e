package chsql

import (
	"context"
	"strings"

	"github.com/cadrestat/cadrestat/warehouse"
)

// tableStage stages rows in a Memory table, the portable way (the server engine).
type tableStage[T any] struct {
	c      *Core
	t      *table[T]
	name   string // db.stage_<load>_<table>
	loadID string
	rev    uint64
}

func newTableStage[T any](ctx context.Context, c *Core, t *table[T], loadID string, rev uint64) (*tableStage[T], error) {
	s := &tableStage[T]{c: c, t: t, name: stageName(c.DB, loadID, t.name), loadID: loadID, rev: rev}
	if err := c.Ex.Exec(ctx, Query{SQL: stageSQL(c.DB, s.name, t.name)}); err != nil {
		return nil, err
	}
	return s, nil
}

// stageName is the staging table of one table of one load (Recover drops leftovers by prefix).
func stageName(db, loadID, table string) string { return db + ".stage_" + loadID + "_" + table }

func stageSQL(db, stage, table string) string {
	return "CREATE TABLE " + stage + " AS " + db + "." + table + " ENGINE = Memory"
}

// insertChunk bounds the rows of one Insert, and so the driver's buffers.
const insertChunk = 200000

func (s *tableStage[T]) add(ctx context.Context, rows []T) error {
	boxed := make([][]any, len(rows))
	inParallel(split(len(rows)), func(_ int, sp span) {
		for i := sp.lo; i < sp.hi; i++ {
			boxed[i] = s.t.box(&rows[i], s.loadID, s.rev)
		}
	})
	cols := s.t.columns()
	for i := 0; i < len(boxed); i += insertChunk {
		if err := s.c.Ex.Insert(ctx, s.name, cols, boxed[i:min(i+insertChunk, len(boxed))]); err != nil {
			return err
		}
	}
	return nil
}

func (s *tableStage[T]) merge(ctx context.Context) (int, error) {
	c := s.c
	var n uint64
	err := c.Ex.Select(ctx, Query{SQL: changedCountSQL(c.DB, s.t.name, s.name)}, func(r Row) error { return r.Scan(&n) })
	if err != nil || n == 0 {
		return 0, err
	}
	err = c.Ex.Exec(ctx, Query{SQL: mergeSQL(c.DB, s.t.name, strings.Join(s.t.columns(), ", "), s.name, "")})
	if err == nil {
		err = afterWrite(ctx, s.t.name)
	}
	return int(n), err
}

// changedCountSQL counts the rows of a staging table that merge would write.
func changedCountSQL(db, table, stage string) string {
	return "SELECT count() FROM " + stage + " WHERE " + changedWhere(db, table, stage, "")
}

func (s *tableStage[T]) close(ctx context.Context) {
	_ = s.c.Ex.Exec(ctx, Query{SQL: "DROP TABLE IF EXISTS " + s.name})
}

var _ stage[warehouse.Observation] = (*tableStage[warehouse.Observation])(nil)
