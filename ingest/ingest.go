package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cadrestat/cadrestat/warehouse"
)

// File is one named input: its content in Data, or, when Data is nil, the file at Path,
// read as the load goes (a file of millions of rows need not be in memory at once). Rows,
// when not nil, are observations a program built instead (rows.go says how they are
// checked); such a file has no text, and is loaded only in this process.
type File struct {
	Name string
	Data []byte
	Path string
	Rows []warehouse.Observation

	read *atomic.Int64 // when not nil, counts the bytes read from the file (progress)
}

func (f File) open() (io.ReadCloser, error) {
	rc := io.NopCloser(bytes.NewReader(f.Data))
	if f.Data == nil && f.Path != "" {
		file, err := openSnapshot(f.Path)
		if err != nil {
			return nil, err
		}
		rc = file
	}
	if f.read != nil {
		rc = countingReader{rc, f.read}
	}
	return rc, nil
}

// Bytes returns the file's content, reading it from Path if needed (a regular file, which
// must not change while it is read).
func (f File) Bytes() ([]byte, error) {
	if f.Data == nil && f.Path != "" {
		file, err := openSnapshot(f.Path)
		if err != nil {
			return nil, err
		}
		defer file.Close()
		return io.ReadAll(file)
	}
	return f.Data, nil
}

// ReadFiles finds the files at paths (a directory contributes its *.csv and *.json files);
// they are read when loaded. Each path is opened once without blocking and what it is
// decided from the open descriptor, so a path swapped for a pipe cannot hang the caller;
// anything but a regular file or a directory is refused.
func ReadFiles(paths []string) ([]File, error) {
	var out []File
	for _, p := range paths {
		f, st, err := openNoBlock(p)
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", p, err)
		}
		if !st.IsDir() {
			f.Close()
			if !st.Mode().IsRegular() {
				return nil, fmt.Errorf("cannot read %s: %w", p, errNotRegular)
			}
			out = append(out, File{Name: p, Path: p})
			continue
		}
		entries, err := f.ReadDir(-1)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", p, err)
		}
		sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
		for _, e := range entries {
			if ext := strings.ToLower(filepath.Ext(e.Name())); e.IsDir() || (ext != ".csv" && ext != ".json") {
				continue
			}
			n := filepath.Join(p, e.Name())
			f, _, err := openRegular(n)
			if err != nil {
				return nil, fmt.Errorf("cannot read %s: %w", n, err)
			}
			f.Close()
			out = append(out, File{Name: n, Path: n})
		}
	}
	return out, nil
}

// plan is a load before its observations are read: the reference rows (small; read and
// checked at once) and where the observations come from (stream.go reads them).
type plan struct {
	c      *converter
	inputs []obsInput
	rows   int      // observations accepted
	track  *tracker // progress, or nil
}

// newPlan parses every file and validates the reference rows against the catalogue (which
// may be nil for an empty warehouse). Files are processed dimension kinds first, so
// observations may refer to metrics and sources in the same load.
func newPlan(files []File, cat *warehouse.Catalog, now time.Time) *plan {
	var all []parsed
	var probs []Problem
	var names []string
	var built []obsInput
	for _, f := range files {
		names = append(names, filepath.Base(f.Name))
		if f.Rows != nil {
			built = append(built, obsInput{file: f.Name, built: f.Rows})
			continue
		}
		ps, pr := parse(f)
		all = append(all, ps...)
		probs = append(probs, pr...)
	}
	order := map[FileKind]int{FileSources: 0, FileProvinces: 1, FileLineage: 2, FileGroups: 3, FileMetrics: 4, FileTargets: 5, FileObservations: 6}
	sort.SliceStable(all, func(i, j int) bool { return order[all[i].kind] < order[all[j].kind] })
	p := &plan{c: &converter{today: today(now), refs: newRefs(cat), batch: &warehouse.Batch{File: strings.Join(names, ",")}, seen: map[string]int{}, probs: probs}}
	for _, f := range all {
		p.c.file = f.file
		switch f.kind {
		case FileSources:
			p.c.sources(f)
		case FileProvinces:
			p.c.provinces(f)
		case FileLineage:
			p.c.lineage(f)
		case FileGroups:
			p.c.groups(f)
		case FileMetrics:
			p.c.metrics(f)
		case FileTargets:
			p.c.targets(f)
		case FileObservations:
			p.inputs = append(p.inputs, obsInput{file: f.file, records: f.records, body: f.body})
		}
	}
	p.inputs = append(p.inputs, built...) // rows stream in file order, built rows after the files
	return p
}

