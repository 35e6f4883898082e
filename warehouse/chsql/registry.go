package chsql

import (
	"context"

	"github.com/cadrestat/cadrestat/warehouse"
)

// dataTables in the order a load writes them.
var dataTables = []dataTable{sources, provinces, lineage, groups, metrics, targets, observations}

// dataTable is a table of any row type, as loads, recovery and the schema see it.
type dataTable interface {
	tableName() string
	structure() string
	laterColumns(upTo int) string
	load(ctx context.Context, c *Core, b *warehouse.Batch, loadID string, rev uint64, res *warehouse.LoadResult) (changed int, err error)
}

// lookup returns the data table called name, or nil.
func lookup(name string) dataTable {
	for _, t := range dataTables {
		if t.tableName() == name {
			return t
		}
	}
	return nil
}

// Tables names the data tables, in the order a load writes them.
func Tables() []string {
	out := make([]string, len(dataTables))
	for i, t := range dataTables {
		out[i] = t.tableName()
	}
	return out
}

// Structure returns a data table's current columns as "name Type, …" in the table's order
// ("" for an unknown table): what a migrated database has, and the structure file() reads
// a RowBinary export of the table (SELECT *) with.
func Structure(table string) string {
	if t := lookup(table); t != nil {
		return t.structure()
	}
	return ""
}
