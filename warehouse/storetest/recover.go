package storetest

import (
	"context"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse/chsql"
)

// recoverSuite checks that opening a folder removes the rows of loads that never committed,
// both those of a load that recorded its start (this binary) and those a binary older than
// load_starts left, and that a clean folder is not scanned.
func recoverSuite(t *testing.T, ctx context.Context, newStore Factory) {
	exec := func(t *testing.T, c *chsql.Core, sts ...string) {
		t.Helper()
		for _, st := range sts {
			if err := c.Ex.Exec(ctx, chsql.Query{SQL: st}); err != nil {
				t.Fatalf("set-up %q: %v", st, err)
			}
		}
	}
	source := func(c *chsql.Core, id, load string) string {
		return "INSERT INTO " + c.DB + ".sources (id, title, issuer, doc_number, date, language, location, kind, licence, hash, load_id, revision) SELECT '" + id + "', 'T', 'I', '', '2019', 'vi', 'x', 'press', '', toUInt64(1), '" + load + "', toUInt64(99)"
	}
	count := func(t *testing.T, c *chsql.Core) uint64 {
		t.Helper()
		n, err := c.RawCount(ctx, "sources")
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	recoverOK := func(t *testing.T, c *chsql.Core) {
		t.Helper()
		if err := c.Recover(ctx); err != nil {
			t.Fatalf("recover: %v", err)
		}
	}

	t.Run("StartedLoad", func(t *testing.T) {
		s, core := newStore(t)
		mustLoad(t, s, Fixture())
		n0 := count(t, core)
		// What a load killed after writing sources leaves: its start row and its rows.
		exec(t, core, "INSERT INTO "+core.DB+".load_starts (load_id) SELECT 'l-killed'", source(core, "killed", "l-killed"))
		recoverOK(t, core)
		if n := count(t, core); n != n0 {
			t.Fatalf("after recover: %d source rows, want %d", n, n0)
		}
		// Its start is forgotten with its rows; later loads still commit and read back.
		mustLoad(t, s, Fixture())
		recoverOK(t, core)
		if cat, err := s.Catalog(ctx); err != nil || cat.Source("src-a") == nil {
			t.Fatalf("catalogue after recover and load: %v", err)
		}
	})

	t.Run("FolderOlderThanLoadStarts", func(t *testing.T) {
		_, core := newStore(t)
		old, err := chsql.NewCore(core.Ex, core.DB+"_v4")
		if err != nil {
			t.Fatal(err)
		}
		old.Cluster = core.Cluster
		t.Cleanup(func() { _ = core.Ex.Exec(context.Background(), chsql.Query{SQL: "DROP DATABASE IF EXISTS " + old.DB}) })
		if err := old.MigrateTo(ctx, 4); err != nil {
			t.Fatal(err)
		}
		// A committed load and a killed one, written before loads recorded their start.
		exec(t, old, source(old, "kept", "l-done"), source(old, "killed", "l-killed"),
			"INSERT INTO "+old.DB+".loads (load_id, version, file, rows, changed) SELECT 'l-done', toUInt64(1), 'old.csv', toUInt64(1), toUInt64(1)")
		if err := old.Migrate(ctx); err != nil {
			t.Fatalf("upgrade: %v", err)
		}
		recoverOK(t, old)
		if n := count(t, old); n != 1 {
			t.Fatalf("after recover: %d source rows, want 1 (the committed one)", n)
		}
		// The scan recorded the committed load as started: the next open trusts load_starts
		// and does not read the data tables, which a row no load of this binary can leave
		// (uncommitted, without a start) shows.
		exec(t, old, source(old, "unstarted", "l-never"))
		recoverOK(t, old)
		if n := count(t, old); n != 2 {
			t.Fatalf("a clean folder was scanned: %d source rows, want 2", n)
		}
	})
}
