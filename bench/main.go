// Command bench is cadrestat's benchmark harness (`make bench`, not part of `make test`).
// For each scale it generates synthetic data, loads it with the real binary, measures the
// raw warehouse time of the comparison query, starts `cadrestat serve` and a bare net/http
// reference in their own processes, drives bounded load over loopback from this process,
// and prints one table (also written as JSON under bench/results/).
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/cadrestat/cadrestat/warehouse/chsql"
	"github.com/cadrestat/cadrestat/warehouse/embedded"
)

var (
	bin      = flag.String("bin", "bin/cadrestat", "cadrestat binary")
	scales   = flag.String("scales", "S", "comma-separated scales: S (~66k observations), M (~530k), L (~10M)")
	conns    = flag.Int("c", 16, "concurrent connections")
	duration = flag.Duration("d", 10*time.Second, "duration of each load scenario")
	outDir   = flag.String("out", "bench/results", "where to write the JSON results")
)

// replicas per scale: S is one synthetic copy of every province × year × metric.
var replicas = map[string]int{"S": 1, "M": 8, "L": 150}

type result struct {
	Scenario string  `json:"scenario"`
	Requests int64   `json:"requests"`
	Errors   int64   `json:"errors"`
	RPS      float64 `json:"rps"`
	P50ms    float64 `json:"p50_ms"`
	P99ms    float64 `json:"p99_ms"`
}

type scaleReport struct {
	Scale        string   `json:"scale"`
	Observations int      `json:"observations"`
	IngestRowsPS float64  `json:"ingest_rows_per_s"`
	ReadyMs      float64  `json:"serve_ready_ms"`
	WarmMs       float64  `json:"serve_cache_warm_ms"`
	RawCompareMs float64  `json:"raw_warehouse_compare_p50_ms"`
	RawInsertRPS float64  `json:"raw_warehouse_insert_rows_per_s"`
	PeakRSSMiB   float64  `json:"serve_peak_rss_mib"`
	Results      []result `json:"results"`
	// With -peer: the PostgreSQL-backed peer (bench/peer.go); its scenario is in Results.
	Peer *peerReport `json:"peer,omitempty"`
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "bare" {
		bare(os.Args[2], os.Args[3])
		return
	}
	flag.Parse()
	var reports []scaleReport
	for _, sc := range strings.Split(*scales, ",") {
		rep, err := runScale(strings.TrimSpace(sc))
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		reports = append(reports, rep)
	}
	printTable(reports)
	os.MkdirAll(*outDir, 0o755)
	host, _ := os.Hostname()
	name := filepath.Join(*outDir, time.Now().UTC().Format("20060102T150405Z")+".json")
	b, _ := json.MarshalIndent(map[string]any{"machine": map[string]any{"host": host, "cpus": runtime.NumCPU(), "go": runtime.Version()}, "connections": *conns, "duration_s": duration.Seconds(), "scales": reports}, "", "  ")
	os.WriteFile(name, b, 0o644)
	fmt.Println("results written to", name)
}

