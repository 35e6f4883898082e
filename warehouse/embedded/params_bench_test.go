package embedded_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/cadrestat/cadrestat/warehouse/chsql"
	"github.com/cadrestat/cadrestat/warehouse/embedded"
)

// benchStore opens a fresh folder holding 63 provinces × 10 metrics × 15 years × 2 sources
// (18,900 observations) and returns it with the query the unique-comparison scenario sends
// (one metric, 63 subjects, one year, one preferred row per cell). Run benchmarks alone
// (`-run XXX`): chDB serves one folder per process, and the tests hold another.
func benchStore(b *testing.B, conns int) (*embedded.Store, chsql.Query) {
	b.Helper()
	ctx := context.Background()
	s, err := embedded.OpenWith(ctx, b.TempDir(), "bench", embedded.Options{Connections: conns})
	if err != nil {
		b.Skip(err)
	}
	b.Cleanup(func() { s.Close() })
	batch := &warehouse.Batch{File: "bench", Sources: []warehouse.Source{{ID: "src-a", Title: "A", Kind: "seed"}, {ID: "src-b", Title: "B", Kind: "press"}}}
	var subjects []string
	for p := 1; p <= 63; p++ {
		id := fmt.Sprintf("VN63-%02d", p)
		subjects = append(subjects, id)
		batch.Provinces = append(batch.Provinces, warehouse.Province{ID: id, Map: warehouse.VN63, Code: id[5:], Name: id, NameASCII: id, Kind: "province", Region: "r"})
	}
	for m := range 10 {
		mid := fmt.Sprintf("metric_%d", m)
		batch.Metrics = append(batch.Metrics, warehouse.Metric{ID: mid, NameEN: mid, Unit: "percent", Kind: warehouse.MetricShare, Aggregation: "RATIO", Better: "HIGHER"})
		for _, subj := range subjects {
			for y := 2010; y < 2025; y++ {
				for _, src := range []string{"src-a", "src-b"} {
					v := float64(y%7) + 10
					batch.Observations = append(batch.Observations, warehouse.Observation{SubjectKind: warehouse.SubjectProvince, SubjectID: subj, MetricID: mid,
						Period: warehouse.Period{Kind: "YEAR", Start: y, End: y, Label: fmt.Sprint(y)}, Value: &v, Qualifier: warehouse.QualExact,
						Status: warehouse.StatusPublished, SourceID: src, Quote: "q"})
				}
			}
		}
	}
	if _, err := s.Load(ctx, batch); err != nil {
		b.Fatal(err)
	}
	q := chsql.ObservationsSQL("bench", warehouse.ObservationFilter{MetricIDs: []string{"metric_3"}, SubjectIDs: subjects, YearFrom: 2020, YearTo: 2020,
		OnePerCell: &warehouse.CellOrder{Statuses: []warehouse.Status{warehouse.StatusPublished, warehouse.StatusSynthetic}, PeriodKinds: []warehouse.PeriodKind{warehouse.PeriodYear, warehouse.PeriodTerm}, Sources: []string{"src-a", "src-b"}}}, false)
	return s, q
}

// BenchmarkCompareQuery: the 63-row comparison query, sent as before (values inlined into
// the SQL as escaped, cast literals by chsql.Inline) and as now (server-side
// parameters), one at a time and from 16 goroutines, on 1 and on the default number of
// engine connections.
//
//	go test -run XXX -bench CompareQuery -benchtime 3s ./warehouse/embedded/
func BenchmarkCompareQuery(b *testing.B) {
	for _, conns := range []int{1, 0} {
		s, q := benchStore(b, conns)
		conn := embedded.Conn(s)
		inlined, err := chsql.Inline(q)
		if err != nil {
			b.Fatal(err)
		}
		run := map[string]func() error{
			"inlined": func() error {
				sql, err := chsql.Inline(q)
				if err == nil {
					_, err = conn.Query(sql, "RowBinaryWithNamesAndTypes")
				}
				return err
			},
			"params": func() error {
				_, err := conn.QueryParams(q.SQL, "RowBinaryWithNamesAndTypes", embedded.EngineParams(q.Params))
				return err
			},
		}
		if out, err := conn.Query(inlined, "TabSeparated"); err != nil || len(out) == 0 {
			b.Fatalf("set-up: %v, %d bytes", err, len(out))
		}
		for _, mode := range []string{"inlined", "params"} {
			f := run[mode]
			name := fmt.Sprintf("%s/conns=%d", mode, conn.Size())
			b.Run(name+"/serial", func(b *testing.B) {
				for b.Loop() {
					if err := f(); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(name+"/parallel16", func(b *testing.B) {
				b.SetParallelism(8) // 16 goroutines on 2 CPUs, as the bench harness's 16 connections
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := f(); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		}
		s.Close()
	}
}
