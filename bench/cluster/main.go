// Command cluster measures cadrestat on one ClickHouse server against the same binary on a
// ClickHouse cluster (README "Scaling out"; not part of make test):
//
//	scripts/clickhouse-test-server.sh /tmp/cl-single        # prints host:port
//	scripts/clickhouse-cluster.sh start /tmp/cl-cluster     # 2 shards x 2 replicas + ZooKeeper
//	go run ./bench/cluster -single HOST:PORT -cluster /tmp/cl-cluster [-runs 2] [-keys metric,subject,rand]
//
// load: for each run, single then cluster (alternated): `cadrestat migrate` and `cadrestat
// ingest` of scale M (the bundled data plus `cadrestat synth -replicas 8`, as bench does),
// rows/s; the engine alone copying the loaded observations into a new database (INSERT …
// SELECT: on the cluster through the Distributed table, synchronous, quorum of 2); rows per
// shard on the cluster.
//
// queries: `cadrestat serve -engine clickhouse` over the loaded database, response cache
// off, driven over loopback from this process with -c connections for -d per scenario: a
// national series (21 years), the national figure of one metric and year, and a 63-province
// comparison. "cold" runs serve with -slice-cache-bytes 0, so every request reads the
// metric's observations from ClickHouse (two queries); "warm" keeps the default slice cache
// (the warehouse is read once per metric); cold is also driven with one connection (latency
// without queueing). Also the warehouse alone: p50 of reading one metric's current
// observations in-process.
//
// keys: the sharding key of observations, on the cluster: for each key a database is made by
// `migrate`, its Distributed observations table re-created with that key, the cluster run's
// rows copied in (timed), a second, revising load ingested (`synth -seed 2`: a new revision
// of every replica-1 cell), rows per shard counted, the queries above driven cold, and a set
// of GraphQL answers compared byte for byte with the single server's (dataVersion aside).
//
// warm (-phases warm): the warm scenarios alone, single and cluster alternated -runs times
// over the databases the last load run kept.
//
// Results are printed and written as JSON under -out.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cadrestat/cadrestat/bench/internal/load"
	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/cadrestat/cadrestat/warehouse/chsql"
	"github.com/cadrestat/cadrestat/warehouse/clickhouse"
)

var (
	bin         = flag.String("bin", "bin/cadrestat", "cadrestat binary")
	single      = flag.String("single", "", "host:port of a single ClickHouse server (scripts/clickhouse-test-server.sh)")
	clusterDir  = flag.String("cluster", "", "folder of a cluster started by scripts/clickhouse-cluster.sh")
	clusterName = flag.String("cluster-name", "cadrestat_cluster", "the cluster's name")
	replicas    = flag.Int("replicas", 8, "synthetic replicas (8 = bench's scale M)")
	runs        = flag.Int("runs", 2, "load and query runs, single and cluster alternated")
	phases      = flag.String("phases", "load,queries,keys", "what to run")
	keys        = flag.String("keys", "metric,subject,rand", "sharding keys of observations to compare (keys phase)")
	conns       = flag.Int("c", 8, "concurrent connections")
	duration    = flag.Duration("d", 10*time.Second, "duration of each scenario")
	work        = flag.String("work", filepath.Join(os.TempDir(), "cadrestat-bench-cluster"), "where the generated CSV files are kept")
	outDir      = flag.String("out", "bench/results", "where to write the JSON results")
)

var keyExprs = map[string]string{"metric": "cityHash64(metric_id)", "subject": "cityHash64(subject_id)", "rand": "rand()"}

// target is one ClickHouse deployment.
type target struct {
	name    string   // "single" or "cluster"
	addrs   []string // the first is the node cadrestat talks to
	cluster string
	nodes   map[string]string // cluster: s1r1… → host:port
}

func (t target) engineArgs(db string) []string {
	a := []string{"-engine", "clickhouse", "-clickhouse-addr", strings.Join(t.addrs, ","), "-database", db}
	if t.cluster != "" {
		a = append(a, "-clickhouse-cluster", t.cluster)
	}
	return a
}

