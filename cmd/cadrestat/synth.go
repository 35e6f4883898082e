package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
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
	var buf bytes.Buffer
	obs, err := syntheticN(*seed, *from, *to, *replicas)
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
	if err := synth.WriteCSV(&buf, obs); err != nil {
		return err
	}
	if *out == "-" {
		_, err := os.Stdout.Write(buf.Bytes())
		return err
	}
	return os.WriteFile(*out, buf.Bytes(), 0o644)
}

// synthetic generates over the bundled catalogue.
func synthetic(seed uint64, from, to int) ([]warehouse.Observation, error) {
	return syntheticN(seed, from, to, 1)
}

func syntheticN(seed uint64, from, to, replicas int) ([]warehouse.Observation, error) {
	b, probs := ingest.Prepare(data.Files(), nil)
	if len(probs) > 0 {
		return nil, fmt.Errorf("bundled data does not validate: %s", probs[0])
	}
	return synth.Generate(b.Catalog(), synth.Options{Seed: seed, From: from, To: to, Replicas: replicas}), nil
}
