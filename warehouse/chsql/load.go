package chsql

import (
	"context"
	"crypto/rand"
	"encoding/hex"

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
	if err := c.Ex.Exec(ctx, startSQL(c.DB, id)); err != nil {
		return nil, err
	}
	for _, t := range dataTables {
		n, err := t.load(ctx, c, b, id, version, res)
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
	if err := c.Ex.Exec(ctx, commitSQL(c.DB, id, version, b.File, res.Rows, res.Changed)); err != nil {
		return nil, err
	}
	return res, nil
}

// commitSQL writes a load's row in `loads`, which makes its rows visible.
func commitSQL(db, loadID string, version uint64, file string, rows, changed int) Query {
	return Query{
		SQL:    "INSERT INTO " + db + ".loads (load_id, version, file, rows, changed) SELECT {id:String}, {v:UInt64}, {f:String}, {r:UInt64}, {c:UInt64}",
		Params: []Param{{"id", loadID}, {"v", version}, {"f", file}, {"r", uint64(rows)}, {"c", uint64(changed)}},
	}
}

// load writes the batch's rows of table t (and those its stream yields, counted into res)
// through one stage, and returns how many changed.
func (t *table[T]) load(ctx context.Context, c *Core, b *warehouse.Batch, loadID string, rev uint64, res *warehouse.LoadResult) (int, error) {
	rows := t.rows(b)
	var more func(yield func([]T) error) error
	if t.more != nil {
		more = t.more(b)
	}
	if len(rows) == 0 && more == nil {
		return 0, nil
	}
	st, err := newStage(ctx, c, t, loadID, rev)
	if err != nil {
		return 0, err
	}
	defer st.close(context.WithoutCancel(ctx))
	if err := st.add(ctx, rows); err != nil {
		return 0, err
	}
	if more != nil {
		err := more(func(chunk []T) error {
			res.Rows += len(chunk)
			return st.add(ctx, chunk)
		})
		if err != nil {
			return 0, err
		}
	}
	return st.merge(ctx)
}

// newStage stages through files when the executor can (RowFiler), else through a table.
func newStage[T any](ctx context.Context, c *Core, t *table[T], loadID string, rev uint64) (stage[T], error) {
	if rf, ok := c.Ex.(RowFiler); ok {
		return newFileStage(ctx, rf, c, t, loadID, rev)
	}
	return newTableStage(ctx, c, t, loadID, rev)
}

func newLoadID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