func runScale(scale string) (scaleReport, error) {
	rep := scaleReport{Scale: scale}
	n, ok := replicas[scale]
	if !ok {
		return rep, fmt.Errorf("unknown scale %q", scale)
	}
	work, _ := os.MkdirTemp("", "cadrestat-bench-")
	defer os.RemoveAll(work)
	dataDir := filepath.Join(work, "warehouse")
	synCSV, srcCSV := filepath.Join(work, "syn.csv"), filepath.Join(work, "src.csv")
	args := []string{"synth", "-out", synCSV}
	files := []string{"data", synCSV}
	if n > 1 {
		args = append(args, "-replicas", strconv.Itoa(n), "-sources-out", srcCSV)
		files = append(files, srcCSV)
	}
	fmt.Fprintf(os.Stderr, "[%s] generating synthetic data (replicas %d)…\n", scale, n)
	if out, err := exec.Command(*bin, args...).CombinedOutput(); err != nil {
		return rep, fmt.Errorf("synth: %v: %s", err, out)
	}
	fmt.Fprintf(os.Stderr, "[%s] loading…\n", scale)
	start := time.Now()
	out, err := exec.Command(*bin, append([]string{"ingest", "-data", dataDir}, files...)...).CombinedOutput()
	if err != nil {
		return rep, fmt.Errorf("ingest: %v: %s", err, out)
	}
	var rows int
	fmt.Sscanf(string(out), "loaded %d rows", &rows)
	rep.Observations = rows
	rep.IngestRowsPS = float64(rows) / time.Since(start).Seconds()

	rep.RawCompareMs = rawCompare(dataDir)
	rep.RawInsertRPS = rawInsert(dataDir, work)

	var pr *peer
	if *peerFlag {
		fmt.Fprintf(os.Stderr, "[%s] peer: PostgreSQL 15 and PostGraphile 5 on the same observations…\n", scale)
		src := ""
		if n > 1 {
			src = srcCSV
		}
		if pr, err = startPeer(synCSV, src); err != nil {
			return rep, err
		}
		defer pr.stop()
	}

	port := freePort()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	start = time.Now()
	srv := exec.Command(*bin, "serve", "-data", dataDir, "-addr", addr, "-no-bundled-data", "-pprof")
	logPipe, _ := srv.StderrPipe()
	if err := srv.Start(); err != nil {
		return rep, err
	}
	warm := make(chan struct{})
	go func() { // the server logs when its metric cache is warm; measure after that
		sc := bufio.NewScanner(logPipe)
		closed := false
		for sc.Scan() {
			if !closed && strings.Contains(sc.Text(), "metric cache warm") {
				close(warm)
				closed = true
			}
		}
	}()
	defer func() { srv.Process.Signal(os.Interrupt); srv.Wait() }()
	if err := waitReady("http://" + addr); err != nil {
		return rep, err
	}
	rep.ReadyMs = float64(time.Since(start).Milliseconds())
	select {
	case <-warm:
		rep.WarmMs = float64(time.Since(start).Milliseconds())
	case <-time.After(10 * time.Minute):
		return rep, fmt.Errorf("the server did not warm its cache")
	}
	base := "http://" + addr + "/graphql"

	dash := dashboard()
	sample := post(base, dash[0])
	barePort := freePort()
	bareAddr := "127.0.0.1:" + strconv.Itoa(barePort)
	sampleFile := filepath.Join(work, "sample.json")
	os.WriteFile(sampleFile, sample, 0o644)
	self, _ := os.Executable()
	bareCmd := exec.Command(self, "bare", bareAddr, sampleFile)
	if err := bareCmd.Start(); err != nil {
		return rep, err
	}
	defer func() { bareCmd.Process.Kill(); bareCmd.Wait() }()
	waitReady("http://" + bareAddr)
	if pr != nil {
		if err := pr.verify(base); err != nil {
			return rep, err
		}
	}

	fmt.Fprintf(os.Stderr, "[%s] load: %d connections × %s per scenario…\n", scale, *conns, *duration)
	var seq atomic.Int64
	rep.Results = append(rep.Results,
		drive("bare net/http, same bytes", "http://"+bareAddr+"/graphql", func() []byte { return dash[0] }),
		drive("dashboard mix, cache hits", base, func() []byte { return dash[int(seq.Add(1))%len(dash)] }),
		profiled(dataDir, func() result {
			return drive("unique 63-row comparisons, cache misses", base, func() []byte { return unique(seq.Add(1)) })
		}),
	)
	if pr != nil { // right after cadrestat's misses, with the same arguments
		pr.warm()
		var pseq atomic.Int64
		rep.Results = append(rep.Results, drive("peer (PostGraphile 5, PG 15): same misses", pr.url, func() []byte { return peerUnique(pseq.Add(1)) }))
		miss, px := rep.Results[len(rep.Results)-2], rep.Results[len(rep.Results)-1]
		pr.rep.ThroughputRatio, pr.rep.CadrestatP99ms, pr.rep.PeerP99ms = miss.RPS/px.RPS, miss.P99ms, px.P99ms
		rep.Peer = &pr.rep
	}
	rep.Results = append(rep.Results,
		drive("national figure of one year (compare)", base, func() []byte { return national(seq.Add(1)) }),
		drive("national series 2010-2030 (series VN)", base, func() []byte { return nationalSeries(seq.Add(1)) }),
	)
	rep.PeakRSSMiB = peakRSS(srv.Process.Pid)
	return rep, nil
}

