package chsql

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		os.WriteFile(path, []byte(got), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./warehouse/chsql -update to create)", err)
	}
	if string(want) != got {
		t.Fatalf("%s differs from %s:\n%s", name, path, got)
	}
}

func render(q Query) string {
	var b strings.Builder
	b.WriteString(q.SQL + "\n")
	for _, p := range q.Params {
		b.WriteString("-- " + p.Name + " = " + ParamText(p.Value) + "\n")
	}
	if len(q.Settings) > 0 {
		b.WriteString("-- settings:" + SettingsClause(q.Settings) + "\n")
	}
	inl, err := Inline(q)
	if err != nil {
		return err.Error()
	}
	return b.String() + "-- inlined:\n" + inl + "\n"
}

func TestObservationsSQL(t *testing.T) {
	cases := []struct {
		name  string
		f     warehouse.ObservationFilter
		count bool
	}{
		{"observations_all", warehouse.ObservationFilter{}, false},
		{"observations_compare", warehouse.ObservationFilter{MetricIDs: []string{"female_provincial_committee_share"}, SubjectIDs: []string{"VN", "VN63-92"}, YearTo: 2020}, false},
		{"observations_page", warehouse.ObservationFilter{SourceIDs: []string{"seed-003"}, Statuses: []warehouse.Status{warehouse.StatusPublished}, PeriodLabels: []string{"2023"}, YearFrom: 2010, AfterID: "abc", Limit: 51, IncludeSynthetic: true}, false},
		{"observations_count", warehouse.ObservationFilter{MetricIDs: []string{"staff_cut"}, AfterID: "ignored", Limit: 5}, true},
		{"observations_one_per_cell", warehouse.ObservationFilter{MetricIDs: []string{"staff_cut"}, IncludeSynthetic: true, AfterID: "ignored", Limit: 5,
			OnePerCell: &warehouse.CellOrder{Statuses: []warehouse.Status{warehouse.StatusPublished, warehouse.StatusSynthetic}, PeriodKinds: []warehouse.PeriodKind{warehouse.PeriodYear, warehouse.PeriodTerm}, Sources: []string{"seed-003", "x'y"}}}, false},
		{"observations_hostile", warehouse.ObservationFilter{MetricIDs: []string{`x' OR 1=1 --`, `a\'b`}, SubjectIDs: []string{"VN63-92'); DROP TABLE observations; --"}}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, tc.name, render(ObservationsSQL("cadrestat", tc.f, tc.count)))
		})
	}
}

func TestCellsSQL(t *testing.T) {
	metrics := []string{"female_provincial_committee_share", "x' OR 1=1 --"}
	order := &warehouse.CellOrder{Statuses: []warehouse.Status{warehouse.StatusPublished, warehouse.StatusSynthetic}, PeriodKinds: []warehouse.PeriodKind{warehouse.PeriodYear, warehouse.PeriodTerm}, Sources: []string{"seed-003", "x'y"}}
	golden(t, "cells_published", render(CellsSQL("cadrestat", warehouse.CellQuery{MetricIDs: metrics})))
	golden(t, "cells", render(CellsSQL("cadrestat", warehouse.CellQuery{MetricIDs: metrics,
		Synthetic: order})))
	golden(t, "cells_exact", render(CellsExactSQL("cadrestat", warehouse.CellQuery{MetricIDs: metrics, Synthetic: order})))
}

func TestQuoteString(t *testing.T) {
	cases := map[string]string{
		"plain":           "'plain'",
		"Cần Thơ":         "'Cần Thơ'",
		"it's":            `'it\'s'`,
		`back\slash`:      `'back\\slash'`,
		"new\nline\r\x00": `'new\nline\r\0'`,
		`\'; DROP --`:     `'\\\'; DROP --'`,
	}
	for in, want := range cases {
		if got := QuoteString(in); got != want {
			t.Errorf("QuoteString(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestInlineRejectsMissingParameter(t *testing.T) {
	if _, err := Inline(Query{SQL: "SELECT {x:String}"}); err == nil || !strings.Contains(err.Error(), "no value for parameter x") {
		t.Fatalf("err = %v", err)
	}
}

func TestValidIdent(t *testing.T) {
	for s, want := range map[string]bool{"cadrestat": true, "t1_2": true, "": false, "1abc": false, "a-b": false, "a;drop": false, "A": false} {
		if ValidIdent(s) != want {
			t.Errorf("ValidIdent(%q) = %v", s, !want)
		}
	}
}
