package chsql

import (
	"strconv"
	"strings"
	"testing"
)

// The SQL the descriptors and the load build, pinned by golden files (go test -update
// rewrites them; review the diff): a change of a statement shows in review, not in a
// failing engine.

func TestSchemaGolden(t *testing.T) {
	var b strings.Builder
	describe(&b, sources)
	describe(&b, provinces)
	describe(&b, lineage)
	describe(&b, groups)
	describe(&b, metrics)
	describe(&b, targets)
	describe(&b, observations)
	golden(t, "schema", b.String())
}

// describe writes what a descriptor derives: the table's shape, its files' structure, what a
// read selects and the columns of its content hash.
func describe[T any](b *strings.Builder, tb *table[T]) {
	var hashed []string
	for _, c := range tb.cols {
		switch {
		case c.unhashed:
		case c.since > 0:
			hashed = append(hashed, c.name+" (when a column of migration "+strconv.Itoa(c.since)+" is set)")
		default:
			hashed = append(hashed, c.name)
		}
	}
	b.WriteString(tb.name + "\n  table: " + tb.structure() + "\n  file:  " + tb.fileStructure() +
		"\n  read:  " + tb.readList() + "\n  hash:  " + strings.Join(hashed, ", ") + "\n")
}

func TestCatalogSQL(t *testing.T) {
	got := strings.Join([]string{
		catalogSQL("cadrestat", provinces), catalogSQL("cadrestat", groups), catalogSQL("cadrestat", metrics),
		catalogSQL("cadrestat", sources), catalogSQL("cadrestat", targets), catalogSQL("cadrestat", lineage),
	}, "\n") + "\n"
	golden(t, "catalog", got)
}

func TestRevisionsSQL(t *testing.T) {
	golden(t, "revisions", render(revisionsSQL("cadrestat", []string{"5950392af8ea2af2", "x'y"})))
}

func TestLoadSQL(t *testing.T) {
	const db, load = "cadrestat", "00937fd5781478db"
	stage := stageName(db, load, "targets")
	var sc scope
	observations.narrow(&sc, fixture().Observations)
	where, params := sc.sql()
	file := "file('/data/load-tmp/cadrestat-load-1.bin', 'RowBinary', " + QuoteString(observations.fileStructure()) + ")"
	parts := []string{
		"-- start (before any row is written)",
		render(startSQL(db, load)),
		"-- table stage (server engine): create, count the changed rows, merge them",
		stageSQL(db, stage, "targets"),
		changedCountSQL(db, "targets", stage),
		mergeSQL(db, "targets", strings.Join(targets.columns(), ", "), stage, ""),
		"-- file stage (embedded engine): merge a part within its scope, count what the load wrote",
		render(Query{SQL: mergeSQL(db, "observations", strings.Join(observations.columns(), ", "), file, where), Params: params}),
		render(writtenSQL(db, "observations", load)),
		"-- commit",
		render(commitSQL(db, load, 8, "observations.csv", 120, 3)),
		"-- discard and recover",
		deleteSQL(db, "", "observations", "load_id = {id:String}"),
		deleteSQL(db, "cadrestat_cluster", "observations", uncommitted(db)),
	}
	golden(t, "load", strings.Join(parts, "\n")+"\n")
}