// rawInsert times the engine alone loading the observations just ingested (exported to a
// RowBinary file, inserted into an empty copy of the table): the ceiling for ingest on this
// machine, with no parsing or validation.
func rawInsert(dir, work string) float64 {
	ctx := context.Background()
	s, err := embedded.Open(ctx, dir, "cadrestat")
	if err != nil {
		return -1
	}
	defer s.Close()
	bin := filepath.Join(work, "observations.bin")
	defer os.Remove(bin)
	var n uint64
	if n, err = s.RawCount(ctx, "observations"); err != nil {
		return -1
	}
	structure := chsql.Structure("observations") // SELECT * exports the table's own column order
	if s.Exec(ctx, "SELECT * FROM cadrestat.observations INTO OUTFILE "+chsql.QuoteString(bin)+" FORMAT RowBinary") != nil ||
		s.Exec(ctx, "CREATE TABLE cadrestat.bench_copy AS cadrestat.observations") != nil {
		return -1
	}
	defer s.Exec(ctx, "DROP TABLE IF EXISTS cadrestat.bench_copy")
	start := time.Now()
	if s.Exec(ctx, "INSERT INTO cadrestat.bench_copy SELECT * FROM file("+chsql.QuoteString(bin)+", 'RowBinary', "+chsql.QuoteString(structure)+")") != nil {
		return -1
	}
	return float64(n) / time.Since(start).Seconds()
}

// rawCompare times the warehouse alone on the comparison's query (before serve holds the folder).
func rawCompare(dir string) float64 {
	ctx := context.Background()
	s, err := embedded.Open(ctx, dir, "cadrestat")
	if err != nil {
		return -1
	}
	defer s.Close()
	var subj []string
	cat, _ := s.Catalog(ctx)
	for _, p := range cat.ProvincesOn(warehouse.VN63) {
		subj = append(subj, p.ID)
	}
	var times []float64
	deadline := time.Now().Add(20 * time.Second) // at scale L one query takes ~0.6 s
	for i := 0; i < 200 && time.Now().Before(deadline); i++ {
		t := time.Now()
		s.Observations(ctx, warehouse.ObservationFilter{MetricIDs: []string{cat.Metrics[i%len(cat.Metrics)].ID}, SubjectIDs: append(subj, "VN"), YearTo: 2020, IncludeSynthetic: true})
		times = append(times, float64(time.Since(t).Microseconds())/1000)
	}
	sort.Float64s(times)
	return times[len(times)/2]
}

func q(query string, vars map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return b
}

const compareQ = `query($m: ID!, $y: Int!, $map: Map, $s: Boolean, $p: [ID!]) { compare(metric: $m, year: $y, map: $map, includeSynthetic: $s, provinces: $p) {
  rows { rank province { id name } value numerator denominator change gapToTarget targetStatus observation { status source { title } } }
  national { figure { value } } benchmarks { id figure { value } } target { label } } }`

var metrics = []string{"female_provincial_committee_share", "youth_provincial_committee_share", "female_pc_provincial_share", "staff_cut", "new_members",
	"female_na_share", "female_district_committee_share", "female_commune_committee_share", "training_attendances", "party_members_total"}

// dashboard is a page's 20 queries: the same every page view.
func dashboard() [][]byte {
	var out [][]byte
	for i := 0; i < 20; i++ {
		out = append(out, q(compareQ, map[string]any{"m": metrics[i%len(metrics)], "y": 2015 + i%6, "map": "VN63", "s": true}))
	}
	return out
}

// unique makes a comparison no earlier request asked for (a cache miss every time): all 63
// units, listed in a different rotation and with a different metric and year each time, so
// every answer has the same 63 rows. (An extra "nonce" variable no longer makes a miss: the
// response cache keys on the operation's coerced variables only.)
func unique(i int64) []byte { return q(compareQ, uniqueVars(i)) }

// uniqueVars are unique's variables (the peer asks the same metric, year and units).
func uniqueVars(i int64) map[string]any {
	units := vn63Units()
	r := int(i/int64(len(metrics)*15)) % len(units)
	rotated := append(append([]string{}, units[r:]...), units[:r]...)
	return map[string]any{"m": metrics[i%int64(len(metrics))], "y": 2010 + int(i/int64(len(metrics)))%15, "map": "VN63", "s": true, "p": rotated}
}

var vn63Units = sync.OnceValue(func() []string {
	raw, err := os.ReadFile("data/provinces.csv")
	if err != nil {
		panic("bench runs from the repository root: " + err.Error())
	}
	var out []string
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Split(line, ","); len(f) > 2 && f[0] == "VN63" {
			out = append(out, "VN63-"+f[1])
		}
	}
	return out
})

