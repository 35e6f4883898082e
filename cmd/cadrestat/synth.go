package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/cadrestat/cadrestat/data"
	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/synth"
	"github.com/cadrestat/cadrestat/warehouse"
)

// synthCmd writes deterministic synthetic observations as CSV (for demos and benchmarks);
// it needs no warehouse: provinces and metrics come from the bundled data.
func synthCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("synth", flag.ExitOnError)
	seed := fs.Uint64("seed", 1, "random seed (same seed, same data)")
	from := fs.Int("from", 2010, "first year")
	to := fs.Int("to", 2030, "last year")
	out := fs.String("out", "-", "output file (- for standard output)")
	replicas := fs.Int("replicas", 1, "repeat every cell under sources synthetic, synthetic-2, … (benchmark scales)")
	sourcesOut := fs.String("sources-out", "", "with -replicas > 1: write the extra synthetic sources to this CSV (load it with the data)")
	fs.Parse(args)
	if *from < ingest.MinYear || *to > ingest.MaxYear || *from > *to {
		return fmt.Errorf("years must satisfy %d ≤ from ≤ to ≤ %d", ingest.MinYear, ingest.MaxYear)
	}
	cat, err := bundledCatalog()
	if err != nil {
		return err
	}
	if *replicas > 1 {
		if *sourcesOut == "" {
			return fmt.Errorf("-replicas needs -sources-out for the extra synthetic sources")
		}
		var src bytes.Buffer
		src.WriteString("id,title,issuer,doc_number,date,language,location,kind,licence\n")
		for r := 2; r <= *replicas; r++ {
			fmt.Fprintf(&src, "%s-%d,Synthetic data replica %d (benchmarks),cadrestat,,,en,generated,synthetic,synthetic: never shown unless a query asks\n", synth.SourceID, r, r)
		}
		if err := os.WriteFile(*sourcesOut, src.Bytes(), 0o644); err != nil {
			return err
		}
	}
	w := io.Writer(os.Stdout)
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	// Streamed: scale L is ten million rows, which should not be held in memory.
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := synth.NewCSVWriter(bw)
	synth.Each(cat, synth.Options{Seed: *seed, From: *from, To: *to, Replicas: *replicas}, cw.Write)
	if err := cw.Flush(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if f, ok := w.(*os.File); ok && f != os.Stdout {
		return f.Close()
	}
	return nil
}

// synthetic generates over the bundled catalogue.
func synthetic(seed uint64, from, to int) ([]warehouse.Observation, error) {
	return syntheticN(seed, from, to, 1)
}

func syntheticN(seed uint64, from, to, replicas int) ([]warehouse.Observation, error) {
	cat, err := bundledCatalog()
	if err != nil {
		return nil, err
	}
	return synth.Generate(cat, synth.Options{Seed: seed, From: from, To: to, Replicas: replicas}), nil
}

// bundledCatalog is the catalogue of the bundled published data, which synthetic rows use.
func bundledCatalog() (*warehouse.Catalog, error) {
	b, probs := ingest.Prepare(data.Files(), nil)
	if len(probs) > 0 {
		return nil, fmt.Errorf("bundled data does not validate: %s", probs[0])
	}
	return b.Catalog(), nil
}