func (t target) connect(db string, addrs ...string) *clickhouse.Store {
	if len(addrs) == 0 {
		addrs = t.addrs
	}
	s, err := clickhouse.Connect(context.Background(), clickhouse.Config{Addrs: addrs, User: "default", Database: db, Cluster: t.cluster,
		DialTimeout: 5 * time.Second, ReadTimeout: 10 * time.Minute, MaxOpenConns: 4, MaxIdleConns: 2})
	must(err)
	return s
}

func (t target) drop(db string) {
	s := t.connect("default")
	defer s.Close()
	on := ""
	if t.cluster != "" {
		on = " ON CLUSTER " + t.cluster
	}
	must(s.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db+on))
}

type loadReport struct {
	Target        string            `json:"target"`
	Run           int               `json:"run"`
	Key           string            `json:"key,omitempty"`
	Rows          int               `json:"rows"`
	MigrateS      float64           `json:"migrate_s"`
	IngestS       float64           `json:"ingest_s"`
	RowsPerS      float64           `json:"rows_per_s"`
	RawRowsPerS   float64           `json:"engine_copy_rows_per_s"`
	ReviseRows    int               `json:"revising_load_rows,omitempty"`
	ReviseRowsPS  float64           `json:"revising_load_rows_per_s,omitempty"`
	ShardRows     map[string]uint64 `json:"rows_per_node,omitempty"`
	RawReadP50ms  float64           `json:"raw_metric_read_p50_ms"`
	Cold          []load.Result     `json:"cold"`
	Cold1         []load.Result     `json:"cold_one_connection"`
	Warm          []load.Result     `json:"warm,omitempty"`
	WarmQueries   int64             `json:"warehouse_queries_during_warm"`
	SameAnswers   *bool             `json:"same_answers_as_single,omitempty"`
	AnswerDiffers []string          `json:"answers_differing,omitempty"`
	Uptime        string            `json:"uptime"`
}

func main() {
	flag.Parse()
	if *single == "" || *clusterDir == "" {
		fmt.Fprintln(os.Stderr, "usage: go run ./bench/cluster -single HOST:PORT -cluster DIR (see the package comment)")
		os.Exit(2)
	}
	targets := []target{{name: "single", addrs: []string{*single}}, clusterTarget()}
	files := synthFiles()
	var reports []loadReport
	save := func() {
		os.MkdirAll(*outDir, 0o755)
		host, _ := os.Hostname()
		name := filepath.Join(*outDir, "cluster-"+started.UTC().Format("20060102T150405Z")+".json")
		b, _ := json.MarshalIndent(map[string]any{"machine": map[string]any{"host": host, "cpus": runtime.NumCPU(), "go": runtime.Version()},
			"connections": *conns, "duration_s": duration.Seconds(), "synthetic_replicas": *replicas, "runs": reports}, "", "  ")
		must(os.WriteFile(name, b, 0o644))
		fmt.Fprintln(os.Stderr, "results written to", name)
	}
	has := func(p string) bool { return strings.Contains(","+*phases+",", ","+p+",") }
	// The loaded databases: the last run's single and cluster ones are kept for the keys phase.
	base := map[string]string{}
	for run := 1; run <= *runs && (has("load") || has("queries")); run++ {
		for _, t := range targets {
			db := fmt.Sprintf("cadrestat_bc_%s_%d", t.name, run)
			rep := loadReport{Target: t.name, Run: run}
			if has("load") {
				loadM(t, db, files, &rep)
			}
			if has("queries") {
				queries(t, db, &rep, true)
			}
			rep.Uptime = load.Uptime()
			reports = append(reports, rep)
			printReport(rep)
			save()
			if prev := base[t.name]; prev != "" && has("load") {
				t.drop(prev)
			}
			base[t.name] = db
		}
	}
	// warm: the warm scenarios alone, single and cluster alternated -runs times, over the
	// databases of run -runs (kept by the load phase).
	for run := 1; run <= *runs && has("warm"); run++ {
		for _, t := range targets {
			rep := loadReport{Target: t.name, Run: run, Key: "warm"}
			warm(t, fmt.Sprintf("cadrestat_bc_%s_%d", t.name, *runs), &rep)
			rep.Uptime = load.Uptime()
			reports = append(reports, rep)
			printReport(rep)
			save()
		}
	}
	if has("keys") {
		if base["single"] == "" {
			base["single"], base["cluster"] = "cadrestat_bc_single_"+strconv.Itoa(*runs), "cadrestat_bc_cluster_"+strconv.Itoa(*runs)
		}
		singleDB := base["single"]
		// The single server gets the same revising load, so its answers are the reference.
		s := targets[0]
		srep := loadReport{Target: "single", Key: "-"}
		revise(s, singleDB, files, &srep)
		srep.Uptime = load.Uptime()
		reports = append(reports, srep)
		printReport(srep)
		var ref map[string]string
		withServe(s, singleDB, 0, func(url string) { ref = answers(url) })
		for _, k := range strings.Split(*keys, ",") {
			rep := keyRun(targets[1], base["cluster"], k, files, ref)
			rep.Uptime = load.Uptime()
			reports = append(reports, rep)
			printReport(rep)
			save()
		}
	}
}

