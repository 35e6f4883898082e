package clickhouse_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cadrestat/cadrestat/warehouse/chsql"
	"github.com/cadrestat/cadrestat/warehouse/clickhouse"
	"github.com/cadrestat/cadrestat/warehouse/storetest"
)

// TestClusterUpgradeFromOldSchema: a cluster database made by an earlier cadrestat (one
// whose newest migration was 2 or 3: its tables were created without the later columns)
// is upgraded by the current `cadrestat migrate` on ClickHouse 18.16. Migration 3 and 4 are
// replicated ALTER … ON CLUSTER statements, the kind that can stop a node's DDL worker
// (see warehouse/chsql/cluster.go). After the upgrade every node has exactly the schema of a
// database created new, every node still runs distributed DDL, the old rows read with the
// new columns empty, and a load and reads through every node work.
func TestClusterUpgradeFromOldSchema(t *testing.T) {
	clusterDir(t)
	ctx := context.Background()
	fresh := openCluster(t) // the reference: created at the current version
	want := clusterSchema(t, fresh.DB)
	for _, level := range []int{2, 3} {
		t.Run(fmt.Sprintf("from%d", level), func(t *testing.T) {
			db := fmt.Sprintf("cadrestat_cup_%d_%d", os.Getpid(), seq.Add(1))
			old, err := clickhouse.Connect(ctx, clusterCfg(t, db))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if err := old.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db+" ON CLUSTER "+clusterName); err != nil {
					t.Logf("dropping %s: %v", db, err)
				}
				old.Close()
			})
			if err := old.MigrateTo(ctx, level); err != nil {
				t.Fatalf("creating the version-%d database: %v", level, err)
			}
			// As the earlier binary left it: no url/retrieved before 3, no priority before 4.
			before := clusterSchema(t, db)
			for _, n := range clusterOrder {
				cols := strings.Join(before[n]["sources_local"], " ")
				if strings.Contains(cols, "priority") || strings.Contains(cols, "url") != (level >= 3) {
					t.Fatalf("version-%d database on %s: sources_local has %s", level, n, cols)
				}
			}
			for _, st := range []string{
				"INSERT INTO " + db + ".sources (id, title, issuer, doc_number, date, language, location, kind, licence, hash, load_id, revision) SELECT 'old', 'Old', 'I', '', '2019', 'vi', 'x', 'press', '', toUInt64(1), 'l-old', toUInt64(1)",
				"INSERT INTO " + db + ".loads (load_id, version, file, rows, changed) SELECT 'l-old', toUInt64(1), 'old.csv', toUInt64(1), toUInt64(1)",
			} {
				if err := old.Exec(ctx, st); err != nil {
					t.Fatalf("set-up %q: %v", st, err)
				}
			}

			start := time.Now()
			upgrade(t, old, db)
			t.Logf("upgrade from version %d took %v", level, time.Since(start).Round(time.Millisecond))
			if v, err := old.SchemaVersionApplied(ctx); err != nil || v != chsql.SchemaVersion() {
				t.Fatalf("after the upgrade: version %d (%v), want %d", v, err, chsql.SchemaVersion())
			}
			if got := clusterSchema(t, db); !reflect.DeepEqual(got, want) {
				t.Fatalf("schema after the upgrade differs from a new database's:\n got %v\nwant %v", got, want)
			}
			ddlAlive(t, old, db)

			if _, err := old.Load(ctx, storetest.Fixture()); err != nil {
				t.Fatalf("load after the upgrade: %v", err)
			}
			after := snap(t, old)
			if o, b := after.Catalog.Source("old"), after.Catalog.Source("src-b"); o == nil || o.Title != "Old" || o.URL != "" || o.Priority != 0 || b == nil || b.URL == "" {
				t.Fatalf("after the upgrade: old source %+v, loaded source %+v", o, b)
			}
			if len(after.Obs) == 0 {
				t.Fatal("no observations read after the load")
			}
			for _, n := range clusterOrder {
				if got := snap(t, connectAs(t, old, n)); !sameSnap(got, after) {
					t.Fatalf("through %s after the upgrade: %+v, want %+v", n, got, after)
				}
			}
		})
	}
}

// upgrade runs the current migrate over db: the binary (`cadrestat migrate`, as an operator
// would) when make test-cluster built it, else the same code in-process.
func upgrade(t *testing.T, s *clickhouse.Store, db string) {
	t.Helper()
	bin := os.Getenv("CADRESTAT_BIN")
	if bin == "" {
		if err := s.Migrate(context.Background()); err != nil {
			t.Fatalf("migrate: %v", err)
		}
		return
	}
	nodes := clusterNodes(t)
	var addrs []string
	for _, n := range clusterOrder {
		addrs = append(addrs, nodes[n])
	}
	out, err := exec.Command(bin, "migrate", "-engine", "clickhouse", "-clickhouse-addr", strings.Join(addrs, ","),
		"-clickhouse-cluster", clusterName, "-database", db).CombinedOutput()
	if err != nil {
		t.Fatalf("cadrestat migrate: %v\n%s", err, out)
	}
}

// clusterSchema lists, per node, every table of db (the database name taken out) with its
// columns and types in order (system.columns lists them so; 18.16 has no position), and
// its engine.
func clusterSchema(t *testing.T, db string) map[string]map[string][]string {
	t.Helper()
	out := map[string]map[string][]string{}
	for _, n := range clusterOrder {
		r := connectAs(t, &clickhouse.Store{Core: &chsql.Core{DB: db}}, n)
		tables := map[string][]string{}
		err := r.Ex.Select(context.Background(), chsql.Query{
			SQL:    "SELECT table, name, type FROM system.columns WHERE database = {db:String}",
			Params: []chsql.Param{{Name: "db", Value: db}},
		}, func(row chsql.Row) error {
			var tb, name, typ string
			if err := row.Scan(&tb, &name, &typ); err != nil {
				return err
			}
			tables[tb] = append(tables[tb], name+" "+typ)
			return nil
		})
		if err != nil {
			t.Fatalf("columns on %s: %v", n, err)
		}
		err = r.Ex.Select(context.Background(), chsql.Query{
			SQL:    "SELECT name, engine_full FROM system.tables WHERE database = {db:String}",
			Params: []chsql.Param{{Name: "db", Value: db}},
		}, func(row chsql.Row) error {
			var name, engine string
			if err := row.Scan(&name, &engine); err != nil {
				return err
			}
			tables[name] = append(tables[name], "ENGINE "+strings.ReplaceAll(engine, db, "{db}"))
			return nil
		})
		if err != nil {
			t.Fatalf("tables on %s: %v", n, err)
		}
		out[n] = tables
	}
	return out
}

// ddlAlive proves every node still executes distributed DDL: an ON CLUSTER statement
// returns only once all four hosts ran it (a node whose DDL worker stopped makes it time
// out after distributed_ddl_task_timeout).
func ddlAlive(t *testing.T, s *clickhouse.Store, db string) {
	t.Helper()
	ctx := context.Background()
	for _, st := range []string{
		"CREATE TABLE IF NOT EXISTS " + db + ".ddl_probe ON CLUSTER " + clusterName + " (x UInt8) ENGINE = Memory",
		"DROP TABLE IF EXISTS " + db + ".ddl_probe ON CLUSTER " + clusterName,
	} {
		if err := s.Exec(ctx, st); err != nil {
			t.Fatalf("distributed DDL after the upgrade (a node's DDL worker stopped?): %q: %v", st, err)
		}
	}
}
