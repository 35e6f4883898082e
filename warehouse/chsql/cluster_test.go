package chsql

import (
	"strings"
	"testing"
)

func TestClusterStatements(t *testing.T) {
	var all []string
	for _, m := range Migrations {
		for _, st := range m.Statements {
			all = append(all, ClusterStatements(st, "cadrestat_cluster")...)
		}
	}
	all = append(all, ClusterStatements("ALTER TABLE {db}.observations DELETE WHERE load_id = {id:String} SETTINGS mutations_sync = 1", "cadrestat_cluster")...)
	golden(t, "cluster_ddl", strings.Join(all, "\n")+"\n")
	if got := ClusterStatements("SELECT 1", ""); len(got) != 1 || got[0] != "SELECT 1" {
		t.Fatalf("no cluster: %v", got)
	}
}
