package clickhouse_test

import (
	"context"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/cadrestat/cadrestat/warehouse/chsql"
	"github.com/cadrestat/cadrestat/warehouse/storetest"
)

// TestClusterNewestRevisionAcrossShards: reads stay right when two revisions of one
// observation sit on different shards, which the sharding key by metric never does but
// another key (rand()) would. The newest revision is picked after the shards' rows are
// merged on the node that received the query, so every node reads one row per id, the
// newest; warehouse/cluster.go's choice of key rests on this.
func TestClusterNewestRevisionAcrossShards(t *testing.T) {
	s := openCluster(t)
	ctx := context.Background()
	if _, err := s.Load(ctx, storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	all := warehouse.ObservationFilter{IncludeSynthetic: true}
	before, err := s.Observations(ctx, all)
	if err != nil {
		t.Fatal(err)
	}
	o := before[0]
	// The shard without the row gets a second revision of it, committed like a load.
	home, other := "s1r1", "s2r1"
	if count(t, connectAs(t, s, "s1r1").Ex, "SELECT count() FROM "+s.DB+".observations_local WHERE id = {id:String}", o.ID) == 0 {
		home, other = "s2r1", "s1r1"
	}
	st := "INSERT INTO " + s.DB + ".observations_local SELECT id, subject_kind, subject_id, metric_id, period_kind, period_start, period_end, period_label," +
		" CAST(99 AS Nullable(Float64)), numerator, denominator, qualifier, status, source_id, quote, note, hash + 1, 'l-rev2', toUInt64(revision + 1)" +
		" FROM remote('" + clusterNodes(t)[home] + "', " + s.DB + ", observations_local) WHERE id = " + chsql.QuoteString(o.ID)
	if err := connectAs(t, s, other).Exec(ctx, st); err != nil {
		t.Fatalf("%s: %v", st, err)
	}
	if err := s.Exec(ctx, "INSERT INTO "+s.DB+".loads (load_id, version, file, rows, changed) SELECT 'l-rev2', toUInt64(2), 'rev2.csv', toUInt64(1), toUInt64(1)"); err != nil {
		t.Fatal(err)
	}
	byID := "SELECT count() FROM " + s.DB + ".observations_local WHERE id = {id:String}"
	for _, n := range []string{home, other} {
		if c := count(t, connectAs(t, s, n).Ex, byID, o.ID); c != 1 {
			t.Fatalf("%s holds %d rows of %s, want 1 (one revision per shard)", n, c, o.ID)
		}
	}
	for _, n := range clusterOrder {
		r := connectAs(t, s, n)
		got, err := r.Observations(ctx, all)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(before) {
			t.Fatalf("through %s: %d observations, want %d (one per id)", n, len(got), len(before))
		}
		for _, g := range got {
			if g.ID == o.ID && (g.Value == nil || *g.Value != 99 || g.Revision != o.Revision+1) {
				t.Fatalf("through %s: %+v, want the newest revision (value 99, revision %d)", n, g, o.Revision+1)
			}
		}
		if c, err := r.CountObservations(ctx, all); err != nil || c != len(before) {
			t.Fatalf("through %s: count %d (%v), want %d", n, c, err, len(before))
		}
		revs, err := r.Revisions(ctx, []string{o.ID})
		if err != nil || len(revs[o.ID]) != 2 || revs[o.ID][0].Revision != o.Revision+1 {
			t.Fatalf("through %s: revisions %+v (%v), want both, newest first", n, revs, err)
		}
	}
}

func count(t *testing.T, s chsql.Executor, sql, id string) uint64 {
	t.Helper()
	var n uint64
	if err := s.Select(context.Background(), chsql.Query{SQL: sql, Params: []chsql.Param{{Name: "id", Value: id}}},
		func(r chsql.Row) error { return r.Scan(&n) }); err != nil {
		t.Fatal(err)
	}
	return n
}