var started = time.Now()

func clusterTarget() target {
	raw, err := os.ReadFile(filepath.Join(*clusterDir, "nodes"))
	must(err)
	t := target{name: "cluster", cluster: *clusterName, nodes: map[string]string{}}
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		if n, a, ok := strings.Cut(line, " "); ok {
			t.nodes[n] = a
			t.addrs = append(t.addrs, a)
		}
	}
	if len(t.nodes) != 4 {
		fail("%s/nodes lists %d nodes, want 4", *clusterDir, len(t.nodes))
	}
	return t
}

type csvFiles struct{ base []string }

// synthFiles generates scale M (bench's way) and the revising file once, into -work.
func synthFiles() csvFiles {
	must(os.MkdirAll(*work, 0o755))
	syn, src, rev := filepath.Join(*work, "syn.csv"), filepath.Join(*work, "src.csv"), filepath.Join(*work, "revise.csv")
	files := csvFiles{base: []string{"data", syn}}
	if _, err := os.Stat(syn); err != nil {
		args := []string{"synth", "-out", syn}
		if *replicas > 1 {
			args = append(args, "-replicas", strconv.Itoa(*replicas), "-sources-out", src)
		}
		run(*bin, args...)
	}
	if *replicas > 1 {
		files.base = append(files.base, src)
	}
	if _, err := os.Stat(rev); err != nil {
		run(*bin, "synth", "-out", rev, "-seed", "2")
	}
	return files
}

func (f csvFiles) revise() string { return filepath.Join(*work, "revise.csv") }

var loadedRE = regexp.MustCompile(`loaded (\d+) rows`)

// ingest runs `cadrestat ingest` and returns the rows it read and the seconds it took.
func ingest(t target, db string, files ...string) (int, float64) {
	start := time.Now()
	out := run(*bin, append(append([]string{"ingest"}, t.engineArgs(db)...), files...)...)
	secs := time.Since(start).Seconds()
	m := loadedRE.FindStringSubmatch(out)
	if m == nil {
		fail("ingest said: %s", out)
	}
	n, _ := strconv.Atoi(m[1])
	return n, secs
}

func loadM(t target, db string, files csvFiles, rep *loadReport) {
	t.drop(db)
	fmt.Fprintf(os.Stderr, "[%s run %d] migrate + ingest of scale M into %s…\n", t.name, rep.Run, db)
	start := time.Now()
	run(*bin, append([]string{"migrate"}, t.engineArgs(db)...)...)
	rep.MigrateS = time.Since(start).Seconds()
	rep.Rows, rep.IngestS = ingest(t, db, files.base...)
	rep.RowsPerS = float64(rep.Rows) / rep.IngestS
	rep.RawRowsPerS = engineCopy(t, db, db+"_copy", "")
	t.drop(db + "_copy")
	rep.ShardRows = shardRows(t, db)
}

