package chsql

import (
	"context"
	"strings"
	"time"
)

// Recover removes rows of loads that never committed (a crash or kill mid-load) and
// leftover staging tables. Only a process that holds the data folder exclusively may call it.
//
// A load writes its row in load_starts before any other (startSQL), so a load that started
// and never committed is found there. Only then, or when a committed load has no start row
// (the folder was written by a binary older than load_starts, whose crashed loads left no
// trace), are the data tables scanned: that scan of load_id was 0.3–1 s of serve's start at
// scale L (11.9 M observations, load average 8 on 2 cores), the lookup here ~10 ms.
func (c *Core) Recover(ctx context.Context) error {
	stages, scan, err := c.leftovers(ctx)
	if err != nil {
		return err
	}
	if scan {
		if err := c.removeUncommitted(ctx); err != nil {
			return err
		}
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

// leftovers returns, in one statement (a statement costs 10–90 ms on the embedded engine
// whatever it reads), the staging tables left behind and whether the data tables may hold
// rows of loads that never committed.
func (c *Core) leftovers(ctx context.Context) (stages []string, scan bool, err error) {
	db := c.DB
	sql := "SELECT 'stage' AS k, name AS v FROM system.tables WHERE database = {db:String} AND startsWith(name, 'stage_')" +
		" UNION ALL SELECT 'open' AS k, load_id AS v FROM " + db + ".load_starts WHERE " + uncommitted(db) +
		" UNION ALL SELECT 'untracked' AS k, load_id AS v FROM (SELECT load_id FROM " + db + ".loads WHERE load_id NOT IN (SELECT load_id FROM " + db + ".load_starts) LIMIT 1)"
	err = c.Ex.Select(ctx, Query{SQL: sql, Params: []Param{{"db", db}}}, func(r Row) error {
		var k, v string
		if err := r.Scan(&k, &v); err != nil {
			return err
		}
		if k == "stage" {
			stages = append(stages, v)
		} else {
			scan = true
		}
		return nil
	})
	return stages, scan, err
}

// removeUncommitted deletes every data row of a load without a commit row, then records
// every committed load as started and forgets the starts of the removed loads, so the next
// open finds nothing to scan. A kill between these steps leaves a start without a commit
// or a commit without a start: the next open scans again.
func (c *Core) removeUncommitted(ctx context.Context) error {
	// One query counts every table's uncommitted rows: seven (one per table) were ~0.45 s
	// of serve's 1 s start at scale L (CADRESTAT_TRACE_SQL=1).
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
		if err := c.deleteRows(ctx, t, uncommitted(c.DB), nil); err != nil {
			return err
		}
	}
	err = c.Ex.Exec(ctx, Query{SQL: "INSERT INTO " + c.DB + ".load_starts (load_id) SELECT load_id FROM " + c.DB + ".loads WHERE load_id NOT IN (SELECT load_id FROM " + c.DB + ".load_starts)"})
	if err != nil {
		return err
	}
	return c.deleteRows(ctx, "load_starts", uncommitted(c.DB), nil)
}

// startSQL records that a load began, before it writes any row (see Recover).
func startSQL(db, loadID string) Query {
	return Query{SQL: "INSERT INTO " + db + ".load_starts (load_id) SELECT {id:String}", Params: []Param{{"id", loadID}}}
}

// discard removes what a failed load wrote: its rows and its staging tables. Its start row
// stays, so should a delete here fail, the next open removes the rows.
func (c *Core) discard(ctx context.Context, loadID string) {
	for _, t := range dataTables {
		_ = c.deleteRows(ctx, t.tableName(), "load_id = {id:String}", []Param{{"id", loadID}})
		_ = c.Ex.Exec(ctx, Query{SQL: "DROP TABLE IF EXISTS " + stageName(c.DB, loadID, t.tableName())})
	}
}

// deleteRows deletes rows of a table and returns once they are gone: on a cluster, from
// every shard's local table (a Distributed table cannot be altered). The engine waits for
// the mutation itself with mutations_sync; ClickHouse 18.16 does not know that setting (the
// server engine drops settings for servers older than 23, and the DELETE inside a SETTINGS
// clause was refused with code 62, so a failed load's rows stayed behind there), so on a
// single server this then waits for system.mutations to say the table's mutations are done.
//
// On a cluster the setting stays in the statement, as before: there 18.16 refuses it, so no
// replicated mutation is queued (with it queued, TestClusterUpgradeFromOldSchema's ALTERs
// hung behind the DDL queue until the 10-minute timeout, in CI on 835e3f4), and a failed
// load's rows stay, hidden.
func (c *Core) deleteRows(ctx context.Context, table, where string, params []Param) error {
	if c.Cluster != "" {
		return c.Ex.Exec(ctx, Query{SQL: deleteSQL(c.DB, c.Cluster, table, where), Params: params})
	}
	q := Query{SQL: deleteSQL(c.DB, "", table, where), Params: params, Settings: map[string]string{"mutations_sync": "1"}}
	if err := c.Ex.Exec(ctx, q); err != nil {
		return err
	}
	pending := Query{SQL: "SELECT toUInt64(count()) FROM system.mutations WHERE database = {db:String} AND table = {t:String} AND is_done = 0",
		Params: []Param{{"db", c.DB}, {"t", table}}}
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		var n uint64
		err := c.Ex.Select(ctx, pending, func(r Row) error { return r.Scan(&n) })
		if err != nil || n == 0 {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// deleteSQL deletes rows of a table: on a cluster, from every shard's local table, with
// mutations_sync in the statement (see deleteRows for why it stays there on a cluster).
func deleteSQL(db, cluster, table, where string) string {
	st := "ALTER TABLE {db}." + table + " DELETE WHERE " + where
	if cluster != "" {
		st += " SETTINGS mutations_sync = 1"
	}
	return expand(ClusterStatements(st, cluster)[0], db)
}
