// Package storetest is the one contract suite every warehouse engine must pass. Engines call
// Run with a constructor that returns a fresh, migrated, empty store (its own database).
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/cadrestat/cadrestat/warehouse/chsql"
)

// Caps says what the engine under test supports; a missing capability skips the tests that
// need it, with the reason given.
type Caps struct {
	// NoLoadReason, when set, says why Load cannot run (e.g. an old server); load tests skip.
	NoLoadReason string
	// NoFailureInjection is set for engines whose Core cannot be reached for the crash hook.
	NoFailureInjection string
}

// Factory returns a fresh store plus its Core (for migration and failure-injection tests).
type Factory func(t *testing.T) (warehouse.Store, *chsql.Core)

// Run runs the contract suite: every behaviour below, each a named subtest.
func Run(t *testing.T, caps Caps, newStore Factory) {
	c := contract{ctx: context.Background(), caps: caps, newStore: newStore}
	for _, b := range behaviours {
		t.Run(b.name, func(t *testing.T) { b.check(t, c) })
	}
}

// contract is what each behaviour is given: the engine's constructor and capabilities.
type contract struct {
	ctx      context.Context
	caps     Caps
	newStore Factory
}

// needLoad skips a behaviour that loads data on an engine that cannot.
func (c contract) needLoad(t *testing.T) {
	if c.caps.NoLoadReason != "" {
		t.Skip(c.caps.NoLoadReason)
	}
}

// fixtureStore is a fresh store with Fixture loaded (a behaviour that needs loads).
func (c contract) fixtureStore(t *testing.T) warehouse.Store {
	c.needLoad(t)
	s, _ := c.newStore(t)
	mustLoad(t, s, Fixture())
	return s
}

// behaviour is one named part of the contract.
type behaviour struct {
	name  string
	check func(t *testing.T, c contract)
}

// behaviours are the contract, in the order they run.
var behaviours = []behaviour{
	{"MigrateIsIdempotent", migrateIsIdempotent},
	{"EmptyWarehouse", emptyWarehouse},
	{"LoadAndReadCatalog", loadAndReadCatalog},
	{"ObservationsFilterAndSynthetic", observationsFilterAndSynthetic},
	{"ReloadChangesNothing", reloadChangesNothing},
	{"CorrectionKeepsRevision", correctionKeepsRevision},
	{"TextRoundTrip", textRoundTrip},
	{"SourceURLAndRetrieved", sourceURLAndRetrieved},
	{"UpgradeAddsSourceURL", upgradeAddsSourceURL},
	{"OnePerCell", onePerCell},
	{"Cells", cells},
	{"ResultsNeverCross", resultsNeverCross},
	{"QueryMemoryLimit", queryMemoryLimit},
	{"StreamedLoad", streamedLoad},
	{"ErrStreamLeavesWarehouseAsItWas", errStreamLeavesWarehouseAsItWas},
	{"RecoverRemovesUncommittedLoads", recoverRemovesUncommittedLoads},
	{"FailedLoadLeavesWarehouseAsItWas", failedLoadLeavesWarehouseAsItWas},
}

// migrateIsIdempotent: migrating a migrated database changes nothing, and every table has
// the columns its descriptor gives.
func migrateIsIdempotent(t *testing.T, c contract) {
	ctx := c.ctx
	newStore := c.newStore
	s, core := newStore(t)
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	v, err := core.SchemaVersionApplied(ctx)
	if err != nil || v != chsql.SchemaVersion() {
		t.Fatalf("schema version = %d, %v; want %d", v, err, chsql.SchemaVersion())
	}
	checkSchema(t, core)
}