// close releases files the load did not read (it stopped early).
func (p *plan) close() {
	for _, in := range p.inputs {
		if in.body != nil && in.body.closer != nil {
			in.body.closer.Close()
		}
	}
}

// problems returns every problem found, sorted by file and line; "no rows to load" when
// the files held nothing.
func (p *plan) problems() []Problem {
	probs := p.c.probs
	if len(probs) == 0 && p.c.batch.Rows()+p.rows == 0 {
		return []Problem{{File: p.c.batch.File, Reason: "no rows to load"}}
	}
	sort.SliceStable(probs, func(i, j int) bool {
		if probs[i].File != probs[j].File {
			return probs[i].File < probs[j].File
		}
		return probs[i].Line < probs[j].Line
	})
	return probs
}

// Prepare parses and validates files against the catalogue (which may be nil for an empty
// warehouse) and returns one batch holding every row, or every problem found. Loads use
// Load instead, which streams observations rather than holding them.
func Prepare(files []File, cat *warehouse.Catalog) (*warehouse.Batch, []Problem) {
	return prepareAt(files, cat, time.Now())
}

// prepareAt is Prepare with retrieval dates checked against the clock reading now.
func prepareAt(files []File, cat *warehouse.Catalog, now time.Time) (*warehouse.Batch, []Problem) {
	p := newPlan(files, cat, now)
	defer p.close()
	var obs []warehouse.Observation
	_ = p.observations(func(chunk []warehouse.Observation) error {
		obs = append(obs, chunk...)
		return nil
	})
	if probs := p.problems(); len(probs) > 0 {
		return nil, probs
	}
	p.c.batch.Observations = obs
	return p.c.batch, nil
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

// Load validates files against the store's catalogue and loads them all or nothing. A
// rejected file is recorded in the warehouse's rejections table for operators.
func Load(ctx context.Context, s warehouse.Store, files []File) (*Report, error) {
	return LoadNamed(ctx, s, files, "")
}

// errRejected ends a load whose files have problems; nothing of it stays.
var errRejected = errors.New("ingest: the files have problems")

// LoadNamed is Load with the name recorded for the load (empty: the files' names). The
// reference rows are checked first; observations are then read, checked and written chunk
// by chunk on every core, and a problem anywhere discards the whole load.
func LoadNamed(ctx context.Context, s warehouse.Store, files []File, name string) (*Report, error) {
	return LoadWith(ctx, s, files, Options{Name: name})
}

// LoadWith is Load with options: the name recorded for the load, and a progress hook.
func LoadWith(ctx context.Context, s warehouse.Store, files []File, opt Options) (*Report, error) {
	name := opt.Name
	var tr *tracker
	if opt.Progress != nil {
		tr = newTracker(files, opt.Progress)
		files = tr.files
		tr.report(PhaseRead)
	}
	rep := &Report{}
	for _, f := range files {
		rep.Files = append(rep.Files, f.Name)
	}
	cat, err := s.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	if opt.Now != nil {
		now = opt.Now()
	}
	p := newPlan(files, cat, now)
	defer p.close()
	p.track = tr
	reject := func() (*Report, error) {
		rep.Problems = p.problems()
		if r, ok := s.(warehouse.RejectionRecorder); ok {
			_ = r.RecordRejection(ctx, strings.Join(rep.Files, ","), len(rep.Problems), rep.Problems[0].String())
		}
		return rep, nil
	}
	if len(p.c.probs) > 0 {
		_ = p.observations(nil) // report the observations' problems too
		return reject()
	}
	batch := p.c.batch
	if name != "" {
		batch.File = name
	}
	if len(p.inputs) == 0 {
		if len(p.problems()) > 0 {
			return reject()
		}
	} else {
		batch.More = p.stream
	}
	res, err := s.Load(ctx, batch)
	if errors.Is(err, errRejected) {
		return reject()
	}
	if err != nil {
		return nil, err
	}
	tr.report(PhaseDone)
	rep.Rows, rep.Changed, rep.DataVersion = res.Rows, res.Changed, res.DataVersion
	return rep, nil
}

// stream is the batch's observation stream: it fails the load if any file has a problem.
func (p *plan) stream(yield func([]warehouse.Observation) error) error {
	if err := p.observations(yield); err != nil {
		return err
	}
	if len(p.problems()) > 0 {
		return errRejected
	}
	p.track.report(PhaseCommit)
	return nil
}
