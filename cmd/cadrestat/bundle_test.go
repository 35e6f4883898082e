package main

import (
	"bytes"
	"reflect"
	"sort"
	"testing"

	"github.com/cadrestat/cadrestat/data"
	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/synth"
	"github.com/cadrestat/cadrestat/warehouse"
)

// Serve's synthetic rows go into the load without CSV text now; the batch they make is the
// one the CSV text of the same rows made before, field for field (so a data folder loaded by
// an older binary holds exactly these rows, and loading them again changes no revision).
func TestSyntheticRowsLoadAsTheirCSVDid(t *testing.T) {
	cat, err := bundledCatalog()
	if err != nil {
		t.Fatal(err)
	}
	rows := synth.Generate(cat, synth.Options{Seed: 1, From: 2010, To: 2030})
	var csv bytes.Buffer
	if err := synth.WriteCSV(&csv, rows); err != nil {
		t.Fatal(err)
	}
	prepare := func(f ingest.File) []warehouse.Observation {
		b, probs := ingest.Prepare(append(data.Files(), f), nil)
		if len(probs) > 0 {
			t.Fatalf("%s: %v", f.Name, probs[0])
		}
		sort.Slice(b.Observations, func(i, j int) bool { return b.Observations[i].ID < b.Observations[j].ID })
		return b.Observations
	}
	direct, viaText := prepare(ingest.File{Name: "synthetic", Rows: rows}), prepare(ingest.File{Name: "synthetic.csv", Data: csv.Bytes()})
	if len(direct) != len(viaText) || len(direct) < len(rows) {
		t.Fatalf("%d rows direct, %d through CSV, %d synthetic", len(direct), len(viaText), len(rows))
	}
	for i := range direct {
		if !reflect.DeepEqual(direct[i], viaText[i]) { // every field, so the content hash too
			t.Fatalf("row %d differs:\ndirect %+v\nCSV    %+v", i, direct[i], viaText[i])
		}
	}
}
