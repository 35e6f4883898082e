package clickhouse_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cadrestat/cadrestat/lifecycle"
	"github.com/cadrestat/cadrestat/server"
	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/cadrestat/cadrestat/warehouse/chsql"
	"github.com/cadrestat/cadrestat/warehouse/clickhouse"
	"github.com/cadrestat/cadrestat/warehouse/storetest"
)

// The cluster under test comes from CADRESTAT_TEST_CLUSTER: the folder that
// scripts/clickhouse-cluster.sh started (`make test-cluster` does it), 2 shards x 2
// replicas and a ZooKeeper. Its "nodes" file maps s1r1, s1r2, s2r1, s2r2 to host:port.
const clusterName = "cadrestat_cluster"

var clusterOrder = []string{"s1r1", "s1r2", "s2r1", "s2r2"}

func clusterDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("CADRESTAT_TEST_CLUSTER")
	if dir == "" {
		t.Skip("no ClickHouse cluster: run `make test-cluster` (or set CADRESTAT_TEST_CLUSTER to a folder started by scripts/clickhouse-cluster.sh)")
	}
	return dir
}

func clusterNodes(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(clusterDir(t), "nodes"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	nodes := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if name, a, ok := strings.Cut(sc.Text(), " "); ok {
			nodes[name] = a
		}
	}
	if len(nodes) != 4 {
		t.Fatalf("cluster nodes file lists %d nodes, want 4", len(nodes))
	}
	return nodes
}

// clusterCfg connects through the given nodes, in order (the driver uses the first that
// answers).
func clusterCfg(t *testing.T, db string, through ...string) clickhouse.Config {
	nodes := clusterNodes(t)
	if len(through) == 0 {
		through = clusterOrder
	}
	var addrs []string
	for _, n := range through {
		addrs = append(addrs, nodes[n])
	}
	return clickhouse.Config{Addrs: addrs, User: "default", Database: db, Cluster: clusterName,
		DialTimeout: 2 * time.Second, MaxOpenConns: 8, MaxIdleConns: 4}
}

// openCluster creates a fresh database on the cluster; it is dropped ON CLUSTER afterwards.
func openCluster(t *testing.T, through ...string) *clickhouse.Store {
	t.Helper()
	db := fmt.Sprintf("cadrestat_ctest_%d_%d", os.Getpid(), seq.Add(1))
	s, err := clickhouse.Open(context.Background(), clusterCfg(t, db, through...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, d := range []string{db, db + "_v2"} {
			if err := s.Exec(context.Background(), "DROP DATABASE IF EXISTS "+d+" ON CLUSTER "+clusterName); err != nil {
				t.Logf("dropping %s: %v", d, err)
			}
		}
		s.Close()
	})
	return s
}

