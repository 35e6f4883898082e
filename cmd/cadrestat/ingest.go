package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/cadrestat/cadrestat/admin"
	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/internal/progress"
	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/warehouse"
)

// IngestMain is `cadrestat ingest FILE…`: it validates and loads files, handing them to a
// running serve that holds the data folder, or opening the folder itself.
type IngestMain struct {
	ef         engineFlags
	report     bool
	upload     bool
	cpuProfile string
	paths      []string

	profile *os.File
	store   warehouse.Store
}

func (m *IngestMain) ParseFlags(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ingest", flag.ExitOnError)
	m.ef.register(fs)
	fs.BoolVar(&m.report, "report", false, "print the report as JSON (every problem at once)")
	fs.BoolVar(&m.upload, "upload", false, "hand a running server the files' contents (streamed) even if it could read their paths")
	fs.StringVar(&m.cpuProfile, "cpuprofile", "", "write a CPU profile of the load to this file")
	fs.Parse(args)
	if fs.NArg() == 0 {
		return errors.New("ingest needs at least one FILE (CSV or JSON, or a folder of them); see docs/data-format.md")
	}
	m.paths = fs.Args()
	return nil
}

func (m *IngestMain) Run(ctx context.Context) error {
	if m.cpuProfile != "" {
		f, err := os.Create(m.cpuProfile)
		if err != nil {
			return err
		}
		m.profile = f
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	files, err := ingest.ReadFiles(m.paths)
	if err != nil {
		return err
	}
	bar := progress.Stderr("ingest") // draws only on a terminal
	rep, err := handOff(ctx, m.ef, files, m.upload, bar)
	if err != nil {
		return err
	}
	if rep == nil { // no running server: open the folder ourselves
		s, err := m.ef.open(ctx, readWrite)
		if err != nil {
			return err
		}
		m.store = s
		ingest.LimitHeap()
		var opt ingest.Options
		if bar.On() {
			opt.Progress = bar.Set
		}
		rep, err = service.New(m.store, logger()).LoadWith(withFaults(ctx), files, opt)
		if err != nil {
			bar.Clear()
			return err
		}
		bar.Done()
	}
	return printReport(rep, m.report)
}

func (m *IngestMain) Close() error {
	if m.profile != nil {
		pprof.StopCPUProfile()
		m.profile.Close()
	}
	return closeStore(m.store)
}

func printReport(rep *ingest.Report, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else if rep.OK() {
		fmt.Printf("loaded %d rows from %d file(s): %d new or changed; data version %d\n", rep.Rows, len(rep.Files), rep.Changed, rep.DataVersion)
	} else {
		fmt.Fprintf(os.Stderr, "nothing loaded: %d problem(s)\n", len(rep.Problems))
		for _, p := range rep.Problems {
			fmt.Fprintln(os.Stderr, "  "+p.String())
		}
	}
	if !rep.OK() {
		return exitCode(1)
	}
	return nil
}

// handOff sends files to a running server that holds the data folder; it returns a nil
// report when no server is running (so the caller loads the files itself). The server's
// progress is drawn on bar (quiet off a terminal).
func handOff(ctx context.Context, ef engineFlags, files []ingest.File, upload bool, bar *progress.Bar) (*ingest.Report, error) {
	if ef.engine != "embedded" {
		return nil, nil
	}
	info, ok := admin.ReadInfo(ef.dataDir)
	if !ok {
		return nil, nil
	}
	rep, err := (&admin.Client{Info: info}).HandOff(ctx, files, upload, bar.Set)
	if rep != nil {
		bar.Done()
		fmt.Fprintf(os.Stderr, "handed to the running server (pid %d)\n", info.PID)
	} else {
		bar.Clear()
	}
	return rep, err
}
