package chsql

import (
	"bytes"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
)

func ptr[T any](v T) *T { return &v }

// fixture has rows of every table, with optional fields both set and unset.
func fixture() *warehouse.Batch {
	return &warehouse.Batch{
		Sources: []warehouse.Source{
			{ID: "seed-1", Title: "T", Issuer: "I", DocNumber: "12-QC/TU", Date: "2020-10-30", Language: "vi", Location: "L", Kind: "seed", Licence: "c"},
			{ID: "press-1", Title: "Báo", Kind: "press", URL: "https://example.vn/a"},
			{ID: "press-2", Title: "Báo", Kind: "press", Retrieved: "2025-01-02"},
			{ID: "off-1", Title: "O", Kind: "official", Priority: -7},
			{ID: "off-2", Title: "O", Kind: "official", URL: "u", Retrieved: "r", Priority: 1000000},
		},
		Provinces: []warehouse.Province{{ID: "VN63-92", Map: warehouse.VN63, Code: "92", Name: "Cần Thơ", NameASCII: "Can Tho", Kind: "city", Region: "r", ValidFrom: "2004-01-01", ValidTo: "2025-06-30"}},
		Lineage:   []warehouse.LineageLink{{From: "VN63-92", To: "VN34-92"}},
		Groups: []warehouse.Group{
			{ID: "g1", Kind: "region", Name: "Mekong", NameVI: "ĐBSCL", Map: warehouse.VN63, Members: []string{"VN63-92", "VN63-93"}, SourceID: "seed-1", Note: "n"},
			{ID: "g2", Kind: "cluster"},
		},
		Metrics: []warehouse.Metric{{ID: "female_share", NameEN: "Women", NameVI: "Nữ", Unit: "percent", Kind: warehouse.MetricShare, Body: "b", Level: "provincial", Better: "HIGHER", Aggregation: "RATIO", Description: "d"}},
		Targets: []warehouse.Target{
			{ID: "t1", MetricID: "female_share", Scope: "VN", Lower: ptr(20.0), Upper: ptr(25.5), LowerInclusive: true, Deadline: 2025, Directive: "35-CT/TW", SourceID: "seed-1", Quote: "q", Note: "n", Applies: []string{"term:2020-2025", "range:2021-2022"}},
			{ID: "t2", MetricID: "female_share", Scope: "VN63-92", Upper: ptr(1e6), UpperInclusive: true},
		},
		Observations: []warehouse.Observation{
			{SubjectKind: "province", SubjectID: "VN63-92", MetricID: "female_share", Period: warehouse.Period{Kind: "YEAR", Start: 2020, End: 2020, Label: "2020"},
				Value: ptr(12.5), Numerator: ptr(5.0), Denominator: ptr(40.0), Qualifier: "EXACT", Status: "PUBLISHED", SourceID: "seed-1", Quote: "trích\tdẫn", Note: "n"},
			{ID: "given", SubjectKind: "national", SubjectID: "VN", MetricID: "m", Period: warehouse.Period{Kind: "TERM", Start: 2020, End: 2025, Label: "2020-2025"},
				Value: ptr(-0.25), Qualifier: "LOWER_BOUND", Status: "SYNTHETIC", SourceID: "synthetic"},
		},
	}
}

