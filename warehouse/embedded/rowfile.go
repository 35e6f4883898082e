package embedded

import (
	"context"
	"errors"
	"os"

	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/cadrestat/cadrestat/warehouse/chsql"
)

var _ chsql.RowFiler = (*executor)(nil)

// RowFile makes a temporary RowBinary file for rows of the given structure; the load reads
// it with the file() table function (chDB reads a file several times faster than the same
// data inlined in a query, and cut long binary data passed inline short).
func (e *executor) RowFile(_ context.Context, structure string) (chsql.RowFile, error) {
	f, err := os.CreateTemp(e.tmpDir, "cadrestat-load-*.bin")
	if err != nil {
		return nil, warehouse.Wrap(err, warehouse.KindUnavailable, "cannot write a temporary file for the load")
	}
	return &rowFile{f: f, structure: structure}, nil
}

type rowFile struct {
	f         *os.File
	structure string
	rows      int
}

func (r *rowFile) Rows() int { return r.rows }

func (r *rowFile) Source() string {
	return "file(" + chsql.QuoteString(r.f.Name()) + ", 'RowBinary', " + chsql.QuoteString(r.structure) + ")"
}

func (r *rowFile) Write(p []byte, n int) error {
	if _, err := r.f.Write(p); err != nil {
		return warehouse.Wrap(err, warehouse.KindUnavailable, "cannot write a temporary file for the load")
	}
	r.rows += n
	return nil
}

func (r *rowFile) Reset() error {
	r.rows = 0
	if err := r.f.Truncate(0); err != nil {
		return warehouse.Wrap(err, warehouse.KindUnavailable, "cannot reuse a temporary file for the load")
	}
	_, err := r.f.Seek(0, 0)
	return err
}

func (r *rowFile) Close() error {
	err := r.f.Close()
	return errors.Join(err, os.Remove(r.f.Name()))
}