// emptyWarehouse: a new database answers, at data version 0, with an empty catalogue.
func emptyWarehouse(t *testing.T, c contract) {
	ctx := c.ctx
	newStore := c.newStore
	s, _ := newStore(t)
	v, err := s.DataVersion(ctx)
	if err != nil || v != 0 {
		t.Fatalf("data version = %d, %v; want 0", v, err)
	}
	cat, err := s.Catalog(ctx)
	if err != nil || len(cat.Provinces) != 0 {
		t.Fatalf("catalog = %+v, %v", cat, err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
}

// loadAndReadCatalog: a load's reference rows come back in the catalogue, lineage joined.
func loadAndReadCatalog(t *testing.T, c contract) {
	ctx := c.ctx
	s := c.fixtureStore(t)
	cat, err := s.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Provinces) != 4 || len(cat.Metrics) != 2 || len(cat.Sources) != 2 || len(cat.Groups) != 1 || len(cat.Targets) != 1 {
		t.Fatalf("catalog sizes: %d provinces, %d metrics, %d sources, %d groups, %d targets",
			len(cat.Provinces), len(cat.Metrics), len(cat.Sources), len(cat.Groups), len(cat.Targets))
	}
	merged := cat.Province("VN34-92")
	if merged == nil || len(merged.Predecessors) != 3 {
		t.Fatalf("VN34-92 predecessors = %+v", merged)
	}
	if p := cat.FindProvince(warehouse.VN63, "CẦN THƠ"); p == nil || p.ID != "VN63-92" {
		t.Fatalf("FindProvince(CẦN THƠ) = %+v", p)
	}
	if g := cat.Group("cluster5"); g == nil || len(g.Members) != 2 {
		t.Fatalf("group = %+v", g)
	}
	tg := cat.TargetsFor("female_share")
	if len(tg) != 1 || tg[0].Lower == nil || *tg[0].Lower != 20 || !tg[0].LowerInclusive {
		t.Fatalf("targets = %+v", tg)
	}
}

// observationsFilterAndSynthetic: filters select observations, and SYNTHETIC rows only
// when asked for.
func observationsFilterAndSynthetic(t *testing.T, c contract) {
	ctx := c.ctx
	s := c.fixtureStore(t)
	all, err := s.Observations(ctx, warehouse.ObservationFilter{MetricIDs: []string{"female_share"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range all {
		if o.Status == warehouse.StatusSynthetic {
			t.Fatalf("synthetic row returned without asking: %+v", o)
		}
	}
	if len(all) != 3 {
		t.Fatalf("published female_share rows = %d, want 3", len(all))
	}
	withSyn, err := s.Observations(ctx, warehouse.ObservationFilter{MetricIDs: []string{"female_share"}, IncludeSynthetic: true})
	if err != nil || len(withSyn) != 4 {
		t.Fatalf("with synthetic = %d, %v; want 4", len(withSyn), err)
	}
	n, err := s.CountObservations(ctx, warehouse.ObservationFilter{IncludeSynthetic: true})
	if err != nil || n != 5 {
		t.Fatalf("count = %d, %v; want 5", n, err)
	}
	one, err := s.Observations(ctx, warehouse.ObservationFilter{MetricIDs: []string{"female_share"}, SubjectIDs: []string{"VN63-92"}, YearFrom: 2020, YearTo: 2020})
	if err != nil || len(one) != 2 {
		t.Fatalf("VN63-92 in 2020 = %d, %v; want 2 (two sources)", len(one), err)
	}
	page1, err := s.Observations(ctx, warehouse.ObservationFilter{IncludeSynthetic: true, Limit: 2})
	if err != nil || len(page1) != 2 {
		t.Fatalf("page1 = %d, %v", len(page1), err)
	}
	page2, err := s.Observations(ctx, warehouse.ObservationFilter{IncludeSynthetic: true, Limit: 10, AfterID: page1[1].ID})
	if err != nil || len(page2) != 3 || page2[0].ID <= page1[1].ID {
		t.Fatalf("page2 = %d, %v", len(page2), err)
	}
	hostile, err := s.Observations(ctx, warehouse.ObservationFilter{MetricIDs: []string{"x' OR 1=1 --", `\'; DROP TABLE observations`}})
	if err != nil || len(hostile) != 0 {
		t.Fatalf("injection attempt returned %d rows, %v", len(hostile), err)
	}
}

// reloadChangesNothing: loading the same rows again writes nothing and keeps the version.
func reloadChangesNothing(t *testing.T, c contract) {
	ctx := c.ctx
	newStore := c.newStore
	c.needLoad(t)
	s, core := newStore(t)
	first := mustLoad(t, s, Fixture())
	n1, _ := s.CountObservations(ctx, warehouse.ObservationFilter{IncludeSynthetic: true})
	second := mustLoad(t, s, Fixture())
	n2, _ := s.CountObservations(ctx, warehouse.ObservationFilter{IncludeSynthetic: true})
	if second.Changed != 0 || n1 != n2 {
		t.Fatalf("reload changed %d rows; count %d -> %d", second.Changed, n1, n2)
	}
	if first.Changed != first.Rows {
		t.Fatalf("first load changed %d of %d rows", first.Changed, first.Rows)
	}
	// A load that changed nothing leaves the data version alone (caches keyed on it stay
	// valid) but is still recorded, so HasLoad finds it by name.
	if v, err := s.DataVersion(ctx); err != nil || second.DataVersion != first.DataVersion || v != first.DataVersion {
		t.Fatalf("data version %d -> %d (warehouse says %d, %v); a load that changed nothing must not move it",
			first.DataVersion, second.DataVersion, v, err)
	}
	again := Fixture()
	again.File = "fixture-again"
	if third := mustLoad(t, s, again); third.Changed != 0 || third.DataVersion != first.DataVersion {
		t.Fatalf("reload under another name: changed %d, version %d; want 0, %d", third.Changed, third.DataVersion, first.DataVersion)
	}
	if ok, err := core.HasLoad(ctx, "fixture-again"); err != nil || !ok {
		t.Fatalf("HasLoad(fixture-again) = %v, %v; the unchanged load must still be recorded", ok, err)
	}
	// The next load that changes something moves the version on by one, and its rows
	// are the current revision.
	fix := &warehouse.Batch{File: "fix.csv", Observations: []warehouse.Observation{Fixture().Observations[0]}}
	fix.Observations[0].Value = f(31.5)
	res := mustLoad(t, s, fix)
	if v, _ := s.DataVersion(ctx); res.Changed != 1 || res.DataVersion != first.DataVersion+1 || v != res.DataVersion {
		t.Fatalf("correction after the reloads: changed %d, version %d (warehouse says %d); want 1, %d", res.Changed, res.DataVersion, v, first.DataVersion+1)
	}
	id := warehouse.ObservationID("VN63-92", "female_share", "2020", "src-a")
	revs, err := s.Revisions(ctx, []string{id})
	if err != nil || len(revs[id]) != 2 || *revs[id][0].Value != 31.5 {
		t.Fatalf("revisions after the reloads = %+v, %v; want the correction first, then the original", revs, err)
	}
}

// correctionKeepsRevision: a changed figure supersedes the old one, which stays a revision.
func correctionKeepsRevision(t *testing.T, c contract) {
	ctx := c.ctx
	s := c.fixtureStore(t)
	fix := &warehouse.Batch{File: "fix.csv", Observations: []warehouse.Observation{Fixture().Observations[0]}}
	v := 31.5
	fix.Observations[0].Value = &v
	res := mustLoad(t, s, fix)
	if res.Changed != 1 {
		t.Fatalf("correction changed %d rows", res.Changed)
	}
	id := warehouse.ObservationID("VN63-92", "female_share", "2020", "src-a")
	cur, err := s.Observations(ctx, warehouse.ObservationFilter{MetricIDs: []string{"female_share"}, SubjectIDs: []string{"VN63-92"}, SourceIDs: []string{"src-a"}, PeriodLabels: []string{"2020"}})
	if err != nil || len(cur) != 1 || *cur[0].Value != 31.5 || cur[0].ID != id {
		t.Fatalf("current = %+v, %v", cur, err)
	}
	revs, err := s.Revisions(ctx, []string{id, "nonexistent"})
	if err != nil || len(revs[id]) != 2 || *revs[id][1].Value != 25 || len(revs["nonexistent"]) != 0 {
		t.Fatalf("revisions = %+v, %v", revs, err)
	}
}

// textRoundTrip: text with tabs, newlines, quotes, backslashes and NUL reads back as written.
func textRoundTrip(t *testing.T, c contract) {
	ctx := c.ctx
	newStore := c.newStore
	c.needLoad(t)
	s, _ := newStore(t)
	b := Fixture()
	awkward := "tab\there, new\nline, back\\slash \\N, quote ' \" ‘Cần Thơ’ \x00 end"
	b.Sources[0].Title = awkward
	b.Observations[0].Quote = awkward
	b.Groups[0].Members = []string{"VN63-92", "VN63-93"}
	b.Groups[0].Note = awkward
	mustLoad(t, s, b)
	cat, err := s.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := cat.Source("src-a").Title; got != awkward {
		t.Fatalf("source title round trip:\n got %q\nwant %q", got, awkward)
	}
	if got := cat.Group("cluster5").Note; got != awkward {
		t.Fatalf("group note round trip: %q", got)
	}
	obs, _ := s.Observations(ctx, warehouse.ObservationFilter{SourceIDs: []string{"src-a"}, SubjectIDs: []string{"VN63-92"}, MetricIDs: []string{"female_share"}})
	if len(obs) != 1 || obs[0].Quote != awkward {
		t.Fatalf("quote round trip: %+v", obs)
	}
}

// sourceURLAndRetrieved: a source's URL and retrieval date are stored and read back.
func sourceURLAndRetrieved(t *testing.T, c contract) {
	ctx := c.ctx
	s := c.fixtureStore(t)
	cat, err := s.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a, b := cat.Source("src-a"), cat.Source("src-b")
	if a.URL != "" || a.Retrieved != "" || b.URL != fixtureURL || b.Retrieved != "2025-06-01" {
		t.Fatalf("sources read back: %+v, %+v", a, b)
	}
	if res := mustLoad(t, s, Fixture()); res.Changed != 0 {
		t.Fatalf("reloading the same sources changed %d rows", res.Changed)
	}
	fix := Fixture()
	fix.Sources[0].URL, fix.Sources[0].Retrieved = "https://example.vn/a?x=1&y=ư", "2025-07-02"
	if res := mustLoad(t, s, fix); res.Changed != 1 {
		t.Fatalf("adding a URL changed %d rows, want 1", res.Changed)
	}
	cat, _ = s.Catalog(ctx)
	if got := cat.Source("src-a"); got.URL != fix.Sources[0].URL || got.Retrieved != "2025-07-02" {
		t.Fatalf("after adding a URL: %+v", got)
	}
	// The declared priority (migration 4) reads back, negative values included; a
	// source without one reads 0; changing it is a change.
	if cat.Source("src-b").Priority != 0 {
		t.Fatalf("default priority: %+v", cat.Source("src-b"))
	}
	fix.Sources[0].Priority, fix.Sources[1].Priority = -7, 42
	if res := mustLoad(t, s, fix); res.Changed != 2 {
		t.Fatalf("setting priorities changed %d rows, want 2", res.Changed)
	}
	cat, _ = s.Catalog(ctx)
	if a, b := cat.Source("src-a"), cat.Source("src-b"); a.Priority != -7 || b.Priority != 42 {
		t.Fatalf("priorities read back: %d, %d", a.Priority, b.Priority)
	}
}

// A folder written before migration 3 has sources without url and retrieved: migrating
// adds both, its rows read them as "", and loads write them.
func upgradeAddsSourceURL(t *testing.T, c contract) {
	ctx := c.ctx
	newStore := c.newStore
	c.needLoad(t)
	_, core := newStore(t)
	old, err := chsql.NewCore(core.Ex, core.DB+"_v2")
	if err != nil {
		t.Fatal(err)
	}
	old.Cluster = core.Cluster
	t.Cleanup(func() { _ = core.Ex.Exec(context.Background(), chsql.Query{SQL: "DROP DATABASE IF EXISTS " + old.DB}) })
	if err := old.MigrateTo(ctx, 2); err != nil {
		t.Fatal(err)
	}
	for _, st := range []string{
		"INSERT INTO " + old.DB + ".sources (id, title, issuer, doc_number, date, language, location, kind, licence, hash, load_id, revision) SELECT 'old', 'Old', 'I', '', '2019', 'vi', 'x', 'press', '', toUInt64(1), 'l-old', toUInt64(1)",
		"INSERT INTO " + old.DB + ".loads (load_id, version, file, rows, changed) SELECT 'l-old', toUInt64(1), 'old.csv', toUInt64(1), toUInt64(1)",
	} {
		if err := core.Ex.Exec(ctx, chsql.Query{SQL: st}); err != nil {
			t.Fatalf("set-up %q: %v", st, err)
		}
	}
	if err := old.Migrate(ctx); err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	if v, _ := old.SchemaVersionApplied(ctx); v != chsql.SchemaVersion() {
		t.Fatalf("after upgrade: version %d, want %d", v, chsql.SchemaVersion())
	}
	checkSchema(t, old) // an upgraded folder has the shape of a new one
	if _, err := old.Load(ctx, Fixture()); err != nil {
		t.Fatalf("load after upgrade: %v", err)
	}
	cat, err := old.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if o, b := cat.Source("old"), cat.Source("src-b"); o == nil || o.Title != "Old" || o.URL != "" || o.Retrieved != "" || b == nil || b.URL != fixtureURL {
		t.Fatalf("after upgrade: old %+v, new %+v", o, b)
	}
}

// onePerCell: OnePerCell keeps the preferred observation of each subject and start year.
func onePerCell(t *testing.T, c contract) {
	ctx := c.ctx
	newStore := c.newStore
	c.needLoad(t)
	s, _ := newStore(t)
	b := Fixture()
	// A bound from the preferred source loses to an exact value; a term loses to a year.
	b.Observations = append(b.Observations,
		warehouse.Observation{SubjectKind: warehouse.SubjectProvince, SubjectID: "VN63-93", MetricID: "female_share", Period: warehouse.Period{Kind: warehouse.PeriodTerm, Start: 2020, End: 2025, Label: "term:2020-2025"},
			Value: f(30), Qualifier: warehouse.QualExact, Status: warehouse.StatusPublished, SourceID: "src-a", Quote: "q"},
		warehouse.Observation{SubjectKind: warehouse.SubjectProvince, SubjectID: "VN63-94", MetricID: "female_share", Period: warehouse.Period{Kind: warehouse.PeriodYear, Start: 2020, End: 2020, Label: "2020"},
			Value: f(10), Qualifier: warehouse.QualLowerBound, Status: warehouse.StatusSynthetic, SourceID: "src-b", Quote: "q"})
	mustLoad(t, s, b)
	order := &warehouse.CellOrder{Statuses: []warehouse.Status{warehouse.StatusPublished, warehouse.StatusSynthetic}, PeriodKinds: []warehouse.PeriodKind{warehouse.PeriodYear, warehouse.PeriodTerm}}
	pick := func(sources ...string) map[string]float64 {
		order.Sources = sources
		obs, err := s.Observations(ctx, warehouse.ObservationFilter{MetricIDs: []string{"female_share"}, IncludeSynthetic: true, OnePerCell: order})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]float64{}
		for _, o := range obs {
			out[o.SubjectID+"/"+o.Period.Label] = *o.Value
		}
		return out
	}
	want := map[string]float64{"VN63-92/2020": 25, "VN63-93/2020": 18, "VN63-94/2020": 22}
	if got := pick("src-a", "src-b"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("src-a first: %v, want %v", got, want)
	}
	want["VN63-92/2020"] = 26 // same status and period: the source order decides
	if got := pick("src-b", "src-a"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("src-b first: %v, want %v", got, want)
	}
}

// cells: CellReader reads many metrics' cells in one query as ReadCells' fallback would.
func cells(t *testing.T, c contract) {
	ctx := c.ctx
	newStore := c.newStore
	c.needLoad(t)
	s, _ := newStore(t)
	if _, ok := warehouse.Store(s).(warehouse.CellReader); !ok {
		t.Skip("this engine has no CellReader: ReadCells falls back to per-metric queries")
	}
	b := Fixture()
	year := func(subj, label string, start int, v float64, status warehouse.Status, src string, q warehouse.Qualifier, kind warehouse.PeriodKind) warehouse.Observation {
		return warehouse.Observation{SubjectKind: warehouse.SubjectProvince, SubjectID: subj, MetricID: "female_share",
			Period: warehouse.Period{Kind: kind, Start: start, End: start, Label: label}, Value: f(v), Qualifier: q, Status: status, SourceID: src, Quote: "q"}
	}
	b.Observations = append(b.Observations,
		// Synthetic rows competing in one cell: the source order decides; a bound loses to an exact value.
		year("VN63-94", "2021", 2021, 1, warehouse.StatusSynthetic, "src-a", warehouse.QualLowerBound, "YEAR"),
		year("VN63-94", "2021", 2021, 2, warehouse.StatusSynthetic, "src-b", warehouse.QualExact, "YEAR"),
		// A cell with a published and a synthetic row: both come back.
		year("VN63-93", "2021", 2021, 3, warehouse.StatusPublished, "src-a", warehouse.QualExact, "YEAR"),
		year("VN63-93", "2021", 2021, 4, warehouse.StatusSynthetic, "src-b", warehouse.QualExact, "YEAR"),
		// A term and a year starting the same year are one cell for synthetic rows.
		year("VN63-92", "term:2021-2026", 2021, 5, warehouse.StatusSynthetic, "src-a", warehouse.QualExact, "TERM"),
		year("VN63-92", "2021", 2021, 6, warehouse.StatusSynthetic, "src-b", warehouse.QualExact, "YEAR"))
	mustLoad(t, s, b)
	// Later revisions: a published figure corrected, one turned SYNTHETIC (its older
	// PUBLISHED revision must not come back), a synthetic one made worse than its rival.
	fix := &warehouse.Batch{File: "revisions", Observations: []warehouse.Observation{
		year("VN63-92", "2020", 2020, 27, warehouse.StatusPublished, "src-b", warehouse.QualExact, "YEAR"),
		year("VN63-93", "2020", 2020, 19, warehouse.StatusSynthetic, "src-a", warehouse.QualExact, "YEAR"),
		year("VN63-94", "2021", 2021, 7, warehouse.StatusSynthetic, "src-b", warehouse.QualUpperBound, "YEAR"),
	}}
	fix.Observations[0].Period.End, fix.Observations[1].Period.End = 2020, 2020
	mustLoad(t, s, fix)
	metrics := []string{"staff_cut", "no_such_metric", "female_share"}
	for _, order := range []*warehouse.CellOrder{nil,
		{Statuses: []warehouse.Status{warehouse.StatusPublished, warehouse.StatusSynthetic}, PeriodKinds: []warehouse.PeriodKind{warehouse.PeriodYear, warehouse.PeriodTerm}, Sources: []string{"src-a", "src-b"}},
		{Statuses: []warehouse.Status{warehouse.StatusPublished, warehouse.StatusSynthetic}, PeriodKinds: []warehouse.PeriodKind{warehouse.PeriodTerm, warehouse.PeriodYear}, Sources: []string{"src-b", "src-a"}},
	} {
		q := warehouse.CellQuery{MetricIDs: metrics, Synthetic: order}
		read := func(st warehouse.Store) map[string][]warehouse.Observation {
			out := map[string][]warehouse.Observation{}
			err := warehouse.ReadCells(ctx, st, q, func(m string, obs []warehouse.Observation) error {
				if _, twice := out[m]; twice {
					t.Fatalf("metric %s passed twice", m)
				}
				out[m] = obs
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		bulk, each := read(s), read(struct{ warehouse.Store }{s}) // the second hides CellReader
		if !reflect.DeepEqual(bulk, each) {
			t.Fatalf("order %+v: one query gave\n%+v\nper-metric queries\n%+v", order, bulk, each)
		}
		if len(bulk["female_share"]) == 0 || len(bulk["staff_cut"]) != 1 || bulk["no_such_metric"] != nil {
			t.Fatalf("order %+v: %+v", order, bulk)
		}
		var syn int
		for _, o := range bulk["female_share"] {
			if o.Status == warehouse.StatusSynthetic {
				syn++
			}
		}
		if want := map[bool]int{false: 0, true: 5}[order != nil]; syn != want { // VN63-92/2021, -93/2020, -93/2021, -94/2020, -94/2021
			t.Fatalf("order %+v: %d synthetic rows, want %d: %+v", order, syn, want, bulk["female_share"])
		}
	}
	if err := warehouse.ReadCells(ctx, s, warehouse.CellQuery{}, func(string, []warehouse.Observation) error {
		t.Fatal("rows for no metrics")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// resultsNeverCross: concurrent reads, some cut short, only ever get their own rows.
func resultsNeverCross(t *testing.T, c contract) {
	newStore := c.newStore
	c.needLoad(t)
	s, _ := newStore(t)
	testResultsNeverCross(t, s)
}

// queryMemoryLimit: chsql.MaxQueryMemory reaches the engine (see testQueryMemoryLimit).
func queryMemoryLimit(t *testing.T, c contract) {
	newStore := c.newStore
	c.needLoad(t)
	s, _ := newStore(t)
	testQueryMemoryLimit(t, s)
}

// streamedLoad: a load streamed in many parts stores what the same rows loaded whole do.
func streamedLoad(t *testing.T, c contract) {
	ctx := c.ctx
	newStore := c.newStore
	c.needLoad(t)
	s, _ := newStore(t)
	whole := mustLoad(t, s, Fixture())
	want, _ := s.Observations(ctx, warehouse.ObservationFilter{IncludeSynthetic: true})

	s2, _ := newStore(t)
	parts := chsql.WithFaults(ctx, chsql.Faults{PartRows: 2}) // several parts, merged while the next is written
	res, err := s2.Load(parts, streamed(Fixture(), nil))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	got, _ := s2.Observations(ctx, warehouse.ObservationFilter{IncludeSynthetic: true})
	if res.Rows != whole.Rows || res.Changed != whole.Changed || len(got) != len(want) {
		t.Fatalf("streamed load: rows %d changed %d, %d observations; whole load: rows %d changed %d, %d observations",
			res.Rows, res.Changed, len(got), whole.Rows, whole.Changed, len(want))
	}
	for i := range want {
		if got[i].ID != want[i].ID || *got[i].Value != *want[i].Value || got[i].Quote != want[i].Quote {
			t.Fatalf("observation %d: streamed %+v, whole %+v", i, got[i], want[i])
		}
	}
	if again := mustLoad(t, s2, streamed(Fixture(), nil)); again.Changed != 0 {
		t.Fatalf("streamed reload changed %d rows", again.Changed)
	}
}

// errStreamLeavesWarehouseAsItWas: a stream that fails mid-load leaves no row, version or
// reference change behind, even with parts already merged.
func errStreamLeavesWarehouseAsItWas(t *testing.T, c contract) {
	ctx := c.ctx
	newStore := c.newStore
	c.needLoad(t)
	s, core := newStore(t)
	mustLoad(t, s, Fixture())
	parts := chsql.WithFaults(ctx, chsql.Faults{PartRows: 2}) // parts already merged (uncommitted) when the stream fails
	before, _ := s.CountObservations(ctx, warehouse.ObservationFilter{IncludeSynthetic: true})
	raw0, _ := core.RawCount(ctx, "observations")
	v0, _ := s.DataVersion(ctx)
	bad := errors.New("row 3 is invalid")
	b := Fixture()
	b.Sources[0].Title = "changed title"
	for i := range b.Observations {
		b.Observations[i].Value = f(1)
	}
	if _, err := s.Load(parts, streamed(b, bad)); !errors.Is(err, bad) {
		t.Fatalf("load err = %v, want the stream's error", err)
	}
	after, _ := s.CountObservations(ctx, warehouse.ObservationFilter{IncludeSynthetic: true})
	v1, _ := s.DataVersion(ctx)
	cat, _ := s.Catalog(ctx)
	obs, _ := s.Observations(ctx, warehouse.ObservationFilter{IncludeSynthetic: true})
	raw1, _ := core.RawCount(ctx, "observations")
	if before != after || v0 != v1 || raw0 != raw1 || cat.Source("src-a").Title != "Source A" || *obs[0].Value == 1 {
		t.Fatalf("after failed stream: count %d->%d, raw rows %d->%d, version %d->%d, title %q, first value %v",
			before, after, raw0, raw1, v0, v1, cat.Source("src-a").Title, *obs[0].Value)
	}
}

// recoverRemovesUncommittedLoads: opening a database removes the rows of a load that never
// committed.
func recoverRemovesUncommittedLoads(t *testing.T, c contract) {
	ctx := c.ctx
	newStore := c.newStore
	caps := c.caps
	c.needLoad(t)
	if caps.NoFailureInjection != "" {
		t.Skip(caps.NoFailureInjection) // recovering deletes as discarding a failed load does
	}
	recoverSuite(t, ctx, newStore)
}

// failedLoadLeavesWarehouseAsItWas: a load failing after it wrote a table (a simulated
// crash) leaves the warehouse as it was.
func failedLoadLeavesWarehouseAsItWas(t *testing.T, c contract) {
	ctx := c.ctx
	newStore := c.newStore
	caps := c.caps
	c.needLoad(t)
	if caps.NoFailureInjection != "" {
		t.Skip(caps.NoFailureInjection)
	}
	s, _ := newStore(t)
	mustLoad(t, s, Fixture())
	before, _ := s.CountObservations(ctx, warehouse.ObservationFilter{IncludeSynthetic: true})
	v0, _ := s.DataVersion(ctx)
	crash := errors.New("simulated crash")
	crashing := chsql.WithFaults(ctx, chsql.Faults{AfterWrite: func(table string) error {
		if table == "observations" {
			return crash
		}
		return nil
	}})
	b := Fixture()
	val := 99.0
	b.Observations[0].Value = &val
	b.Sources[0].Title = "changed title"
	if _, err := s.Load(crashing, b); !errors.Is(err, crash) {
		t.Fatalf("load err = %v, want the simulated crash", err)
	}
	after, _ := s.CountObservations(ctx, warehouse.ObservationFilter{IncludeSynthetic: true})
	v1, _ := s.DataVersion(ctx)
	cat, _ := s.Catalog(ctx)
	if before != after || v0 != v1 || cat.Source("src-a").Title != "Source A" {
		t.Fatalf("after failed load: count %d->%d, version %d->%d, title %q", before, after, v0, v1, cat.Source("src-a").Title)
	}
}

// streamed moves a batch's observations, after the first, into its stream, one per chunk,
// ending with fail if it is not nil.
func streamed(b *warehouse.Batch, fail error) *warehouse.Batch {
	rest := b.Observations[1:]
	b.Observations = b.Observations[:1]
	b.More = func(yield func([]warehouse.Observation) error) error {
		for i := range rest {
			if err := yield(rest[i : i+1]); err != nil {
				return err
			}
		}
		return fail
	}
	return b
}

func mustLoad(t *testing.T, s warehouse.Store, b *warehouse.Batch) *warehouse.LoadResult {
	t.Helper()
	res, err := s.Load(context.Background(), b)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return res
}

func f(v float64) *float64 { return &v }

const fixtureURL = "https://example.vn/tin-tuc/ty-le-nu-29,2%25.html"

// Fixture is a small batch covering every table: VN63 Cần Thơ, Hậu Giang, Sóc Trăng merging
// into VN34 Cần Thơ; two sources disagreeing on one cell; one synthetic row.
func Fixture() *warehouse.Batch {
	obs := func(subj, metric, label string, start int, v float64, status warehouse.Status, src string) warehouse.Observation {
		return warehouse.Observation{SubjectKind: warehouse.SubjectProvince, SubjectID: subj, MetricID: metric,
			Period: warehouse.Period{Kind: warehouse.PeriodYear, Start: start, End: start, Label: label},
			Value:  f(v), Qualifier: warehouse.QualExact, Status: status, SourceID: src, Quote: "quoted " + label}
	}
	return &warehouse.Batch{
		File: "fixture",
		Provinces: []warehouse.Province{
			{ID: "VN63-92", Map: warehouse.VN63, Code: "92", Name: "Cần Thơ", NameASCII: "Can Tho", Kind: "city", Region: "mekong_delta"},
			{ID: "VN63-93", Map: warehouse.VN63, Code: "93", Name: "Hậu Giang", NameASCII: "Hau Giang", Kind: "province", Region: "mekong_delta"},
			{ID: "VN63-94", Map: warehouse.VN63, Code: "94", Name: "Sóc Trăng", NameASCII: "Soc Trang", Kind: "province", Region: "mekong_delta"},
			{ID: "VN34-92", Map: warehouse.VN34, Code: "92", Name: "Cần Thơ", NameASCII: "Can Tho", Kind: "city", Region: "mekong_delta"},
		},
		Lineage: []warehouse.LineageLink{{From: "VN63-92", To: "VN34-92"}, {From: "VN63-93", To: "VN34-92"}, {From: "VN63-94", To: "VN34-92"}},
		Groups:  []warehouse.Group{{ID: "cluster5", Kind: "cluster", Name: "Cluster 5", Map: warehouse.VN63, Members: []string{"VN63-92", "VN63-93"}}},
		Metrics: []warehouse.Metric{
			{ID: "female_share", NameEN: "Female share", Unit: "percent", Kind: warehouse.MetricShare, Aggregation: "RATIO", Better: "HIGHER"},
			{ID: "staff_cut", NameEN: "Staff cut", Unit: "positions", Kind: warehouse.MetricCount, Aggregation: "SUM", Better: "HIGHER"},
		},
		Sources: []warehouse.Source{{ID: "src-a", Title: "Source A", Kind: "seed"},
			{ID: "src-b", Title: "Source B", Kind: "press", URL: fixtureURL, Retrieved: "2025-06-01"}},
		Targets: []warehouse.Target{{ID: "t1", MetricID: "female_share", Scope: warehouse.NationalID, Lower: f(20), Upper: f(25), LowerInclusive: true, UpperInclusive: true, Deadline: 2030, SourceID: "src-a", Quote: "20-25%"}},
		Observations: []warehouse.Observation{
			obs("VN63-92", "female_share", "2020", 2020, 25, warehouse.StatusPublished, "src-a"),
			obs("VN63-92", "female_share", "2020", 2020, 26, warehouse.StatusPublished, "src-b"),
			obs("VN63-93", "female_share", "2020", 2020, 18, warehouse.StatusPublished, "src-a"),
			obs("VN63-94", "female_share", "2020", 2020, 22, warehouse.StatusSynthetic, "src-a"),
			obs("VN63-92", "staff_cut", "2020", 2020, 100, warehouse.StatusPublished, "src-a"),
		},
	}
}

// checkSchema checks that every data table of core's database has exactly the columns its
// descriptor describes (chsql.Structure), in order.
func checkSchema(t *testing.T, core *chsql.Core) {
	t.Helper()
	for _, table := range chsql.Tables() {
		var cols []string
		err := core.Ex.Select(context.Background(), chsql.Query{
			SQL:    "SELECT name, type FROM system.columns WHERE database = {db:String} AND table = {t:String}",
			Params: []chsql.Param{{Name: "db", Value: core.DB}, {Name: "t", Value: table}},
		}, func(r chsql.Row) error {
			var n, typ string
			err := r.Scan(&n, &typ)
			cols = append(cols, n+" "+typ)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := strings.Join(cols, ", "), chsql.Structure(table); got != want {
			t.Errorf("table %s has\n  %s\nits descriptor says\n  %s", table, got, want)
		}
	}
}
