package chsql

// Every data table is versioned the same way. After its content a row carries hash (of the
// content, so a reload skips unchanged rows), load_id (the load that wrote it) and revision
// (the data version it was written at). A row is visible once its load has a row in
// `loads` (the commit), and the current row of an id is its newest visible revision: old
// revisions stay readable, and a load that failed half-way is invisible until removed.

// versionColumns end every data table's content.
var versionColumns = []string{"hash UInt64", "load_id String", "revision UInt64"}

// currentSQL selects cols of the newest committed revision of each row of table (where, if
// set, narrows the rows first).
func currentSQL(db, table, cols, where string) string {
	if where != "" {
		where = " AND " + where
	}
	return "SELECT " + cols + " FROM " + db + "." + table +
		" WHERE load_id IN (SELECT load_id FROM " + db + ".loads)" + where +
		" ORDER BY id, revision DESC LIMIT 1 BY id"
}

// uncommitted selects the rows of loads that have no commit row.
func uncommitted(db string) string { return "load_id NOT IN (SELECT load_id FROM " + db + ".loads)" }
