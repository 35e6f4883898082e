package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/server"
	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/warehouse"
)

// IngestMain is `cadrestat ingest FILE…`: it validates and loads files, handing them to a
// running serve that holds the data folder, or opening the folder itself.
type IngestMain struct {
	ef         engineFlags
	report     bool
	cpuProfile string
	paths      []string

	profile *os.File
	store   warehouse.Store
}

func (m *IngestMain) ParseFlags(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ingest", flag.ExitOnError)
	m.ef.register(fs)
	fs.BoolVar(&m.report, "report", false, "print the report as JSON (every problem at once)")
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
		pprof.StartCPUProfile(f)
	}
	files, err := ingest.ReadFiles(m.paths)
	if err != nil {
		return err
	}
	rep, err := handOff(ctx, m.ef, files)
	if err != nil {
		return err
	}
	if rep == nil { // no running server: open the folder ourselves
		s, err := m.ef.open(ctx)
		if err != nil {
			return err
		}
		m.store = s
		if rep, err = service.New(m.store, logger()).Load(ctx, files); err != nil {
			return err
		}
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
		enc.Encode(rep)
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

type fileReadError struct{ error }

// postIngest sends one hand-off request, by path or by content.
func postIngest(ctx context.Context, info adminInfo, files []ingest.File, byPath bool) (*http.Response, []byte, error) {
	var req server.IngestRequest
	for _, f := range files {
		if byPath && f.Path != "" {
			abs, err := filepath.Abs(f.Path)
			if err != nil {
				return nil, nil, fileReadError{err}
			}
			req.Files = append(req.Files, server.IngestFile{Name: f.Name, Path: abs})
			continue
		}
		data, err := f.Bytes()
		if err != nil {
			return nil, nil, fileReadError{fmt.Errorf("cannot read %s: %w", f.Name, err)}
		}
		req.Files = append(req.Files, server.IngestFile{Name: f.Name, Data: data})
	}
	body, _ := json.Marshal(req)
	hreq, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+info.Addr+"/admin/ingest", bytes.NewReader(body))
	hreq.Header.Set("Authorization", "Bearer "+info.Token)
	hreq.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 30 * time.Minute}).Do(hreq)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	return resp, msg, nil
}

// handOff sends files to a running server that holds the data folder; it returns a nil
// report when no server is running (so the caller loads the files itself).
func handOff(ctx context.Context, ef engineFlags, files []ingest.File) (*ingest.Report, error) {
	if ef.engine != "embedded" {
		return nil, nil
	}
	info, ok := readAdminInfo(ef)
	if !ok {
		return nil, nil
	}
	rep, err := handOffTo(ctx, info, files)
	if rep != nil {
		fmt.Fprintf(os.Stderr, "handed to the running server (pid %d)\n", info.PID)
	}
	return rep, err
}

// handOffTo hands the files to the admin listener described by info.
func handOffTo(ctx context.Context, info adminInfo, files []ingest.File) (*ingest.Report, error) {
	// Files are handed over by path: the server streams them from disk as it loads. Only if
	// it cannot open a path (another user, another mount namespace) are the contents sent.
	resp, msg, err := postIngest(ctx, info, files, true)
	if err == nil && resp.StatusCode == http.StatusBadRequest && resp.Header.Get("X-Cadrestat-Error") == server.CodeUnreadablePath {
		resp, msg, err = postIngest(ctx, info, files, false)
	}
	if err != nil {
		var readErr fileReadError
		if errors.As(err, &readErr) {
			return nil, err
		}
		// A stale admin.json from a server that died: nobody holds the folder.
		return nil, nil
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusUnprocessableEntity {
		return nil, fmt.Errorf("the running server refused the files: %s", bytes.TrimSpace(msg))
	}
	var rep ingest.Report
	if err := json.Unmarshal(msg, &rep); err != nil {
		return nil, fmt.Errorf("unreadable answer from the running server: %w", err)
	}
	return &rep, nil
}
