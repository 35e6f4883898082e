package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cadrestat/cadrestat/warehouse"
)

// File is one named input.
type File struct {
	Name string
	Data []byte
}

// ReadFiles reads paths; a directory contributes its *.csv and *.json files.
func ReadFiles(paths []string) ([]File, error) {
	var out []File
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", p, err)
		}
		names := []string{p}
		if st.IsDir() {
			names = nil
			entries, err := os.ReadDir(p)
			if err != nil {
				return nil, err
			}
			for _, e := range entries {
				if ext := strings.ToLower(filepath.Ext(e.Name())); !e.IsDir() && (ext == ".csv" || ext == ".json") {
					names = append(names, filepath.Join(p, e.Name()))
				}
			}
		}
		for _, n := range names {
			data, err := os.ReadFile(n)
			if err != nil {
				return nil, fmt.Errorf("cannot read %s: %w", n, err)
			}
			out = append(out, File{Name: n, Data: data})
		}
	}
	return out, nil
}

// Prepare parses and validates files against the catalogue (which may be nil for an empty
// warehouse) and returns one batch, or every problem found. Files are processed dimension
// kinds first, so observations may refer to metrics and sources in the same load.
func Prepare(files []File, cat *warehouse.Catalog) (*warehouse.Batch, []Problem) {
	var all []parsed
	var probs []Problem
	var names []string
	for _, f := range files {
		ps, pr := parse(f.Name, f.Data)
		all = append(all, ps...)
		probs = append(probs, pr...)
		names = append(names, filepath.Base(f.Name))
	}
	order := map[Kind]int{KindSources: 0, KindProvinces: 1, KindLineage: 2, KindGroups: 3, KindMetrics: 4, KindTargets: 5, KindObservations: 6}
	sort.SliceStable(all, func(i, j int) bool { return order[all[i].kind] < order[all[j].kind] })
	c := &converter{refs: newRefs(cat), batch: &warehouse.Batch{File: strings.Join(names, ",")}, seen: map[string]int{}}
	for _, p := range all {
		c.file = p.file
		switch p.kind {
		case KindSources:
			c.sources(p)
		case KindProvinces:
			c.provinces(p)
		case KindLineage:
			c.lineage(p)
		case KindGroups:
			c.groups(p)
		case KindMetrics:
			c.metrics(p)
		case KindTargets:
			c.targets(p)
		case KindObservations:
			c.observations(p)
		}
	}
	probs = append(probs, c.probs...)
	sort.SliceStable(probs, func(i, j int) bool {
		if probs[i].File != probs[j].File {
			return probs[i].File < probs[j].File
		}
		return probs[i].Line < probs[j].Line
	})
	if len(probs) > 0 {
		return nil, probs
	}
	if c.batch.Rows() == 0 {
		return nil, []Problem{{File: c.batch.File, Reason: "no rows to load"}}
	}
	return c.batch, nil
}

// Report is what a user sees after an ingest, whichever process did the load.
type Report struct {
	Files       []string              `json:"files"`
	Rows        int                   `json:"rows"`
	Changed     int                   `json:"changed"`
	DataVersion uint64                `json:"dataVersion"`
	Problems    []Problem             `json:"problems,omitempty"`
	Result      *warehouse.LoadResult `json:"-"`
}

// OK reports whether the load happened.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

type rejectionRecorder interface {
	RecordRejection(ctx context.Context, file string, problems int, first string) error
}

// Load validates files against the store's catalogue and loads them all or nothing. A
// rejected file is recorded in the warehouse's rejections table for operators.
func Load(ctx context.Context, s warehouse.Store, files []File) (*Report, error) {
	return LoadNamed(ctx, s, files, "")
}

// LoadNamed is Load with the name recorded for the load (empty: the files' names).
func LoadNamed(ctx context.Context, s warehouse.Store, files []File, name string) (*Report, error) {
	rep := &Report{}
	for _, f := range files {
		rep.Files = append(rep.Files, f.Name)
	}
	cat, err := s.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	batch, probs := Prepare(files, cat)
	if len(probs) > 0 {
		rep.Problems = probs
		if r, ok := s.(rejectionRecorder); ok {
			_ = r.RecordRejection(ctx, strings.Join(rep.Files, ","), len(probs), probs[0].String())
		}
		return rep, nil
	}
	if name != "" {
		batch.File = name
	}
	res, err := s.Load(ctx, batch)
	if err != nil {
		return nil, err
	}
	rep.Rows, rep.Changed, rep.DataVersion = res.Rows, res.Changed, res.DataVersion
	return rep, nil
}