// The content hashes as the first version computed them (warehouse/tables.go before the
// descriptors), field by field: every stored row must keep its hash.
func TestRowHashesAreTheFirstVersions(t *testing.T) {
	b := fixture()
	b2u := func(v bool) float64 {
		if v {
			return 1
		}
		return 0
	}
	for _, s := range b.Sources {
		f := []string{s.ID, s.Title, s.Issuer, s.DocNumber, s.Date, s.Language, s.Location, s.Kind, s.Licence}
		if s.URL != "" || s.Retrieved != "" {
			f = append(f, s.URL, s.Retrieved)
		}
		if s.Priority != 0 {
			f = append(f, "priority:"+strconv.Itoa(s.Priority))
		}
		if got, want := sources.hash(&s), referenceHash(f...); got != want {
			t.Errorf("source %s: hash %d, want %d", s.ID, got, want)
		}
	}
	for _, p := range b.Provinces {
		if got, want := provinces.hash(&p), referenceHash(p.ID, string(p.Map), p.Code, p.Name, p.NameASCII, p.Kind, p.Region, p.ValidFrom, p.ValidTo); got != want {
			t.Errorf("province %s: hash %d, want %d", p.ID, got, want)
		}
	}
	for _, l := range b.Lineage {
		if got, want := lineage.hash(&l), referenceHash(l.From, l.To); got != want {
			t.Errorf("lineage %s: hash %d, want %d", l.From, got, want)
		}
	}
	for _, g := range b.Groups {
		if got, want := groups.hash(&g), referenceHash(g.ID, g.Kind, g.Name, g.NameVI, string(g.Map), strings.Join(g.Members, ","), g.SourceID, g.Note); got != want {
			t.Errorf("group %s: hash %d, want %d", g.ID, got, want)
		}
	}
	for _, m := range b.Metrics {
		if got, want := metrics.hash(&m), referenceHash(m.ID, m.NameEN, m.NameVI, m.Unit, string(m.Kind), m.Body, m.Level, string(m.Better), string(m.Aggregation), m.Description); got != want {
			t.Errorf("metric %s: hash %d, want %d", m.ID, got, want)
		}
	}
	for _, x := range b.Targets {
		want := referenceHash(x.ID, x.MetricID, x.Scope, fstr(x.Lower), fstr(x.Upper), fstr(ptr(b2u(x.LowerInclusive))), fstr(ptr(b2u(x.UpperInclusive))),
			fstr(ptr(float64(x.Deadline))), x.Directive, x.SourceID, x.Quote, x.Note)
		if len(x.Applies) > 0 { // added by migration 6: hashed only when set, so older rows keep theirs
			want = referenceHash(x.ID, x.MetricID, x.Scope, fstr(x.Lower), fstr(x.Upper), fstr(ptr(b2u(x.LowerInclusive))), fstr(ptr(b2u(x.UpperInclusive))),
				fstr(ptr(float64(x.Deadline))), x.Directive, x.SourceID, x.Quote, x.Note, strings.Join(x.Applies, ","))
		}
		if got := targets.hash(&x); got != want {
			t.Errorf("target %s: hash %d, want %d", x.ID, got, want)
		}
	}
	for _, o := range b.Observations {
		want := referenceHash(o.SubjectKind, o.SubjectID, o.MetricID, string(o.Period.Kind), strconv.Itoa(o.Period.Start), strconv.Itoa(o.Period.End), o.Period.Label,
			fstr(o.Value), fstr(o.Numerator), fstr(o.Denominator), string(o.Qualifier), string(o.Status), o.SourceID, o.Quote, o.Note)
		if got := observations.hash(&o); got != want {
			t.Errorf("observation %s: hash %d, want %d", o.SubjectID, got, want)
		}
	}
}

// Both ways of writing a row (RowBinary for files, boxed values for Insert) give the same
// row, and a row read back through the read list is the row written: the three uses of a
// descriptor agree for every table.
func TestDescriptorsWriteAndReadTheSameRow(t *testing.T) {
	b := fixture()
	check(t, sources, b.Sources)
	check(t, provinces, b.Provinces)
	check(t, lineage, b.Lineage)
	check(t, groups, b.Groups)
	check(t, metrics, b.Metrics)
	check(t, targets, b.Targets)
	check(t, observations, b.Observations)
	if id := b.Observations[0].ID; id != warehouse.ObservationID("VN63-92", "female_share", "2020", "seed-1") {
		t.Errorf("a written observation gets its ID: %q", id)
	}
	if b.Observations[1].ID != "given" {
		t.Errorf("a given ID is kept: %q", b.Observations[1].ID)
	}
}

