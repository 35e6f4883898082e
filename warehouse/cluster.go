package warehouse

import (
	"fmt"
	"regexp"
	"strings"
)

var createRE = regexp.MustCompile(`^CREATE TABLE IF NOT EXISTS \{db\}\.(\w+) \((.*)\) ENGINE = MergeTree ORDER BY (.+)$`)

// shardKeys spreads the big table by metric (so one metric's comparison reads one shard's
// worth per node) and everything else at random.
var shardKeys = map[string]string{"observations": "cityHash64(metric_id)"}

// ClusterStatements rewrites one migration statement for a ClickHouse cluster: each table
// becomes a ReplicatedMergeTree "<name>_local" on every node plus a Distributed "<name>"
// over them, both created ON CLUSTER; other statements get ON CLUSTER. The result still
// contains {db}. With cluster == "" the statement is returned unchanged.
func ClusterStatements(stmt, cluster string) []string {
	if cluster == "" {
		return []string{stmt}
	}
	on := " ON CLUSTER " + cluster
	if m := createRE.FindStringSubmatch(stmt); m != nil {
		name, cols, order := m[1], m[2], m[3]
		key := shardKeys[name]
		if key == "" {
			key = "rand()"
		}
		return []string{
			fmt.Sprintf("CREATE TABLE IF NOT EXISTS {db}.%s_local%s (%s) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{db}/%s', '{replica}') ORDER BY %s", name, on, cols, name, order),
			fmt.Sprintf("CREATE TABLE IF NOT EXISTS {db}.%s%s AS {db}.%s_local ENGINE = Distributed(%s, {db}, %s_local, %s)", name, on, name, cluster, name, key),
		}
	}
	if strings.HasPrefix(stmt, "ALTER TABLE {db}.") {
		rest := strings.TrimPrefix(stmt, "ALTER TABLE {db}.")
		name, tail, _ := strings.Cut(rest, " ")
		out := []string{"ALTER TABLE {db}." + name + "_local" + on + " " + tail}
		// A new column must also reach the Distributed table over the local ones, which
		// has its own structure; mutations (DELETE) run on the local tables only.
		if strings.HasPrefix(tail, "ADD COLUMN ") {
			out = append(out, "ALTER TABLE {db}."+name+on+" "+tail)
		}
		return out
	}
	return []string{stmt}
}

// ClusterName must be a plain identifier; it is spliced into DDL.
var clusterRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)
