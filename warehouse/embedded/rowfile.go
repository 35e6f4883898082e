package embedded

import (
	"context"
	"errors"
	"os"
	"strings"

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
		return nil, warehouse.Wrap(err, warehouse.ErrUnavailable, "cannot write a temporary file for the load")
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
		return warehouse.Wrap(err, warehouse.ErrUnavailable, "cannot write a temporary file for the load")
	}
	r.rows += n
	return nil
}

func (r *rowFile) Reset() error {
	r.rows = 0
	if err := r.f.Truncate(0); err != nil {
		return warehouse.Wrap(err, warehouse.ErrUnavailable, "cannot reuse a temporary file for the load")
	}
	_, err := r.f.Seek(0, 0)
	return err
}

func (r *rowFile) Close() error {
	err := r.f.Close()
	return errors.Join(err, os.Remove(r.f.Name()))
}

// Insert writes the rows to a temporary file (RowFile) and loads them from it. Loads write
// their own RowFiles; Insert serves any table, its column types read from the table.
func (e *executor) Insert(ctx context.Context, table string, columns []string, rows [][]any) error {
	structure, err := e.structure(ctx, table, columns)
	if err != nil {
		return err
	}
	f, err := e.RowFile(ctx, structure)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }() // removes the temporary file: best effort
	b, err := chsql.AppendRowsBinary(nil, rows)
	if err != nil {
		return err
	}
	if err := f.Write(b, len(rows)); err != nil {
		return err
	}
	cols := strings.Join(columns, ", ")
	_, err = e.run(ctx, "INSERT INTO "+table+" ("+cols+") SELECT "+cols+" FROM "+f.Source(), chsql.Query{}, "TabSeparated")
	return err
}

// structure gives file() the columns' types, read from the target table.
func (e *executor) structure(ctx context.Context, table string, columns []string) (string, error) {
	db, name, _ := strings.Cut(table, ".")
	types := map[string]string{}
	err := e.Select(ctx, chsql.Query{
		SQL:    "SELECT name, type FROM system.columns WHERE database = {db:String} AND table = {t:String}",
		Params: []chsql.Param{{Name: "db", Value: db}, {Name: "t", Value: name}},
	}, func(r chsql.Row) error {
		var n, t string
		if err := r.Scan(&n, &t); err != nil {
			return err
		}
		types[n] = t
		return nil
	})
	if err != nil {
		return "", err
	}
	parts := make([]string, len(columns))
	for i, c := range columns {
		t, ok := types[c]
		if !ok {
			return "", warehouse.Errorf(warehouse.ErrInternal, "column %s missing from %s", c, table)
		}
		parts[i] = c + " " + t
	}
	return strings.Join(parts, ", "), nil
}
