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
	"github.com/cadrestat/cadrestat/internal/progress"
	"github.com/cadrestat/cadrestat/synth"
	"github.com/cadrestat/cadrestat/warehouse"
)

// SynthMain is `cadrestat synth`: it writes deterministic synthetic observations as CSV
// (for demos and benchmarks); it needs no warehouse: provinces and metrics come from the
// bundled data.
type SynthMain struct {
	seed       uint64
	from, to   int
	out        string
	replicas   int
	sourcesOut string

	file *os.File // the output, unless standard output
}

func (m *SynthMain) ParseFlags(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("synth", flag.ExitOnError)
	fs.Uint64Var(&m.seed, "seed", 1, "random seed (same seed, same data)")
	fs.IntVar(&m.from, "from", 2010, "first year")
	fs.IntVar(&m.to, "to", 2030, "last year")
	fs.StringVar(&m.out, "out", "-", "output file (- for standard output)")
	fs.IntVar(&m.replicas, "replicas", 1, "repeat every cell under sources synthetic, synthetic-2, … (benchmark scales)")
	fs.StringVar(&m.sourcesOut, "sources-out", "", "with -replicas > 1: write the extra synthetic sources to this CSV (load it with the data)")
	fs.Parse(args)
	if m.from < ingest.MinYear || m.to > ingest.MaxYear || m.from > m.to {
		return fmt.Errorf("years must satisfy %d ≤ from ≤ to ≤ %d", ingest.MinYear, ingest.MaxYear)
	}
	return nil
}

func (m *SynthMain) Run(ctx context.Context) error {
	cat, err := bundledCatalog()
	if err != nil {
		return err
	}
	if m.replicas > 1 {
		if m.sourcesOut == "" {
			return fmt.Errorf("-replicas needs -sources-out for the extra synthetic sources")
		}
		var src bytes.Buffer
		src.WriteString("id,title,issuer,doc_number,date,language,location,kind,licence\n")
		for r := 2; r <= m.replicas; r++ {
			fmt.Fprintf(&src, "%s-%d,Synthetic data replica %d (benchmarks),cadrestat,,,en,generated,synthetic,synthetic: never shown unless a query asks\n", synth.SourceID, r, r)
		}
		if err := os.WriteFile(m.sourcesOut, src.Bytes(), 0o644); err != nil {
			return err
		}
	}
	w := io.Writer(os.Stdout)
	if m.out != "-" {
		if m.file, err = os.Create(m.out); err != nil {
			return err
		}
		w = m.file
	}
	// Streamed: scale L is ten million rows, which should not be held in memory.
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := synth.NewCSVWriter(bw)
	opt := synth.Options{Seed: m.seed, From: m.from, To: m.to, Replicas: m.replicas}
	write := cw.Write
	// Rows written of the total, on a terminal only, and not when the rows themselves go
	// to that terminal.
	bar := progress.Stderr("synth")
	if m.out == "-" && progress.IsTerminal(os.Stdout) {
		bar = progress.New(nil, false, "")
	}
	if bar.On() {
		total, done := int64(synth.Count(cat, opt)), int64(0)
		write = func(o warehouse.Observation) {
			cw.Write(o)
			if done++; done%4096 == 0 || done == total {
				bar.Set(progress.State{Rows: done, TotalRows: total})
			}
		}
	}
	synth.Each(cat, opt, write)
	bar.Done()
	if err := cw.Flush(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if m.file != nil {
		f := m.file
		m.file = nil
		return f.Close()
	}
	return nil
}

// Close closes the output if Run stopped before it could.
func (m *SynthMain) Close() error {
	if m.file != nil {
		m.file.Close()
	}
	return nil
}

// bundledCatalog is the catalogue of the bundled published data, which synthetic rows use.
func bundledCatalog() (*warehouse.Catalog, error) {
	b, probs := ingest.Prepare(data.Files(), nil)
	if len(probs) > 0 {
		return nil, fmt.Errorf("bundled data does not validate: %s", probs[0])
	}
	return b.Catalog(), nil
}
