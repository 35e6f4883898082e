package service

import (
	"context"
	"sort"
	"sync/atomic"
	"testing"

	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/warehouse"
)

// The pure tests of the analytics run over fakeStore: a small catalogue and a list of
// observations held in memory and filtered in Go, so ranking, combining, attainment,
// series, the preference rule and the list limits are tested without the engine. Every
// expected value in those tests is computed by hand from the figures they load.

// fakeStore is an in-memory warehouse.Store. It embeds the interface so that a method the
// analytics never call (Load, Migrate, Revisions, …) panics if reached, and so that a
// capability added to the interface later does not break these tests.
type fakeStore struct {
	warehouse.Store
	version uint64
	cat     warehouse.Catalog
	obs     []warehouse.Observation
	err     error        // when set, Observations and CountObservations fail with it
	queries atomic.Int64 // calls to Observations
	filters []warehouse.ObservationFilter
}

func (f *fakeStore) DataVersion(context.Context) (uint64, error) { return f.version, nil }

func (f *fakeStore) Catalog(context.Context) (*warehouse.Catalog, error) {
	c := f.cat
	c.Version = f.version
	c.Index()
	return &c, nil
}

func listed[T ~string](list []T, s T) bool {
	if len(list) == 0 {
		return true
	}
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Observations filters as the engines do (see warehouse.ObservationFilter): by list, by
// start year, without synthetic rows unless asked, in ID order after the cursor, and with
// OnePerCell the preferred row of each subject, metric and start year by the CellOrder.
func (f *fakeStore) Observations(_ context.Context, flt warehouse.ObservationFilter) ([]warehouse.Observation, error) {
	f.queries.Add(1)
	f.filters = append(f.filters, flt)
	if f.err != nil {
		return nil, f.err
	}
	var out []warehouse.Observation
	for _, o := range f.obs {
		if !listed(flt.MetricIDs, o.MetricID) || !listed(flt.SubjectIDs, o.SubjectID) || !listed(flt.SourceIDs, o.SourceID) ||
			!listed(flt.Statuses, o.Status) || !listed(flt.PeriodLabels, o.Period.Label) ||
			(flt.YearFrom != 0 && o.Period.Start < flt.YearFrom) || (flt.YearTo != 0 && o.Period.Start > flt.YearTo) ||
			(!flt.IncludeSynthetic && o.Status == warehouse.StatusSynthetic) {
			continue
		}
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	if co := flt.OnePerCell; co != nil {
		better := func(a, b *warehouse.Observation) bool {
			if x, y := position(co.Statuses, a.Status), position(co.Statuses, b.Status); x != y {
				return x < y
			}
			if ea, eb := a.Qualifier == warehouse.QualExact, b.Qualifier == warehouse.QualExact; ea != eb {
				return ea
			}
			if x, y := position(co.PeriodKinds, a.Period.Kind), position(co.PeriodKinds, b.Period.Kind); x != y {
				return x < y
			}
			return position(co.Sources, a.SourceID) < position(co.Sources, b.SourceID)
		}
		type cell struct {
			subj, metric string
			year         int
		}
		best := map[cell]int{}
		var keep []warehouse.Observation
		for _, o := range out {
			k := cell{o.SubjectID, o.MetricID, o.Period.Start}
			if i, ok := best[k]; !ok {
				best[k] = len(keep)
				keep = append(keep, o)
			} else if better(&o, &keep[i]) {
				keep[i] = o
			}
		}
		return keep, nil
	}
	if flt.AfterID != "" {
		i := sort.Search(len(out), func(i int) bool { return out[i].ID > flt.AfterID })
		out = out[i:]
	}
	if flt.Limit > 0 && len(out) > flt.Limit {
		out = out[:flt.Limit]
	}
	return out, nil
}

func (f *fakeStore) CountObservations(ctx context.Context, flt warehouse.ObservationFilter) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	flt.Limit, flt.AfterID = 0, ""
	obs, err := f.Observations(ctx, flt)
	return len(obs), err
}

// The test catalogue: five VN63 units in two regions and a cluster; three VN34 units, two
// of them merged from two VN63 units each; one metric of every kind and direction; sources
// of every kind; national, provincial and group targets.
func testCatalog() warehouse.Catalog {
	p := func(m warehouse.Map, code, name, ascii, region string, pred ...string) warehouse.Province {
		return warehouse.Province{ID: string(m) + "-" + code, Map: m, Code: code, Name: name, NameASCII: ascii, Kind: "province", Region: region, Predecessors: pred}
	}
	return warehouse.Catalog{
		Provinces: []warehouse.Province{
			p(warehouse.VN63, "01", "Hà Nội", "Ha Noi", "north"),
			p(warehouse.VN63, "02", "Hà Giang", "Ha Giang", "north"),
			p(warehouse.VN63, "04", "Cao Bằng", "Cao Bang", "north"),
			p(warehouse.VN63, "31", "Hải Phòng", "Hai Phong", "coast"),
			p(warehouse.VN63, "33", "Hưng Yên", "Hung Yen", "coast"),
			p(warehouse.VN34, "01", "Hà Nội", "Ha Noi", "north", "VN63-01"),
			p(warehouse.VN34, "08", "Tuyên Quang", "Tuyen Quang", "north", "VN63-02", "VN63-04"),
			p(warehouse.VN34, "31", "Hải Phòng", "Hai Phong", "coast", "VN63-31", "VN63-33"),
		},
		Groups: []warehouse.Group{
			{ID: "region:VN63:north", Kind: "region", Name: "North", Map: warehouse.VN63, Members: []string{"VN63-01", "VN63-02", "VN63-04"}},
			{ID: "region:VN63:coast", Kind: "region", Name: "Coast", Map: warehouse.VN63, Members: []string{"VN63-31", "VN63-33"}},
			{ID: "cluster5", Kind: "cluster", Name: "Cluster 5", Map: warehouse.VN63, Members: []string{"VN63-01", "VN63-04", "VN63-31"}},
			{ID: "region:VN34:north", Kind: "region", Name: "North", Map: warehouse.VN34, Members: []string{"VN34-01", "VN34-08"}},
		},
		Metrics: []warehouse.Metric{
			{ID: "share", Unit: "percent", Kind: warehouse.MetricShare, Better: "HIGHER", Aggregation: "RATIO", Body: "provincial party committee"},
			{ID: "count", Unit: "positions", Kind: warehouse.MetricCount, Better: "HIGHER", Aggregation: "SUM", Body: "People's Council"},
			{ID: "vacancies", Unit: "positions", Kind: warehouse.MetricCount, Better: "LOWER", Aggregation: "SUM", Body: "party organisation"},
			{ID: "rate", Kind: warehouse.MetricAmount, Better: "NONE", Aggregation: "NONE", Body: "staff"},
		},
		Sources: []warehouse.Source{
			{ID: "seed-1", Title: "Báo cáo tổng kết", Issuer: "Ban Tổ chức Trung ương", DocNumber: "12-BC/TW", Date: "2021-03-01", Kind: "seed", Location: "001_x.txt", URL: "/documents/seed-1"},
			{ID: "off-1", Title: "Official report", Issuer: "Ministry", Date: "2022-05-01", Kind: "official", URL: "https://example.gov.vn/r", Retrieved: "2024-01-02"},
			{ID: "user-1", Title: "Own count", Kind: "user", Date: "2023-01-01"},
			{ID: "press-old", Title: "Old article", Kind: "press", Date: "2020-01-01"},
			{ID: "press-new", Title: "New article", Kind: "press", Date: "2021-06-01"},
			{ID: "press-undated-a", Title: "Undated A", Kind: "press"},
			{ID: "press-undated-b", Title: "Undated B", Kind: "press"},
			{ID: "syn-1", Title: "Synthetic", Kind: "synthetic", Date: "2024"},
			{ID: "syn-2", Title: "Synthetic newer", Kind: "synthetic", Date: "2025"},
		},
		Targets: []warehouse.Target{
			{ID: "t-nat-2025", MetricID: "share", Scope: "VN", Lower: f(15), LowerInclusive: true, Deadline: 2025, SourceID: "off-1"},
			{ID: "t-nat-2030", MetricID: "share", Scope: "VN", Lower: f(20), LowerInclusive: true, Deadline: 2030, SourceID: "off-1"},
			{ID: "t-hn-2025", MetricID: "share", Scope: "VN63-01", Lower: f(30), LowerInclusive: true, Deadline: 2025, SourceID: "seed-1"},
			{ID: "t-cluster5", MetricID: "share", Scope: "group:cluster5", Lower: f(25), LowerInclusive: true, Deadline: 2025, SourceID: "seed-1"},
			{ID: "t-vac", MetricID: "vacancies", Scope: "VN", Upper: f(5), UpperInclusive: true, Deadline: 2025, SourceID: "off-1"},
		},
	}
}

// ob is an exact, published observation from the seed source; change what a test needs
// with the helpers below.
func ob(subject, metric, period string, v float64) warehouse.Observation {
	p, msg := ingest.ParsePeriod(period)
	if msg != "" {
		panic(period + " " + msg)
	}
	id := subject + "/" + metric + "/" + period
	return warehouse.Observation{ID: id, SubjectID: subject, MetricID: metric, Period: p, Value: f(v),
		Qualifier: warehouse.QualExact, Status: warehouse.StatusPublished, SourceID: "seed-1"}
}

// ratio is an exact share observation: numerator over denominator, in percent.
func ratio(subject, period string, num, den float64) warehouse.Observation {
	o := ob(subject, "share", period, 100*num/den)
	o.Numerator, o.Denominator = f(num), f(den)
	return o
}

func withQual(o warehouse.Observation, q warehouse.Qualifier) warehouse.Observation {
	o.Qualifier = q
	return o
}

func withStatus(o warehouse.Observation, s warehouse.Status) warehouse.Observation {
	o.Status = s
	return o
}

// from gives an observation another source (and ID, since one source gives one row a cell).
func fromSource(o warehouse.Observation, src string) warehouse.Observation {
	o.SourceID, o.ID = src, o.ID+"@"+src
	return o
}

// newFake returns a service over the test catalogue and obs, refreshed and ready.
func newFake(t testing.TB, obs ...warehouse.Observation) (*Service, *fakeStore) {
	t.Helper()
	fs := &fakeStore{version: 1, cat: testCatalog(), obs: obs}
	svc := New(fs, nil)
	if err := svc.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	return svc, fs
}

// rowOf finds a unit's row in a comparison.
func rowOf(t testing.TB, c *Comparison, id string) *Row {
	t.Helper()
	for _, r := range c.Rows {
		if r.Province.ID == id {
			return r
		}
	}
	t.Fatalf("no row for %s", id)
	return nil
}

func ival(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// position is the index of s in list, len(list) when absent (ranks last).
func position[T comparable](list []T, s T) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return len(list)
}