// nationalSeries is one metric's national figure for every year: each point sums every
// unit's numerators and denominators (or takes a published national figure).
func nationalSeries(i int64) []byte {
	// A new operation name each time makes a new document, so the response cache misses
	// (it keys on the parsed document and the coerced variables, not on extra variables).
	return q(fmt.Sprintf(`query Series%d($m: ID!) { series(metric: $m, provinces: ["VN"], from: 2010, to: 2030, includeSynthetic: true) { points { year value figure { numerator denominator } } } }`, i),
		map[string]any{"m": metrics[i%int64(len(metrics))]})
}

// national aggregates every province's numerators and denominators for one year.
func national(i int64) []byte {
	return q(fmt.Sprintf(`query National%d($m: ID!, $y: Int!) { compare(metric: $m, year: $y, map: VN34, includeSynthetic: true) { national { figure { value numerator denominator } } } }`, i),
		map[string]any{"m": metrics[i%3], "y": 2010 + int(i%21)})
}

func drive(name, url string, body func() []byte) result {
	var (
		mu       sync.Mutex
		lat      []float64
		reqs, ne atomic.Int64
		wg       sync.WaitGroup
	)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *conns}, Timeout: 10 * time.Second}
	deadline := time.Now().Add(*duration)
	for c := 0; c < *conns; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local []float64
			for time.Now().Before(deadline) {
				t := time.Now()
				resp, err := client.Post(url, "application/json", bytes.NewReader(body()))
				if err != nil {
					ne.Add(1)
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || bytes.Contains(b, []byte(`"errors"`)) {
					ne.Add(1)
				}
				reqs.Add(1)
				local = append(local, float64(time.Since(t).Microseconds())/1000)
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Float64s(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	return result{Scenario: name, Requests: reqs.Load(), Errors: ne.Load(), RPS: float64(reqs.Load()) / duration.Seconds(), P50ms: pct(0.5), P99ms: pct(0.99)}
}

func post(url string, body []byte) []byte {
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return b
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

func waitReady(base string) error {
	for i := 0; i < 600; i++ {
		if r, err := http.Get(base + "/readyz"); err == nil {
			r.Body.Close()
			if r.StatusCode == 200 || r.StatusCode == 404 {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready", base)
}

func freePort() int {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func peakRSS(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.Atoi(strings.Fields(line)[1])
			return float64(kb) / 1024
		}
	}
	return -1
}

func printTable(reports []scaleReport) {
	for _, r := range reports {
		fmt.Printf("\nscale %s: %d observations loaded at %.0f rows/s (engine alone, no validation: %.0f rows/s, %.0f%%); serve ready in %.0f ms (cache warm at %.0f ms); raw warehouse compare p50 %.1f ms; serve peak RSS %.0f MiB\n",
			r.Scale, r.Observations, r.IngestRowsPS, r.RawInsertRPS, 100*r.IngestRowsPS/r.RawInsertRPS, r.ReadyMs, r.WarmMs, r.RawCompareMs, r.PeakRSSMiB)
		fmt.Printf("%-44s %10s %8s %9s %9s %12s\n", "scenario", "req/s", "errors", "p50 ms", "p99 ms", "vs bare")
		bare := r.Results[0].RPS
		for _, x := range r.Results {
			fmt.Printf("%-44s %10.0f %8d %9.2f %9.2f %11.1f%%\n", x.Scenario, x.RPS, x.Errors, x.P50ms, x.P99ms, 100*x.RPS/bare)
		}
		if p := r.Peer; p != nil {
			fmt.Printf("cache misses against the peer (PostGraphile %s, Node %s, PostgreSQL %s; %d rows loaded and indexed in %.1f s): cadrestat %.2f× its throughput, p99 %.1f ms against %.1f ms; checked: %s\n",
				p.PostGraphile, p.Node, p.PostgreSQL, p.Rows, p.LoadS, p.ThroughputRatio, p.CadrestatP99ms, p.PeerP99ms, p.Verified)
		}
	}
}

var profile = flag.String("profile", "", "write a CPU profile of serve during the cache-miss scenario to this file")

// profiled runs f while collecting a CPU profile of the server through its admin listener.
func profiled(dataDir string, f func() result) result {
	if *profile == "" {
		return f()
	}
	raw, _ := os.ReadFile(filepath.Join(dataDir, "admin.json"))
	var info struct{ Addr string }
	json.Unmarshal(raw, &info)
	done := make(chan []byte)
	go func() {
		resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", info.Addr, int(duration.Seconds())))
		if err != nil {
			done <- nil
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		done <- b
	}()
	r := f()
	if b := <-done; b != nil {
		os.WriteFile(*profile, b, 0o644)
	}
	return r
}