// engineCopy makes database dst (migrate; on a cluster with observations sharded by key
// when key is set) and copies src's committed tables into it, timing observations.
func engineCopy(t target, src, dst, key string) float64 {
	t.drop(dst)
	run(*bin, append([]string{"migrate"}, t.engineArgs(dst)...)...)
	s := t.connect(dst)
	defer s.Close()
	ctx := context.Background()
	if key != "" {
		must(s.Exec(ctx, "DROP TABLE IF EXISTS "+dst+".observations ON CLUSTER "+t.cluster))
		must(s.Exec(ctx, fmt.Sprintf("CREATE TABLE %s.observations ON CLUSTER %s AS %s.observations_local ENGINE = Distributed(%s, %s, observations_local, %s)",
			dst, t.cluster, dst, t.cluster, dst, keyExprs[key])))
	}
	var rate float64
	for _, tb := range []string{"provinces", "lineage", "groups", "metrics", "sources", "targets", "observations", "loads"} {
		start := time.Now()
		must(s.Exec(ctx, "INSERT INTO "+dst+"."+tb+" SELECT * FROM "+src+"."+tb))
		if tb == "observations" {
			n, err := s.RawCount(ctx, "observations")
			must(err)
			rate = float64(n) / time.Since(start).Seconds()
		}
	}
	return rate
}

// shardRows counts each cluster node's own observation rows.
func shardRows(t target, db string) map[string]uint64 {
	if t.cluster == "" {
		return nil
	}
	out := map[string]uint64{}
	for n, a := range t.nodes {
		s := t.connect(db, a)
		c, err := s.RawCount(context.Background(), "observations_local")
		must(err)
		out[n] = c
		s.Close()
	}
	return out
}

// revise ingests the revising file (a new revision of every replica-1 cell).
func revise(t target, db string, files csvFiles, rep *loadReport) {
	fmt.Fprintf(os.Stderr, "[%s] revising load into %s…\n", t.name, db)
	n, secs := ingest(t, db, files.revise())
	rep.ReviseRows, rep.ReviseRowsPS = n, float64(n)/secs
}

func keyRun(t target, baseDB, key string, files csvFiles, ref map[string]string) loadReport {
	rep := loadReport{Target: "cluster", Key: key}
	db := "cadrestat_bc_key_" + key
	fmt.Fprintf(os.Stderr, "[key %s] copying %s into %s…\n", key, baseDB, db)
	rep.RawRowsPerS = engineCopy(t, baseDB, db, key)
	rep.ShardRows = shardRows(t, db)
	revise(t, db, files, &rep)
	queries(t, db, &rep, false)
	withServe(t, db, 0, func(url string) {
		got := answers(url)
		same := len(got) == len(ref)
		for q, a := range ref {
			if got[q] != a {
				same = false
				rep.AnswerDiffers = append(rep.AnswerDiffers, q)
			}
		}
		rep.SameAnswers = &same
	})
	t.drop(db)
	return rep
}

// metrics the scenarios rotate through (bench's list).
var metrics = []string{"female_provincial_committee_share", "youth_provincial_committee_share", "female_pc_provincial_share", "staff_cut", "new_members",
	"female_na_share", "female_district_committee_share", "female_commune_committee_share", "training_attendances", "party_members_total"}

func queries(t target, db string, rep *loadReport, warmToo bool) {
	rep.RawReadP50ms = rawRead(t, db)
	withServe(t, db, 0, func(url string) {
		rep.Cold = scenarios(url, *duration, *conns)
		rep.Cold1 = scenarios(url, *duration/2, 1)
	})
	if warmToo {
		warm(t, db, rep)
	}
}

// warm drives the scenarios with the slice cache on, and counts the queries the node
// cadrestat talks to received meanwhile (system.events; the count's own query included).
func warm(t target, db string, rep *loadReport) {
	withServe(t, db, -1, func(url string) {
		before := queryCount(t)
		rep.Warm = scenarios(url, *duration/2, *conns)
		rep.WarmQueries = queryCount(t) - before - 1
	})
}

