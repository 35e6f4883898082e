package service

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/cadrestat/cadrestat/data"
	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/internal/testenv"
	"github.com/cadrestat/cadrestat/synth"
	"github.com/cadrestat/cadrestat/warehouse"
)

// The warehouse picks one synthetic observation per cell (metric slices ask it to; real
// rows are all read and picked in Go); its choice must be the one the preference rule in Go
// makes from every synthetic row, for every metric.
func TestEnginePicksWhatThePreferenceRulePicks(t *testing.T) {
	ctx := context.Background()
	svc := New(testenv.Store(t), nil)
	b, _ := ingest.Prepare(data.Files(), nil)
	var syn bytes.Buffer
	synth.WriteCSV(&syn, synth.Generate(b.Catalog(), synth.Options{Seed: 3, From: 2014, To: 2026, Replicas: 3}))
	// Replicas of one kind: the newer date must win, then the id.
	src := "id,title,issuer,doc_number,date,language,location,kind,licence\n" +
		"synthetic-2,Replica 2,cadrestat,,2023,en,generated,synthetic,\n" +
		"synthetic-3,Replica 3,cadrestat,,2024,en,generated,synthetic,\n"
	files := append(data.Files(), ingest.File{Name: "syn.csv", Data: syn.Bytes()}, ingest.File{Name: "src.csv", Data: []byte(src)})
	if rep, err := svc.Load(ctx, files); err != nil || !rep.OK() {
		t.Fatalf("load: %v %+v", err, rep)
	}
	cells := 0
	for _, m := range svc.Catalog().Metrics {
		f := warehouse.ObservationFilter{MetricIDs: []string{m.ID}, IncludeSynthetic: true, Statuses: []warehouse.Status{warehouse.StatusSynthetic}}
		all, err := svc.Store.Observations(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		f.OnePerCell = svc.cellOrder()
		engine, err := svc.Store.Observations(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		svc.AttachSources(all)
		want, _ := svc.pickCells(all)
		got := map[string]string{}
		for _, o := range engine {
			got[fmt.Sprint(o.SubjectID, "/", o.Period.Label)] = o.ID
		}
		for subj, byLabel := range want {
			for l, o := range byLabel {
				cells++
				if k := fmt.Sprint(subj, "/", l); got[k] != o.ID {
					t.Fatalf("%s %s: engine picked %s, the rule picks %s (%s, %s)", m.ID, k, got[k], o.ID, o.SourceID, o.Status)
				}
			}
		}
		if n := len(engine); n != len(got) || n != countCells(want) {
			t.Fatalf("%s: engine gave %d rows for %d cells", m.ID, n, countCells(want))
		}
	}
	if cells < 40000 { // 58 metrics × 13 years × ~60 units
		t.Fatalf("only %d cells compared", cells)
	}
}

func countCells(best map[string]map[string]*warehouse.Observation) int {
	n := 0
	for _, y := range best {
		n += len(y)
	}
	return n
}