func check[T any](t *testing.T, tb *table[T], rows []T) {
	t.Helper()
	for i := range rows {
		r := &rows[i]
		enc := tb.appendRow(nil, r, "load", 7)
		boxed := tb.box(r, "load", 7)
		if len(boxed) != len(tb.columns()) {
			t.Fatalf("%s: %d boxed values for %d columns", tb.name, len(boxed), len(tb.columns()))
		}
		want, err := AppendRowBinary(nil, boxed)
		if err != nil || !bytes.Equal(enc, want) {
			t.Fatalf("%s row %d: RowBinary\n got % x\nwant % x (%v)", tb.name, i, enc, want, err)
		}
		got, err := tb.scanner().scan(readBack(tb, boxed))
		if err != nil {
			t.Fatal(err)
		}
		w := *r
		if s, ok := any(&w).(*warehouse.Observation); ok { // stamped on read
			s.Revision, s.LoadID = 7, "load"
		}
		if l, ok := any(&w).(*warehouse.Group); ok && l.Members == nil { // arrays read back empty, not nil
			l.Members = []string{}
		}
		if l, ok := any(&w).(*warehouse.Target); ok && l.Applies == nil {
			l.Applies = []string{}
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("%s row %d read back\n got %+v\nwant %+v", tb.name, i, got, w)
		}
	}
}

// readBack is the row a read of boxed (a written row) returns: the read list's columns,
// integers cast to 64 bits as it casts them.
func readBack[T any](tb *table[T], boxed []any) Row {
	byName := map[string]any{}
	for i, c := range tb.columns() {
		byName[c] = boxed[i]
	}
	var vals []any
	for _, expr := range strings.Split(tb.readList(), ", ") {
		name := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(expr, "toUInt64("), "toInt64("), ")")
		v := byName[name]
		switch x := v.(type) {
		case uint16:
			v = uint64(x)
		case uint8:
			v = uint64(x)
		}
		vals = append(vals, v)
	}
	return fakeRow(vals)
}

type fakeRow []any

func (f fakeRow) Scan(dest ...any) error {
	if len(dest) != len(f) {
		return fmt.Errorf("scan: %d columns into %d values", len(f), len(dest))
	}
	for i, d := range dest {
		reflect.ValueOf(d).Elem().Set(reflect.ValueOf(f[i]))
	}
	return nil
}

var (
	createStmt    = regexp.MustCompile(`^CREATE TABLE IF NOT EXISTS \{db\}\.(\w+) \((.*)\) ENGINE`)
	addColumnStmt = regexp.MustCompile(`^ALTER TABLE \{db\}\.(\w+) ADD COLUMN IF NOT EXISTS (\w+) (.+)$`)
)

// Replaying the migrations as written (history, never edited) builds exactly the columns
// the descriptors describe, each added by the migration its descriptor names.
func TestMigrationsBuildTheDescribedSchema(t *testing.T) {
	built := map[string][]string{}
	addedIn := map[string]int{}
	for _, m := range Migrations {
		for _, st := range m.Statements {
			if c := createStmt.FindStringSubmatch(st); c != nil {
				built[c[1]] = strings.Split(c[2], ", ")
			} else if c := addColumnStmt.FindStringSubmatch(st); c != nil {
				built[c[1]] = append(built[c[1]], c[2]+" "+c[3])
				addedIn[c[1]+"."+c[2]] = m.Version
			}
		}
	}
	for _, name := range Tables() {
		if got, want := strings.Join(built[name], ", "), Structure(name); got != want {
			t.Errorf("%s: the migrations build\n  %s\nthe descriptor says\n  %s", name, got, want)
		}
	}
	described := map[string]int{}
	later(described, sources)
	later(described, provinces)
	later(described, lineage)
	later(described, groups)
	later(described, metrics)
	later(described, targets)
	later(described, observations)
	if !reflect.DeepEqual(described, addedIn) {
		t.Errorf("columns added later: the migrations add %v, the descriptors say %v", addedIn, described)
	}
}

// later notes the columns of tb added after its creation, with their migration.
func later[T any](into map[string]int, tb *table[T]) {
	for _, c := range tb.cols {
		if c.since > 0 {
			into[tb.name+"."+c.name] = c.since
		}
	}
}
