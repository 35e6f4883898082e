package chsql

import (
	"fmt"
	"regexp"
	"strings"
)

var createRE = regexp.MustCompile(`^CREATE TABLE IF NOT EXISTS \{db\}\.(\w+) \((.*)\) ENGINE = MergeTree ORDER BY (.+)$`)

// shardKeys spreads the big table by metric and everything else at random. Correctness does
// not depend on the key: reads pick the newest revision of each id after the shards' rows are
// merged on the node that received the query (LIMIT 1 BY id; see
// TestClusterNewestRevisionAcrossShards). The key was chosen by measurement (bench/cluster,
// README "Scaling out": scale M, 635k rows, 2x2 cluster of 18.16 on 2 shared cores) against
// cityHash64(subject_id) and rand(), figures of the quieter of two passes: rows per shard
// 47.8/52.2 % (69 metrics of ~9.2k rows; by subject 56.9/43.1 %, as a VN63 province has 15
// years and a VN34 one 6; rand 50/50); cold one-metric reads (every comparison, series and
// trend) 16.1-16.7 req/s at 8 connections and p50 69-74 ms alone, against 14.5-16.1 and 68-73
// ms by subject and 14.8-15.6 and 90-92 ms by rand(); the engine copying the rows 449k rows/s
// against 330k and 355k; loads at the same rate (bound by 18.16's insert path). It also keeps
// every revision of a cell on one shard, which shard-local deduplication would need (rand()
// would not).
var shardKeys = map[string]string{"observations": "cityHash64(metric_id)"}

// ClusterStatements rewrites one migration statement for a ClickHouse cluster: each table
// becomes a ReplicatedMergeTree "<name>_local" on every node plus a Distributed "<name>"
// over them, both created ON CLUSTER; other statements get ON CLUSTER. The result still
// contains {db}. With cluster == "" the statement is returned unchanged.
func ClusterStatements(stmt, cluster string) []string {
	return clusterStatements(stmt, cluster, SchemaVersion())
}

// clusterStatements is ClusterStatements for a migration to version upTo: a table gets the
// columns of later migrations up to upTo only, so MigrateTo builds a cluster database as a
// binary whose newest migration was upTo did (the upgrade-path test).
func clusterStatements(stmt, cluster string, upTo int) []string {
	if cluster == "" {
		return []string{stmt}
	}
	on := " ON CLUSTER " + cluster
	if m := createRE.FindStringSubmatch(stmt); m != nil {
		name, cols, order := m[1], m[2], m[3]
		cols += laterColumns(name, upTo)
		return []string{
			fmt.Sprintf("CREATE TABLE IF NOT EXISTS {db}.%s_local%s (%s) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{db}/%s', '{replica}') ORDER BY %s", name, on, cols, name, order),
			distributed(name, cluster),
		}
	}
	if strings.HasPrefix(stmt, "ALTER TABLE {db}.") {
		rest := strings.TrimPrefix(stmt, "ALTER TABLE {db}.")
		name, tail, _ := strings.Cut(rest, " ")
		out := []string{"ALTER TABLE {db}." + name + "_local" + on + " " + tail}
		// A new column must also reach the Distributed table over the local ones, which
		// has its own structure; mutations (DELETE) run on the local tables only. ALTER …
		// ON CLUSTER of a Distributed table is refused by 18.16 when the shards replicate
		// internally ("Table isn't replicated, but shard is replicated", code 371), so the
		// Distributed table, which holds no rows (inserts are synchronous), is dropped and
		// created again over the altered local tables: that works on every version, and
		// running it twice changes nothing.
		if strings.HasPrefix(tail, "ADD COLUMN ") {
			out = append(out, "DROP TABLE IF EXISTS {db}."+name+on, distributed(name, cluster))
		}
		return out
	}
	return []string{stmt}
}

// laterColumns lists, as ", name Type…", the columns that later migrations add to table
// (its descriptor says which). On a cluster a table is created with them at once, so their
// ALTERs find the column and are skipped (migrate's addColumn): ClickHouse 18.16's DDL
// worker can run an ALTER … ON CLUSTER of a replicated table on both replicas of a shard
// at once, and then stops taking any distributed DDL on that node (seen on the loopback
// cluster: "Node exists … /shards/…/executed", "Terminating"). A database created before
// a column was added still gets the ALTER (fine on modern servers). upTo is the newest
// migration to include (MigrateTo builds an older binary's database for the upgrade test).
func laterColumns(table string, upTo int) string {
	if t := lookup(table); t != nil {
		return t.laterColumns(upTo)
	}
	return ""
}

// distributed creates the Distributed table name over name_local on every node.
func distributed(name, cluster string) string {
	key := shardKeys[name]
	if key == "" {
		key = "rand()"
	}
	return fmt.Sprintf("CREATE TABLE IF NOT EXISTS {db}.%s ON CLUSTER %s AS {db}.%s_local ENGINE = Distributed(%s, {db}, %s_local, %s)", name, cluster, name, cluster, name, key)
}

// ClusterName must be a plain identifier; it is spliced into DDL.
var clusterRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// ValidCluster reports whether name can be used as a cluster name (it is spliced into SQL).
func ValidCluster(name string) bool { return clusterRE.MatchString(name) }
