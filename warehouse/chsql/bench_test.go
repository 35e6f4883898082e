package chsql

import (
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
)

func BenchmarkObservationsSQL(b *testing.B) {
	f := warehouse.ObservationFilter{MetricIDs: []string{"female_provincial_committee_share"}, SubjectIDs: make([]string, 98), YearTo: 2020}
	for i := range f.SubjectIDs {
		f.SubjectIDs[i] = "VN63-01"
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = ObservationsSQL("cadrestat", f, false)
	}
}

func BenchmarkInline(b *testing.B) {
	q := ObservationsSQL("cadrestat", warehouse.ObservationFilter{MetricIDs: []string{"female_provincial_committee_share"}, SubjectIDs: []string{"VN", "VN63-01", "VN63-92", "VN34-92"}, YearTo: 2020}, false)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Inline(q); err != nil {
			b.Fatal(err)
		}
	}
}
