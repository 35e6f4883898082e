// Command bench is cadrestat's benchmark harness (`make bench`, not part of `make test`).
// For each scale it generates synthetic data, loads it with the real binary, measures the
// engine alone inserting the same rows and the raw warehouse time of the comparison query,
// starts `cadrestat serve` and a bare net/http reference in their own processes, drives
// bounded load over loopback from this process, hands the scale's file to the running
// server, checks issue 19's targets, and prints the tables (also written as JSON under
// bench/results/). With -before BIN it measures a second binary the same way, alternated
// with the first, on the same files, and prints both side by side.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cadrestat/cadrestat/bench/internal/load"
)

var (
	bin        = flag.String("bin", "bin/cadrestat", "cadrestat binary")
	beforeBin  = flag.String("before", "", "a second cadrestat binary (an older build) measured the same way, alternated with -bin, on the same data files and its own data folder; the tables show both side by side")
	serveExtra = flag.String("serve-flags", "", "extra flags for serve, space-separated (e.g. \"-max-executing 4\"); each binary gets those it knows (the output says which it lacked)")
	handoffOn  = flag.Bool("handoff", true, "hand the scale's observation file to each running serve (ingest -data DIR FILE) and measure client and server memory")
	scales     = flag.String("scales", "S", "comma-separated scales: S (~80k observations), M (~635k), L (~11.9M)")
	conns      = flag.Int("c", 16, "concurrent connections")
	duration   = flag.Duration("d", 10*time.Second, "duration of each load scenario")
	outDir     = flag.String("out", "bench/results", "where to write the JSON results")
)

// replicas per scale: S is one synthetic copy of every province × year × metric.
var replicas = map[string]int{"S": 1, "M": 8, "L": 150}

// runReport is one binary's figures at one scale.
type runReport struct {
	Binary           string          `json:"binary"`
	IngestRowsPS     float64         `json:"ingest_rows_per_s"`
	IngestS          float64         `json:"ingest_s"`
	IngestPeakRSSMiB float64         `json:"ingest_peak_rss_mib"` // the ingest child's ru_maxrss
	ReadyMs          float64         `json:"serve_ready_ms"`
	WarmMs           float64         `json:"serve_cache_warm_ms"`    // from serve's start
	WarmupMs         float64         `json:"metric_cache_warmup_ms"` // the warm-up alone, as serve logs it (-1: not logged)
	PeakRSSMiB       float64         `json:"serve_peak_rss_mib"`     // VmHWM before the hand-off
	Results          []load.Result   `json:"results"`
	Handoff          []handoffReport `json:"handoff,omitempty"`
	Targets          []target        `json:"targets"`
}

type scaleReport struct {
	Scale        string     `json:"scale"`
	Observations int        `json:"observations"`
	CSVBytes     int64      `json:"observation_csv_bytes"`
	RawCompareMs float64    `json:"raw_warehouse_compare_p50_ms"`
	RawInsertRPS float64    `json:"raw_warehouse_insert_rows_per_s"`
	LoadAvg      []string   `json:"load_average"` // at the scale's start and end
	runReport               // -bin's figures (the JSON keeps the fields of single-binary runs)
	Before       *runReport `json:"before,omitempty"`
	// With -peer: the PostgreSQL-backed peer (bench/peer.go); its scenario is in Results.
	Peer *peerReport `json:"peer,omitempty"`
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "bare" {
		bare(os.Args[2], os.Args[3])
		return
	}
	if len(os.Args) > 3 && os.Args[1] == "rss" {
		os.Exit(rssLaunch(os.Args[2], os.Args[3:]))
	}
	flag.Parse()
	bins, err := binaries()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	var reports []scaleReport
	for _, sc := range strings.Split(*scales, ",") {
		rep, err := runScale(strings.TrimSpace(sc), bins)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		reports = append(reports, rep)
	}
	printTables(reports, bins)
	os.MkdirAll(*outDir, 0o755)
	host, _ := os.Hostname()
	name := filepath.Join(*outDir, time.Now().UTC().Format("20060102T150405Z")+".json")
	b, _ := json.MarshalIndent(map[string]any{"machine": map[string]any{"host": host, "cpus": runtime.NumCPU(), "go": runtime.Version()},
		"connections": *conns, "duration_s": duration.Seconds(), "binaries": bins, "scales": reports}, "", "  ")
	os.WriteFile(name, b, 0o644)
	fmt.Println("results written to", name)
}

// binaries are -bin ("after") and, with -before, the older one.
func binaries() ([]*binary, error) {
	after, err := newBinary("after", *bin)
	if err != nil {
		return nil, err
	}
	if *beforeBin == "" {
		return []*binary{after}, nil
	}
	before, err := newBinary("before", *beforeBin)
	if err != nil {
		return nil, err
	}
	return []*binary{after, before}, nil
}

