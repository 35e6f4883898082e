package service

import (
	"context"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
)

func TestCoverageListsPeriodsWithFiguresByStatusPerMap(t *testing.T) {
	svc, _ := newFake(t,
		// 2020–2025 term: three units, one of them derived; Hải Phòng has a 2020 year figure.
		ratio("VN63-01", "term:2020-2025", 30, 100),
		withStatus(ratio("VN63-02", "term:2020-2025", 10, 100), warehouse.StatusDerived),
		ratio("VN63-04", "term:2020-2025", 20, 100),
		ratio("VN63-31", "2020", 5, 50),
		// 2021: one provisional figure and one synthetic (never counted).
		withStatus(ratio("VN63-33", "2021", 1, 10), warehouse.StatusProvisional),
		withStatus(ratio("VN63-01", "2021", 1, 10), warehouse.StatusSynthetic),
		// A range with two units and an as-of date with the nation only.
		ratio("VN63-01", "range:2015-2021", 3, 10),
		ratio("VN63-31", "range:2015-2021", 4, 10),
		ratio("VN", "asof:2024-06-30", 20, 100),
	)
	ctx := context.Background()
	got, err := svc.Coverage(ctx, "share", warehouse.VN63)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		label                        string
		kind                         warehouse.PeriodKind
		year                         any
		units, total, pub, der, prov int
		national                     bool
	}
	var rows []row
	for _, c := range got {
		var y any
		if c.Year != nil {
			y = *c.Year
		}
		rows = append(rows, row{c.Period.Label, c.Period.Kind, y, c.Units, c.Total, c.Published, c.Derived, c.Provisional, c.National})
	}
	want := []row{
		// Newest first by end, then start: the as-of date (2024), the term (2020–2025 ends
		// 2025, so first), then 2021 and the range ending 2021.
		{"term:2020-2025", warehouse.PeriodTerm, 2020, 4, 5, 3, 1, 0, false},
		{"asof:2024-06-30", warehouse.PeriodAsOf, nil, 0, 5, 0, 0, 0, true},
		{"2021", warehouse.PeriodYear, 2021, 1, 5, 0, 0, 1, false},
		{"range:2015-2021", warehouse.PeriodRange, nil, 2, 5, 2, 0, 0, false},
	}
	if len(rows) != len(want) {
		t.Fatalf("coverage:\n got %+v\nwant %+v", rows, want)
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("entry %d:\n got %+v\nwant %+v", i, rows[i], want[i])
		}
	}

	// The counts are compare's: the same units have a figure in the same period (compare of
	// a year also shows figures in force in it without starting in it, which periodNote
	// names; coverage counts those under their own period).
	for _, c := range got {
		a := CompareArgs{Metric: "share", Map: warehouse.VN63}
		if c.Year != nil {
			a.Year = *c.Year
		} else {
			a.Period = c.Period.Label
		}
		cmp, err := svc.Compare(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range cmp.Rows {
			if r.Fig.Value != nil && (c.Year == nil || r.Fig.Period().Start == *c.Year) {
				n++
			}
		}
		if n != c.Units {
			t.Errorf("%s: coverage counts %d units, compare shows %d", c.Period.Label, c.Units, n)
		}
	}

	// On VN34 a unit merged from two VN63 units has a figure only when both have one: in the
	// term Tuyên Quang (VN63-02 derived + VN63-04) does, and is derived (its weakest part);
	// Hải Phòng (VN63-31 year, VN63-33 none) does not.
	got34, err := svc.Coverage(ctx, "share", warehouse.VN34)
	if err != nil {
		t.Fatal(err)
	}
	if got34[0].Period.Label != "term:2020-2025" || got34[0].Units != 2 || got34[0].Total != 3 || got34[0].Published != 1 || got34[0].Derived != 1 {
		t.Errorf("VN34 term coverage: %+v", got34[0])
	}
}

func TestCoverageRefusesUnknownMetricAndMap(t *testing.T) {
	svc, _ := newFake(t)
	if _, err := svc.Coverage(context.Background(), "nope", warehouse.VN63); warehouse.KindOf(err) != warehouse.ErrNotFound {
		t.Errorf("unknown metric: %v", err)
	}
	if _, err := svc.Coverage(context.Background(), "share", warehouse.Map("VN99")); warehouse.KindOf(err) != warehouse.ErrInvalid {
		t.Errorf("unknown map: %v", err)
	}
	got, err := svc.Coverage(context.Background(), "count", warehouse.VN63)
	if err != nil || len(got) != 0 {
		t.Errorf("a metric without figures has no coverage: %v %v", got, err)
	}
}
