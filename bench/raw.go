package main

// The warehouse alone, in this process, on the folder -bin loaded (before serve holds it).

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/cadrestat/cadrestat/warehouse/chsql"
	"github.com/cadrestat/cadrestat/warehouse/embedded"
)

// rawInsert times the engine alone loading the observations just ingested (exported to a
// RowBinary file, inserted into an empty copy of the table): the ceiling for ingest on this
// machine, with no parsing or validation.
func rawInsert(dir, work string) float64 {
	ctx := context.Background()
	s, err := embedded.Open(ctx, dir, "cadrestat")
	if err != nil {
		return -1
	}
	defer s.Close()
	bin := filepath.Join(work, "observations.bin")
	defer os.Remove(bin)
	var n uint64
	if n, err = s.RawCount(ctx, "observations"); err != nil {
		return -1
	}
	structure := chsql.Structure("observations") // SELECT * exports the table's own column order
	if s.Exec(ctx, "SELECT * FROM cadrestat.observations INTO OUTFILE "+chsql.QuoteString(bin)+" FORMAT RowBinary") != nil ||
		s.Exec(ctx, "CREATE TABLE cadrestat.bench_copy AS cadrestat.observations") != nil {
		return -1
	}
	defer s.Exec(ctx, "DROP TABLE IF EXISTS cadrestat.bench_copy")
	start := time.Now()
	if s.Exec(ctx, "INSERT INTO cadrestat.bench_copy SELECT * FROM file("+chsql.QuoteString(bin)+", 'RowBinary', "+chsql.QuoteString(structure)+")") != nil {
		return -1
	}
	return float64(n) / time.Since(start).Seconds()
}

// rawCompare times the warehouse alone on the comparison's query (before serve holds the folder).
func rawCompare(dir string) float64 {
	ctx := context.Background()
	s, err := embedded.Open(ctx, dir, "cadrestat")
	if err != nil {
		return -1
	}
	defer s.Close()
	var subj []string
	cat, _ := s.Catalog(ctx)
	for _, p := range cat.ProvincesOn(warehouse.VN63) {
		subj = append(subj, p.ID)
	}
	var times []float64
	deadline := time.Now().Add(20 * time.Second) // at scale L one query takes ~0.6 s
	for i := 0; i < 200 && time.Now().Before(deadline); i++ {
		t := time.Now()
		s.Observations(ctx, warehouse.ObservationFilter{MetricIDs: []string{cat.Metrics[i%len(cat.Metrics)].ID}, SubjectIDs: append(subj, "VN"), YearTo: 2020, IncludeSynthetic: true})
		times = append(times, float64(time.Since(t).Microseconds())/1000)
	}
	sort.Float64s(times)
	return times[len(times)/2]
}