// connectAs reads the database of s through one node only.
func connectAs(t *testing.T, s *clickhouse.Store, node string) *clickhouse.Store {
	t.Helper()
	r, err := clickhouse.Connect(context.Background(), clusterCfg(t, s.DB, node))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// TestClusterContract runs the Store contract suite through the Distributed tables.
func TestClusterContract(t *testing.T) {
	clusterDir(t)
	caps := storetest.Caps{}
	if !modern() {
		caps.NoFailureInjection = "discarding a failed load needs ALTER … DELETE with mutations_sync, which ClickHouse 18.16 lacks (unknown setting)"
	}
	storetest.Run(t, caps, func(t *testing.T) (warehouse.Store, *chsql.Core) {
		s := openCluster(t)
		return s, s.Core
	})
}

// snapshot is everything a reader sees of a store.
type snapshot struct {
	Version uint64
	Catalog *warehouse.Catalog
	Obs     []warehouse.Observation
}

func snap(t *testing.T, s warehouse.Store) snapshot {
	t.Helper()
	ctx := context.Background()
	v, err := s.DataVersion(ctx)
	if err != nil {
		t.Fatalf("data version: %v", err)
	}
	cat, err := s.Catalog(ctx)
	if err != nil {
		t.Fatalf("catalog: %v", err)
	}
	obs, err := s.Observations(ctx, warehouse.ObservationFilter{IncludeSynthetic: true})
	if err != nil {
		t.Fatalf("observations: %v", err)
	}
	return snapshot{v, cat, obs}
}

func sameSnap(a, b snapshot) bool {
	a.Catalog.Version, b.Catalog.Version = 0, 0
	return a.Version == b.Version && reflect.DeepEqual(a.Catalog.Provinces, b.Catalog.Provinces) &&
		reflect.DeepEqual(a.Catalog.Metrics, b.Catalog.Metrics) && reflect.DeepEqual(a.Catalog.Sources, b.Catalog.Sources) &&
		reflect.DeepEqual(a.Catalog.Groups, b.Catalog.Groups) && reflect.DeepEqual(a.Catalog.Targets, b.Catalog.Targets) &&
		reflect.DeepEqual(a.Obs, b.Obs)
}

// localCounts counts each node's own rows of a table (its _local table), by node.
func localCounts(t *testing.T, s *clickhouse.Store, table string) map[string]uint64 {
	t.Helper()
	out := map[string]uint64{}
	for _, n := range clusterOrder {
		r := connectAs(t, s, n)
		c, err := r.RawCount(context.Background(), table+"_local")
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		out[n] = c
	}
	return out
}

// TestClusterLoadReadThroughEveryNode: a load written through one node is read identically
// through every node, and its rows are on both replicas of their shard the moment the load
// returns (the quorum insert), spread over both shards.
func TestClusterLoadReadThroughEveryNode(t *testing.T) {
	s := openCluster(t, "s2r2")
	b := storetest.Fixture()
	for i := 0; i < 40; i++ { // more metrics, so both shards get observations
		o := b.Observations[0]
		o.MetricID = fmt.Sprintf("m%02d", i)
		b.Observations = append(b.Observations, o)
	}
	if _, err := s.Load(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	want := snap(t, s)
	if len(want.Obs) != 45 {
		t.Fatalf("%d observations through s2r2, want 45", len(want.Obs))
	}
	for _, n := range clusterOrder {
		if got := snap(t, connectAs(t, s, n)); !sameSnap(got, want) {
			t.Fatalf("through %s: %+v\nthrough s2r2: %+v", n, got, want)
		}
	}
	c := localCounts(t, s, "observations")
	if c["s1r1"] != c["s1r2"] || c["s2r1"] != c["s2r2"] || c["s1r1"] == 0 || c["s2r1"] == 0 || c["s1r1"]+c["s2r1"] != 45 {
		t.Fatalf("observation rows per node right after the load: %v; want equal replicas, both shards used, 45 in all", c)
	}
}

// node control through the cluster script.
func clusterScript(t *testing.T, cmd, node string) {
	t.Helper()
	out, err := exec.Command("../../scripts/clickhouse-cluster.sh", cmd, clusterDir(t), node).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", cmd, node, err, out)
	}
}

// down stops nodes and makes sure they are started again when the test ends, whatever
// happens; it returns the function that starts them (safe to call twice).
func down(t *testing.T, nodes ...string) (up func()) {
	t.Helper()
	for _, n := range nodes {
		clusterScript(t, "stop-node", n)
	}
	started := false
	up = func() {
		if started {
			return
		}
		started = true
		for _, n := range nodes {
			clusterScript(t, "start-node", n)
		}
	}
	t.Cleanup(up)
	return up
}

// eventually retries f until it succeeds or the deadline passes.
func eventually(t *testing.T, what string, within time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still failing after %v: %v", what, within, err)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// gql serves GraphQL over a store, cache off (so every query reaches the warehouse).
type gql struct {
	t   *testing.T
	svc *service.Service
	url string
}

func newGQL(t *testing.T, s warehouse.Store) *gql {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := service.New(s, log)
	cfg := server.Defaults()
	cfg.CacheBytes = 0
	cfg.Lifecycle = lifecycle.New(svc, log) // not started: the test refreshes the service itself
	ts := httptest.NewServer(server.New(svc, cfg, log))
	t.Cleanup(ts.Close)
	if err := svc.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &gql{t, svc, ts.URL}
}

func (g *gql) ready() int {
	r, err := http.Get(g.url + "/readyz")
	if err != nil {
		g.t.Fatal(err)
	}
	r.Body.Close()
	return r.StatusCode
}

// count asks for the number of female_share observations: code "OK" and the count, or
// the error's code and message.
func (g *gql) count() (code, msg string) {
	body := `{"query":"{ observations(filter: {metrics: [\"female_share\"], includeSynthetic: true}) { totalCount edges { node { id } } } }"}`
	r, err := http.Post(g.url+"/graphql", "application/json", strings.NewReader(body))
	if err != nil {
		g.t.Fatal(err)
	}
	defer r.Body.Close()
	raw, _ := io.ReadAll(r.Body)
	var out struct {
		Data *struct {
			Observations struct{ TotalCount int }
		}
		Errors []struct {
			Message    string
			Extensions map[string]any
		}
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		g.t.Fatalf("%s: %v", raw, err)
	}
	if len(out.Errors) > 0 {
		if out.Data != nil && out.Data.Observations.TotalCount > 0 {
			g.t.Fatalf("an error with data served: %s", raw)
		}
		return fmt.Sprint(out.Errors[0].Extensions["code"]), out.Errors[0].Message
	}
	return "OK", fmt.Sprint(out.Data.Observations.TotalCount)
}

// leaks reports driver or host text in a client-facing message.
func leaks(msg string) bool {
	for _, s := range []string{"127.0.0.1", "DB::", "Exception", "Code:", "connection", "dial", "tcp", "_local", "cadrestat_ctest"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

func mustUnavailable(t *testing.T, what string, err error) {
	t.Helper()
	if warehouse.KindOf(err) != warehouse.ErrUnavailable || leaks(warehouse.ErrorMessage(err)) {
		t.Fatalf("%s: kind %v, message %q (%v); want UNAVAILABLE with a message naming no host or driver text",
			what, warehouse.KindOf(err), warehouse.ErrorMessage(err), err)
	}
}

// correction is a one-row load that changes the first fixture row's value.
func correction(v float64) *warehouse.Batch {
	b := &warehouse.Batch{File: fmt.Sprintf("fix-%v.csv", v), Observations: []warehouse.Observation{storetest.Fixture().Observations[0]}}
	b.Observations[0].Value = &v
	return b
}

// TestClusterReplicaDown: with one replica of shard 1 down, reads and /readyz keep working
// through the other replica; a load fails whole (the quorum insert needs every replica) with
// UNAVAILABLE and nothing of it visible; once the replica is back, loads succeed again and
// the returning replica holds every row.
func TestClusterReplicaDown(t *testing.T) {
	s := openCluster(t, "s2r1", "s2r2")
	ctx := context.Background()
	if _, err := s.Load(ctx, storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	before := snap(t, s)
	g := newGQL(t, s)
	_, n0 := g.count()

	up := down(t, "s1r2")
	if got := snap(t, s); !sameSnap(got, before) {
		t.Fatalf("read with s1r2 down: %+v, want %+v", got, before)
	}
	if code, n := g.count(); code != "OK" || n != n0 {
		t.Fatalf("GraphQL with s1r2 down: %s %s, want OK %s", code, n, n0)
	}
	if code := g.ready(); code != 200 {
		t.Fatalf("/readyz = %d with one replica down, want 200", code)
	}
	raw0 := localCounts1(t, s, "s1r1", "observations")
	_, err := s.Load(ctx, correction(61))
	mustUnavailable(t, "load with a replica down", err)
	if got := snap(t, s); !sameSnap(got, before) {
		t.Fatalf("after the failed load: %+v, want %+v (nothing of it visible)", got, before)
	}

	up()
	// Back: the replica catches up, loads succeed (the first attempts may still find the
	// replica recovering), and every node reads the same.
	var res *warehouse.LoadResult
	eventually(t, "a load after the replica returned", 60*time.Second, func() error {
		var err error
		res, err = s.Load(ctx, correction(62))
		return err
	})
	if res.Changed != 1 || res.DataVersion != before.Version+1 {
		t.Fatalf("load after the replica returned: %+v", res)
	}
	want := snap(t, s)
	for _, n := range clusterOrder {
		if got := snap(t, connectAs(t, s, n)); !sameSnap(got, want) {
			t.Fatalf("through %s after the replica returned: %+v, want %+v", n, got, want)
		}
	}
	eventually(t, "s1r2 catching up", 30*time.Second, func() error {
		if a, b := localCounts1(t, s, "s1r1", "observations"), localCounts1(t, s, "s1r2", "observations"); a != b || a < raw0 {
			return fmt.Errorf("s1r1 has %d observation rows, s1r2 %d", a, b)
		}
		return nil
	})
}

func localCounts1(t *testing.T, s *clickhouse.Store, node, table string) uint64 {
	t.Helper()
	c, err := connectAs(t, s, node).RawCount(context.Background(), table+"_local")
	if err != nil {
		t.Fatalf("%s: %v", node, err)
	}
	return c
}

// TestClusterShardDown: with both replicas of shard 2 down, queries answer UNAVAILABLE (no
// partial result, no driver text), /readyz says 503, loads fail; when the shard returns the
// same server answers again without a restart.
func TestClusterShardDown(t *testing.T) {
	s := openCluster(t, "s1r1", "s1r2")
	ctx := context.Background()
	if _, err := s.Load(ctx, storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	g := newGQL(t, s)
	code0, n0 := g.count()
	if code0 != "OK" || g.ready() != 200 {
		t.Fatalf("before: %s %s, /readyz %d", code0, n0, g.ready())
	}
	before := snap(t, s)

	up := down(t, "s2r1", "s2r2")
	if code, msg := g.count(); code != "UNAVAILABLE" || leaks(msg) {
		t.Fatalf("GraphQL with shard 2 down: %s %q; want UNAVAILABLE naming no host or driver", code, msg)
	}
	if code := g.ready(); code != 503 {
		t.Fatalf("/readyz = %d with shard 2 down, want 503", code)
	}
	_, err := s.Observations(ctx, warehouse.ObservationFilter{IncludeSynthetic: true})
	mustUnavailable(t, "observations with shard 2 down", err)
	_, err = s.DataVersion(ctx)
	mustUnavailable(t, "data version with shard 2 down", err)
	_, err = s.Load(ctx, correction(71))
	mustUnavailable(t, "load with shard 2 down", err)

	up()
	eventually(t, "GraphQL after shard 2 returned", 60*time.Second, func() error {
		if code, n := g.count(); code != "OK" || n != n0 {
			return fmt.Errorf("%s %s", code, n)
		}
		if code := g.ready(); code != 200 {
			return fmt.Errorf("/readyz %d", code)
		}
		return nil
	})
	if got := snap(t, s); !sameSnap(got, before) {
		t.Fatalf("after shard 2 returned: %+v, want %+v (the failed load must not show)", got, before)
	}
	eventually(t, "a load after shard 2 returned", 60*time.Second, func() error {
		_, err := s.Load(ctx, correction(72))
		return err
	})
}

// TestClusterZooKeeperDown: without ZooKeeper, reads go on; loads and DDL fail with
// UNAVAILABLE and leave nothing visible; both succeed once ZooKeeper is back.
func TestClusterZooKeeperDown(t *testing.T) {
	s := openCluster(t, "s1r1", "s2r1")
	ctx := context.Background()
	if _, err := s.Load(ctx, storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	before := snap(t, s)
	g := newGQL(t, s)
	_, n0 := g.count()

	up := down(t, "zk")
	if got := snap(t, s); !sameSnap(got, before) {
		t.Fatalf("read without ZooKeeper: %+v, want %+v", got, before)
	}
	if code, n := g.count(); code != "OK" || n != n0 || g.ready() != 200 {
		t.Fatalf("GraphQL without ZooKeeper: %s %s, /readyz %d", code, n, g.ready())
	}
	// The replicas notice the lost session within its timeout (5 s here); from then on a
	// load is refused. Before, it may still go through whole, which is also fine.
	eventually(t, "a load refused without ZooKeeper", 30*time.Second, func() error {
		_, err := s.Load(ctx, correction(float64(81+time.Now().UnixNano()%1000)))
		if err == nil {
			return fmt.Errorf("load succeeded")
		}
		mustUnavailable(t, "load without ZooKeeper", err)
		return nil
	})
	mid := snap(t, s)
	other, err := clickhouse.Connect(ctx, clusterCfg(t, s.DB+"_v2", "s1r1"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	mustUnavailable(t, "DDL without ZooKeeper", other.Migrate(ctx))
	if got := snap(t, s); !sameSnap(got, mid) {
		t.Fatalf("after refused loads: %+v, want %+v", got, mid)
	}

	up()
	eventually(t, "a load after ZooKeeper returned", 60*time.Second, func() error {
		_, err := s.Load(ctx, correction(89))
		return err
	})
	eventually(t, "DDL after ZooKeeper returned", 60*time.Second, func() error { return other.Migrate(ctx) })
	if got, err := s.Observations(ctx, warehouse.ObservationFilter{MetricIDs: []string{"female_share"}, SubjectIDs: []string{"VN63-92"}, SourceIDs: []string{"src-a"}}); err != nil || len(got) != 1 || *got[0].Value != 89 {
		t.Fatalf("after ZooKeeper returned: %+v, %v", got, err)
	}
}

// serveProc runs `cadrestat serve` (the binary from CADRESTAT_BIN) until the test ends.
func serveProc(t *testing.T, bin string, args ...string) string {
	t.Helper()
	port := freePort(t)
	args = append([]string{"serve", "-addr", fmt.Sprintf("127.0.0.1:%d", port), "-data", t.TempDir(),
		"-synthetic-seed", "0", "-warm-views=false"}, args...)
	cmd := exec.Command(bin, args...)
	logf, err := os.Create(filepath.Join(t.TempDir(), "serve.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait(); logf.Close() })
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	eventually(t, "serve "+strings.Join(args, " ")+" ready", 4*time.Minute, func() error {
		r, err := http.Get(url + "/readyz")
		if err != nil {
			return err
		}
		r.Body.Close()
		if r.StatusCode != 200 {
			return fmt.Errorf("/readyz %d", r.StatusCode)
		}
		return nil
	})
	return url
}

var dataVersionRE = regexp.MustCompile(`"dataVersion":\s*\d+`)

// TestClusterServeMatchesEmbedded: `serve -engine clickhouse -clickhouse-cluster` over the
// loopback cluster answers a set of GraphQL queries byte for byte as the embedded engine
// does on the same (bundled) data, dataVersion aside.
func TestClusterServeMatchesEmbedded(t *testing.T) {
	nodes := clusterNodes(t)
	bin := os.Getenv("CADRESTAT_BIN")
	if bin == "" {
		t.Skip("CADRESTAT_BIN is not set (make test-cluster builds bin/cadrestat and sets it)")
	}
	db := fmt.Sprintf("cadrestat_cmp_%d", os.Getpid())
	var addrs []string
	for _, n := range clusterOrder {
		addrs = append(addrs, nodes[n])
	}
	t.Cleanup(func() {
		if s, err := clickhouse.Connect(context.Background(), clusterCfg(t, "default")); err == nil {
			s.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db+" ON CLUSTER "+clusterName)
			s.Close()
		}
	})
	emb := serveProc(t, bin, "-engine", "embedded")
	// A server engine is written by `migrate` and `ingest`; serve only reads. The same
	// files serve loads from its bundle.
	engine := []string{"-engine", "clickhouse", "-clickhouse-addr", strings.Join(addrs, ","), "-clickhouse-cluster", clusterName, "-database", db}
	files, _ := filepath.Glob("../../data/*.csv")
	for _, args := range [][]string{append([]string{"migrate"}, engine...), append(append([]string{"ingest"}, engine...), files...)} {
		if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			t.Fatalf("cadrestat %s: %v\n%s", args[0], err, out)
		}
	}
	clu := serveProc(t, bin, engine...)
	queries := []string{
		`{ provinces(map: VN34) { id name region predecessors { id } } }`,
		`{ metrics { id unit kind aggregation } }`,
		`{ compare(metric: "female_provincial_committee_share", period: "term:2020-2025") { year rankOf rows { province { id } value rank rankOf numerator denominator } } }`,
		`{ compare(metric: "female_provincial_committee_share", year: 2020, map: VN34) { year rankOf projected rows { province { id } value } } }`,
		`{ series(metric: "female_provincial_committee_share", provinces: ["VN"], from: 2010, to: 2030) { province { id } points { year value period { label } observation { id status } } } }`,
		`{ observations(filter: {metrics: ["female_provincial_committee_share"]}, first: 20) { totalCount edges { cursor node { id value qualifier status source { id url } } } pageInfo { hasNextPage endCursor } } }`,
		`{ targetAttainment(metric: "female_provincial_committee_share", period: "term:2020-2025") { met below above unknown noData rows { province { id } value rank } } }`,
		`{ table(metrics: ["female_provincial_committee_share", "youth_provincial_committee_share"], years: [2015, 2020, 2025]) { rows { province { id } cells { value } } } }`,
		`{ groups(map: VN63) { id members { id } } }`,
		`{ trend(metric: "female_provincial_committee_share", province: "VN63-01", from: 2010, to: 2030) { periodKind points { year value } } }`,
	}
	post := func(url, q string) string {
		body, _ := json.Marshal(map[string]string{"query": q})
		r, err := http.Post(url+"/graphql", "application/json", strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		return fmt.Sprintf("%d %s", r.StatusCode, dataVersionRE.ReplaceAllString(string(b), `"dataVersion":0`))
	}
	withData := 0
	for _, q := range queries {
		a, b := post(emb, q), post(clu, q)
		if a != b {
			t.Errorf("query %s\nembedded: %.600s\ncluster:  %.600s", q, a, b)
		}
		if strings.HasPrefix(a, "200 ") && !strings.Contains(a, `"errors"`) {
			withData++
		} else {
			t.Logf("query %s answered with an error on both engines: %.300s", q, a)
		}
	}
	if withData < len(queries)-2 {
		t.Fatalf("only %d of %d queries answered without errors; the comparison must cover real answers", withData, len(queries))
	}
}
