package chsql

import (
	"context"
	"strings"
)

// Recover removes rows of loads that never committed (a crash or kill mid-load) and
// leftover staging tables. Only a process that holds the data folder exclusively may call it.
func (c *Core) Recover(ctx context.Context) error {
	// One query counts every table's uncommitted rows: a statement costs 30–90 ms on the
	// embedded engine whatever it reads, and seven of them were ~0.45 s of serve's 1 s start
	// at scale L (CADRESTAT_TRACE_SQL=1).
	var counts []string
	for _, t := range dataTables {
		counts = append(counts, "SELECT '"+t.tableName()+"' AS t, count() AS n FROM "+c.DB+"."+t.tableName()+" WHERE "+uncommitted(c.DB))
	}
	var dirty []string
	err := c.Ex.Select(ctx, Query{SQL: "SELECT t, toUInt64(n) FROM (" + strings.Join(counts, " UNION ALL ") + ") WHERE n > 0"}, func(r Row) error {
		var t string
		var n uint64
		if err := r.Scan(&t, &n); err != nil {
			return err
		}
		dirty = append(dirty, t)
		return nil
	})
	if err != nil {
		return err
	}
	for _, t := range dirty {
		if err := c.Ex.Exec(ctx, Query{SQL: deleteSQL(c.DB, c.Cluster, t, uncommitted(c.DB))}); err != nil {
			return err
		}
	}
	var stages []string
	err = c.Ex.Select(ctx, Query{SQL: "SELECT name FROM system.tables WHERE database = {db:String} AND startsWith(name, 'stage_')", Params: []Param{{"db", c.DB}}}, func(r Row) error {
		var s string
		if err := r.Scan(&s); err != nil {
			return err
		}
		stages = append(stages, s)
		return nil
	})
	if err != nil {
		return err
	}
	for _, s := range stages {
		if ValidIdent(s) {
			if err := c.Ex.Exec(ctx, Query{SQL: "DROP TABLE IF EXISTS " + c.DB + "." + s}); err != nil {
				return err
			}
		}
	}
	return nil
}

// discard removes what a failed load wrote: its rows and its staging tables.
func (c *Core) discard(ctx context.Context, loadID string) {
	for _, t := range dataTables {
		_ = c.Ex.Exec(ctx, Query{
			SQL:    deleteSQL(c.DB, c.Cluster, t.tableName(), "load_id = {id:String}"),
			Params: []Param{{"id", loadID}},
		})
		_ = c.Ex.Exec(ctx, Query{SQL: "DROP TABLE IF EXISTS " + stageName(c.DB, loadID, t.tableName())})
	}
}

// deleteSQL deletes rows of a table synchronously: on a cluster, from every shard's local
// table (a Distributed table cannot be altered).
func deleteSQL(db, cluster, table, where string) string {
	st := "ALTER TABLE {db}." + table + " DELETE WHERE " + where + " SETTINGS mutations_sync = 1"
	return expand(ClusterStatements(st, cluster)[0], db)
}
