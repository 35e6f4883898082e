package chsql

import "context"

// A load writes each table's rows through a stage, which keeps only the rows whose content
// changed and merges them into the table under the load's id (invisible until the commit).
// Two kinds: tableStage (a Memory table, any engine) and fileStage (RowBinary files, for
// executors that are RowFilers). load.go picks one.
type stage[T any] interface {
	add(ctx context.Context, rows []T) error
	merge(ctx context.Context) (changed int, err error)
	close(ctx context.Context)
}

// RowFiler is implemented by executors that can show rows to SQL as a table function over
// a local file (the embedded engine). A load then merges straight from the file instead of
// first copying every row into a staging table, which measured ~40 % of the engine's time
// of a large load.
type RowFiler interface {
	// RowFile makes an empty file for rows of the given structure ("name Type, …" of the
	// columns a load writes, in the order it encodes them).
	RowFile(ctx context.Context, structure string) (RowFile, error)
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

// changedWhere keeps the rows of src whose content differs from the current revision of the
// same id. It compares only with the current rows within scope (by default, the ids in
// src), so its cost follows the size of the load, not of the warehouse (a one-row
// correction into millions of rows).
func changedWhere(db, table, src, scope string) string {
	if scope == "" {
		scope = "id IN (SELECT id FROM " + src + ")"
	}
	return "(id, hash) NOT IN (SELECT id, hash FROM (" + currentSQL(db, table, "id, hash", scope) + "))"
}

// mergeSQL copies the changed rows of src into the table.
func mergeSQL(db, table, cols, src, scope string) string {
	return "INSERT INTO " + db + "." + table + " (" + cols + ") SELECT " + cols + " FROM " + src + " WHERE " + changedWhere(db, table, src, scope)
}