func runScale(scale string, bins []*binary) (scaleReport, error) {
	rep := scaleReport{Scale: scale, LoadAvg: []string{load.Uptime()}}
	n, ok := replicas[scale]
	if !ok {
		return rep, fmt.Errorf("unknown scale %q", scale)
	}
	work, _ := os.MkdirTemp("", "cadrestat-bench-")
	defer os.RemoveAll(work)
	synCSV, srcCSV := filepath.Join(work, "syn.csv"), filepath.Join(work, "src.csv")
	args := []string{"synth", "-out", synCSV}
	files := []string{"data", synCSV}
	if n > 1 {
		args = append(args, "-replicas", strconv.Itoa(n), "-sources-out", srcCSV)
		files = append(files, srcCSV)
	}
	fmt.Fprintf(os.Stderr, "[%s] generating synthetic data (replicas %d)…\n", scale, n)
	if out, err := command(bins[0].Path, args...).CombinedOutput(); err != nil {
		return rep, fmt.Errorf("synth: %v: %s", err, out)
	}
	if st, err := os.Stat(synCSV); err == nil {
		rep.CSVBytes = st.Size()
	}

	// Each binary loads the same files into its own folder; the engine alone is timed
	// between the two loads (on -bin's folder), so both ratios use a ceiling taken next to them.
	runs := make([]*runReport, len(bins))
	dirs := make([]string, len(bins))
	for i, b := range bins {
		runs[i] = &runReport{Binary: b.Label}
		dirs[i] = filepath.Join(work, "warehouse-"+b.Label)
		fmt.Fprintf(os.Stderr, "[%s] loading with %s…\n", scale, b.Label)
		in, err := b.ingest(append([]string{"-data", dirs[i]}, files...)...)
		if err != nil {
			return rep, err
		}
		runs[i].IngestS, runs[i].IngestPeakRSSMiB = in.seconds, in.rssMiB
		runs[i].IngestRowsPS = float64(in.rows) / in.seconds
		if i == 0 {
			rep.Observations = in.rows
			rep.RawCompareMs = rawCompare(dirs[0])
			rep.RawInsertRPS = rawInsert(dirs[0], work)
		}
	}

	var pr *peer
	if *peerFlag {
		fmt.Fprintf(os.Stderr, "[%s] peer: PostgreSQL 15 and PostGraphile 5 on the same observations…\n", scale)
		src := ""
		if n > 1 {
			src = srcCSV
		}
		var err error
		if pr, err = startPeer(synCSV, src); err != nil {
			return rep, err
		}
		defer pr.stop()
	}

	// One server per binary, started one after the other so their warm-ups do not compete.
	servers := make([]*server, len(bins))
	for i, b := range bins {
		s, err := b.startServe(dirs[i], strings.Fields(*serveExtra))
		if err != nil {
			return rep, err
		}
		defer s.stop()
		servers[i] = s
		runs[i].ReadyMs, runs[i].WarmMs, runs[i].WarmupMs = s.readyMs, s.warmMs, s.warmLog
	}

	dash := dashboard()
	sampleFile := filepath.Join(work, "sample.json")
	os.WriteFile(sampleFile, load.Post(servers[0].graphql(), dash[0]), 0o644)
	bareURL, stopBare, err := startBare(sampleFile)
	if err != nil {
		return rep, err
	}
	defer stopBare()
	if pr != nil {
		if err := pr.verify(servers[0].graphql()); err != nil {
			return rep, err
		}
	}

	fmt.Fprintf(os.Stderr, "[%s] load: %d connections × %s per scenario…\n", scale, *conns, *duration)
	shared := []load.Result{drive(scBare, bareURL, func(int64) []byte { return dash[0] })}
	for _, r := range runs {
		r.Results = append(r.Results, shared...)
	}
	scenarios := []struct {
		name string
		body func(int64) []byte
	}{
		{scHits, func(i int64) []byte { return dash[int(i)%len(dash)] }},
		{scMisses, unique},
		{scNational, national},
		{scSeries, nationalSeries},
	}
	seqs := make([]int64, len(bins)) // each server gets the same sequence of requests
	for k, sc := range scenarios {
		for j := range bins {
			i := j
			if k%2 == 1 { // alternate which binary goes first: A B, B A, …
				i = len(bins) - 1 - j
			}
			start := seqs[i]
			run := func() load.Result {
				return drive(sc.name, servers[i].graphql(), func(n int64) []byte { return sc.body(start + n) })
			}
			seqs[i] += 1 << 20
			if sc.name == scMisses && i == 0 {
				runs[i].Results = append(runs[i].Results, profiled(dirs[0], run))
			} else {
				runs[i].Results = append(runs[i].Results, run())
			}
		}
		if sc.name == scMisses && pr != nil { // right after the misses, with the same arguments
			pr.warm()
			px := drive(scPeer, pr.url, peerUnique)
			miss := find(runs[0].Results, scMisses)
			pr.rep.ThroughputRatio, pr.rep.CadrestatP99ms, pr.rep.PeerP99ms = miss.RPS/px.RPS, miss.P99ms, px.P99ms
			rep.Peer = &pr.rep
			for _, r := range runs {
				r.Results = append(r.Results, px)
			}
		}
	}
	for i, s := range servers {
		runs[i].PeakRSSMiB = procStatusMiB(s.cmd.Process.Pid, "VmHWM:")
	}
	if *handoffOn {
		for i, s := range servers {
			fmt.Fprintf(os.Stderr, "[%s] handing %s to the running %s serve…\n", scale, filepath.Base(synCSV), bins[i].Label)
			runs[i].Handoff = handoffs(s, synCSV)
		}
	}
	for _, r := range runs {
		checkTargets(&rep, r)
	}
	rep.runReport = *runs[0]
	if len(runs) > 1 {
		rep.Before = runs[1]
	}
	rep.LoadAvg = append(rep.LoadAvg, load.Uptime())
	return rep, nil
}

// drive runs one scenario with the harness's connections and duration; body gets a
// sequence number starting at 1.
func drive(name, url string, body func(int64) []byte) load.Result {
	var seq atomic.Int64
	return load.Drive(name, url, *conns, *duration, 10*time.Second, func() []byte { return body(seq.Add(1)) })
}

func procStatusMiB(pid int, key string) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, key) {
			kb, _ := strconv.Atoi(strings.Fields(line)[1])
			return float64(kb) / 1024
		}
	}
	return -1
}

// bare serves one fixed response: the ceiling for any HTTP server on this machine.
func bare(addr, file string) {
	body, _ := os.ReadFile(file)
	http.ListenAndServe(addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
}