func queryCount(t target) int64 {
	s := t.connect("default")
	defer s.Close()
	var n uint64
	must(s.Ex.Select(context.Background(), chsql.Query{SQL: "SELECT value FROM system.events WHERE event = 'Query'"}, func(r chsql.Row) error { return r.Scan(&n) }))
	return int64(n)
}

// rawRead times the warehouse alone reading one metric's current observations, synthetic
// included (what a cold slice reads, in one query), p50 over the rotating metrics.
func rawRead(t target, db string) float64 {
	s := t.connect(db)
	defer s.Close()
	var times []float64
	deadline := time.Now().Add(15 * time.Second)
	for i := 0; i < 60 && time.Now().Before(deadline); i++ {
		start := time.Now()
		_, err := s.Observations(context.Background(), warehouse.ObservationFilter{MetricIDs: []string{metrics[i%len(metrics)]}, IncludeSynthetic: true})
		must(err)
		times = append(times, float64(time.Since(start).Microseconds())/1000)
	}
	sort.Float64s(times)
	return times[len(times)/2]
}

func scenarios(url string, d time.Duration, conns int) []load.Result {
	var seq atomic.Int64
	return []load.Result{
		load.Drive("national series, 21 years", url, conns, d, 30*time.Second, func() []byte { return nationalSeries(seq.Add(1)) }),
		load.Drive("national figure, one metric and year", url, conns, d, 30*time.Second, func() []byte { return national(seq.Add(1)) }),
		load.Drive("63-province comparison", url, conns, d, 30*time.Second, func() []byte { return comparison(seq.Add(1)) }),
	}
}

// withServe runs `cadrestat serve` over db (response cache off; slice cache off when
// sliceBytes is 0, the default when it is -1) until f returns; f gets the GraphQL URL once
// the server is ready and has warmed (read every metric once).
func withServe(t target, db string, sliceBytes int, f func(url string)) {
	port := freePort()
	dir, _ := os.MkdirTemp("", "cadrestat-bc-serve-")
	defer os.RemoveAll(dir)
	args := append([]string{"serve", "-addr", "127.0.0.1:" + strconv.Itoa(port), "-data", dir, "-cache-bytes", "0", "-warm-views=false"}, t.engineArgs(db)...)
	if sliceBytes >= 0 {
		args = append(args, "-slice-cache-bytes", strconv.Itoa(sliceBytes))
	}
	cmd := exec.Command(*bin, args...)
	logs, _ := cmd.StderrPipe()
	must(cmd.Start())
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	warm := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(logs)
		closed := false
		for sc.Scan() {
			if strings.Contains(sc.Text(), "warming the metric cache failed") {
				fail("serve over %s: %s", db, sc.Text())
			}
			if !closed && strings.Contains(sc.Text(), "metric cache warm") {
				close(warm)
				closed = true
			}
		}
	}()
	select {
	case <-warm:
	case <-time.After(10 * time.Minute):
		fail("serve over %s did not warm", db)
	}
	f(fmt.Sprintf("http://127.0.0.1:%d/graphql", port))
}

// A new operation name each time (as bench does): each request is a new document.
func nationalSeries(i int64) []byte {
	return load.Query(fmt.Sprintf(`query Series%d($m: ID!) { series(metric: $m, provinces: ["VN"], from: 2010, to: 2030, includeSynthetic: true) { points { year value figure { numerator denominator } } } }`, i),
		map[string]any{"m": metrics[i%int64(len(metrics))]})
}

func national(i int64) []byte {
	return load.Query(fmt.Sprintf(`query National%d($m: ID!, $y: Int!) { compare(metric: $m, year: $y, map: VN34, includeSynthetic: true) { national { figure { value numerator denominator } } } }`, i),
		map[string]any{"m": metrics[i%int64(len(metrics))], "y": 2010 + int(i%21)})
}

const compareQ = `query Compare%d($m: ID!, $y: Int!) { compare(metric: $m, year: $y, map: VN63, includeSynthetic: true) {
  rows { rank province { id name } value numerator denominator change gapToTarget targetStatus observation { id status source { title } } }
  national { figure { value } } benchmarks { id figure { value } } target { label } } }`

func comparison(i int64) []byte {
	return load.Query(fmt.Sprintf(compareQ, i), map[string]any{"m": metrics[i%int64(len(metrics))], "y": 2010 + int(i/int64(len(metrics)))%15})
}

var dataVersionRE = regexp.MustCompile(`"dataVersion":\s*\d+`)

// answers asks a fixed set of questions (every metric's national series and a 63-province
// comparison of two years) and returns the answers, dataVersion aside.
func answers(url string) map[string]string {
	out := map[string]string{}
	for i, m := range metrics {
		for _, body := range [][]byte{
			load.Query(`query S($m: ID!) { series(metric: $m, provinces: ["VN"], from: 2010, to: 2030, includeSynthetic: true) { points { year value figure { numerator denominator } observation { id status } } } }`, map[string]any{"m": m}),
			load.Query(fmt.Sprintf(compareQ, 0), map[string]any{"m": m, "y": 2012 + i}),
			load.Query(fmt.Sprintf(compareQ, 0), map[string]any{"m": m, "y": 2020}),
		} {
			out[string(body)] = dataVersionRE.ReplaceAllString(string(load.Post(url, body)), `"dataVersion":0`)
		}
	}
	return out
}

func printReport(r loadReport) {
	label := r.Target
	switch {
	case r.Key == "warm":
		label += fmt.Sprintf(", warm only, pass %d", r.Run)
	case r.Key == "-":
		label += ", the same revising load"
	case r.Key != "":
		label += ", observations sharded by " + keyExprs[r.Key]
	default:
		label += fmt.Sprintf(", run %d", r.Run)
	}
	fmt.Printf("\n== %s (uptime: %s)\n", label, r.Uptime)
	if r.Rows > 0 {
		fmt.Printf("load of %d rows: %.0f rows/s (ingest %.1f s, migrate %.1f s)\n", r.Rows, r.RowsPerS, r.IngestS, r.MigrateS)
	}
	if r.RawRowsPerS > 0 {
		fmt.Printf("engine alone copying the observations: %.0f rows/s\n", r.RawRowsPerS)
	}
	if r.ReviseRows > 0 {
		fmt.Printf("revising load of %d rows: %.0f rows/s\n", r.ReviseRows, r.ReviseRowsPS)
	}
	if r.ShardRows != nil {
		fmt.Printf("observation rows per node: s1r1 %d, s1r2 %d, s2r1 %d, s2r2 %d\n", r.ShardRows["s1r1"], r.ShardRows["s1r2"], r.ShardRows["s2r1"], r.ShardRows["s2r2"])
	}
	if r.RawReadP50ms > 0 {
		fmt.Printf("warehouse alone, one metric's current observations: p50 %.1f ms\n", r.RawReadP50ms)
	}
	for _, set := range []struct {
		name string
		rs   []load.Result
	}{{fmt.Sprintf("cold, %d conns", *conns), r.Cold}, {"cold, 1 conn", r.Cold1}, {fmt.Sprintf("warm, %d conns", *conns), r.Warm}} {
		for _, x := range set.rs {
			fmt.Printf("%-24s %-40s %8.1f req/s %6d errors  p50 %7.1f ms  p99 %7.1f ms\n", set.name, x.Scenario, x.RPS, x.Errors, x.P50ms, x.P99ms)
		}
	}
	if r.Warm != nil {
		fmt.Printf("warehouse queries during the warm scenarios: %d\n", r.WarmQueries)
	}
	if r.SameAnswers != nil {
		fmt.Printf("same GraphQL answers as the single server: %v %v\n", *r.SameAnswers, r.AnswerDiffers)
	}
}

func run(name string, args ...string) string {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		fail("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func freePort() int {
	port, err := load.FreePort()
	must(err)
	return port
}

func must(err error) {
	if err != nil {
		fail("%v", err)
	}
}

func fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "bench/cluster: "+format+"\n", a...)
	os.Exit(1)
}
