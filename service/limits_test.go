package service

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
)

func many(prefix string, n int) []string { return manyOf[string](prefix, n) }

func manyOf[T ~string](prefix string, n int) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = T(prefix + strconv.Itoa(i))
	}
	return out
}

// distinct is what every list argument goes through: duplicates count once, the first
// occurrence keeps its place, and one entry over the limit is BAD_USER_INPUT naming the
// argument and the limit.
func TestDistinctListLimits(t *testing.T) {
	for _, c := range []struct {
		list []string
		max  int
		want string // the list kept, or the error message
	}{
		{nil, 3, "[]"},
		{[]string{"a", "b", "a", "c", "b"}, 3, "[a b c]"},
		{[]string{"a", "a", "a", "a", "a"}, 1, "[a]"},
		{[]string{"a", "b", "c", "d"}, 3, "provinces lists more than 3 distinct entries; the limit is 3"},
		{append(many("x", 3), many("x", 1_000_000)...), 3, "provinces lists more than 3 distinct entries; the limit is 3"},
	} {
		got, err := distinct("provinces", c.list, c.max)
		s := fmt.Sprint(got)
		if err != nil {
			s = warehouse.ErrorMessage(err)
			if warehouse.KindOf(err) != warehouse.ErrInvalid {
				t.Errorf("error kind %s", warehouse.KindOf(err))
			}
		}
		if s != c.want {
			t.Errorf("%d entries, max %d: %s, want %s", len(c.list), c.max, s, c.want)
		}
	}
}

// Every list argument of the API refuses more than its limit with BAD_USER_INPUT naming the
// argument, and a list at its limit with duplicates is answered.
func TestListLimitsOfEveryQuery(t *testing.T) {
	svc, fs := newFake(t, ob("VN63-01", "share", "2020", 30))
	ctx := context.Background()
	over := func(n int) []string { return many("VN63-", n) }
	for _, c := range []struct {
		name string
		run  func() error
		want string
	}{
		{"compare provinces", func() error {
			_, err := svc.Compare(ctx, CompareArgs{Metric: "share", Year: 2020, Map: warehouse.VN63, Provinces: over(MaxUnits + 1)})
			return err
		}, "provinces lists more than 64 distinct entries"},
		{"series provinces", func() error {
			_, err := svc.Series(ctx, SeriesArgs{Metric: "share", From: 2020, To: 2020, Map: warehouse.VN63, Provinces: over(MaxSeriesProvinces + 1)})
			return err
		}, "at most 64 provinces per series request"},
		{"table metrics", func() error {
			_, err := svc.Table(ctx, TableArgs{Metrics: many("m", MaxTableMetrics+1), Years: []int{2020}})
			return err
		}, "metrics lists more than 20 distinct entries"},
		{"table years", func() error {
			ys := make([]int, MaxTableYears+1)
			for i := range ys {
				ys[i] = 2000 + i
			}
			_, err := svc.Table(ctx, TableArgs{Metrics: []string{"share"}, Years: ys})
			return err
		}, "years lists more than 20 distinct entries"},
		{"filter metrics", func() error {
			_, err := svc.Observations(ctx, FilterArgs{Metrics: many("m", MaxFilterMetrics+1)}, 10, "")
			return err
		}, "filter.metrics lists more than 200"},
		{"filter provinces", func() error {
			_, err := svc.Observations(ctx, FilterArgs{Provinces: over(MaxFilterProvinces + 1)}, 10, "")
			return err
		}, "filter.provinces lists more than 100"},
		{"filter periods", func() error {
			_, err := svc.Observations(ctx, FilterArgs{Periods: many("", MaxFilterPeriods+1)}, 10, "")
			return err
		}, "filter.periods lists more than 100"},
		{"filter statuses", func() error {
			_, err := svc.Observations(ctx, FilterArgs{Statuses: manyOf[warehouse.Status]("S", MaxFilterStatuses+1)}, 10, "")
			return err
		}, "filter.statuses lists more than 4"},
		{"filter sources", func() error {
			_, err := svc.Observations(ctx, FilterArgs{Sources: many("s", MaxFilterSources+1)}, 10, "")
			return err
		}, "filter.sources lists more than 500"},
		{"page size", func() error {
			_, err := svc.Observations(ctx, FilterArgs{}, MaxPageSize+1, "")
			return err
		}, "first must be between 0 and 500, not 501"},
		{"series units", func() error {
			_, err := svc.SeriesUnits(warehouse.VN63, over(MaxUnits+1), "")
			return err
		}, "provinces lists more than 64"},
	} {
		err := c.run()
		if warehouse.KindOf(err) != warehouse.ErrInvalid || !strings.Contains(warehouse.ErrorMessage(err), c.want) {
			t.Errorf("%s: %v, want BAD_USER_INPUT %q", c.name, err, c.want)
		}
	}
	if n := fs.queries.Load(); n != 0 {
		t.Errorf("%d warehouse queries for refused requests; want none", n)
	}
	// The same province 100 times, by ID, code and name, is one row.
	same := make([]string, 0, 300)
	for i := 0; i < 100; i++ {
		same = append(same, "VN63-01", "01", "Hà Nội")
	}
	c, err := svc.Compare(ctx, CompareArgs{Metric: "share", Year: 2020, Map: warehouse.VN63, Provinces: same})
	if err != nil || len(c.Rows) != 1 {
		t.Fatalf("duplicates: %v, %d rows", err, len(c.Rows))
	}
}

// Arguments a reader gets wrong are BAD_USER_INPUT or NOT_FOUND with a message naming
// them, never an empty answer.
func TestArgumentErrors(t *testing.T) {
	svc, _ := newFake(t)
	ctx := context.Background()
	compare := func(a CompareArgs) func() error {
		return func() error { _, err := svc.Compare(ctx, a); return err }
	}
	for _, c := range []struct {
		name string
		run  func() error
		kind warehouse.ErrKind
		msg  string
	}{
		{"unknown metric", compare(CompareArgs{Metric: "nope", Year: 2020, Map: warehouse.VN63}), warehouse.ErrNotFound, `unknown metric "nope"`},
		{"year and period", compare(CompareArgs{Metric: "share", Year: 2020, Period: "2020", Map: warehouse.VN63}), warehouse.ErrInvalid, "give year or period, not both"},
		{"neither", compare(CompareArgs{Metric: "share", Map: warehouse.VN63}), warehouse.ErrInvalid, "give year or period"},
		{"year out of range", compare(CompareArgs{Metric: "share", Year: 1900, Map: warehouse.VN63}), warehouse.ErrInvalid, "year 1900 is outside 1945–2100"},
		{"bad period", compare(CompareArgs{Metric: "share", Period: "last year", Map: warehouse.VN63}), warehouse.ErrInvalid, `period "last year" must be`},
		{"bad map", compare(CompareArgs{Metric: "share", Year: 2020, Map: "VN99"}), warehouse.ErrInvalid, `map must be VN63 or VN34, not "VN99"`},
		{"unknown group", compare(CompareArgs{Metric: "share", Year: 2020, Map: warehouse.VN63, Group: "nope"}), warehouse.ErrNotFound, `unknown group "nope"`},
		{"unknown province", compare(CompareArgs{Metric: "share", Year: 2020, Map: warehouse.VN63, Provinces: []string{"Atlantis"}}), warehouse.ErrNotFound,
			`unknown province "Atlantis" on map VN63 in provinces`},
		{"province of the other map", compare(CompareArgs{Metric: "share", Year: 2020, Map: warehouse.VN63, Provinces: []string{"VN34-08"}}), warehouse.ErrInvalid,
			"provinces: VN34-08 (Tuyên Quang) is on map VN34, not VN63; use map: VN34 or an ID of map VN63"},
		{"series span", func() error {
			_, err := svc.Series(ctx, SeriesArgs{Metric: "share", From: 2021, To: 2020, Map: warehouse.VN63})
			return err
		}, warehouse.ErrInvalid, "from 2021 is after to 2020"},
		{"series year", func() error {
			_, err := svc.Series(ctx, SeriesArgs{Metric: "share", From: 1800, To: 2020, Map: warehouse.VN63})
			return err
		}, warehouse.ErrInvalid, "from 1800 is outside"},
		{"series to", func() error {
			_, err := svc.Series(ctx, SeriesArgs{Metric: "share", From: 2000, To: 2200, Map: warehouse.VN63})
			return err
		}, warehouse.ErrInvalid, "to 2200 is outside"},
		{"series metric", func() error {
			_, err := svc.Series(ctx, SeriesArgs{Metric: "nope", From: 2000, To: 2020, Map: warehouse.VN63})
			return err
		}, warehouse.ErrNotFound, "unknown metric"},
		{"series map", func() error {
			_, err := svc.Series(ctx, SeriesArgs{Metric: "share", From: 2000, To: 2020, Map: "X"})
			return err
		}, warehouse.ErrInvalid, "map must be"},
		{"provinces of an unknown group", func() error { _, err := svc.Provinces(warehouse.VN63, "", "nope"); return err },
			warehouse.ErrNotFound, `unknown group "nope"`},
	} {
		err := c.run()
		if warehouse.KindOf(err) != c.kind || !strings.Contains(warehouse.ErrorMessage(err), c.msg) {
			t.Errorf("%s: %v, want %s %q", c.name, err, c.kind, c.msg)
		}
	}
}

// A failing warehouse is reported as its error, not as an empty comparison.
func TestWarehouseErrorsReachTheCaller(t *testing.T) {
	svc, fs := newFake(t)
	fs.err = warehouse.Errorf(warehouse.ErrUnavailable, "down")
	ctx := context.Background()
	for name, run := range map[string]func() error{
		"compare": func() error {
			_, err := svc.Compare(ctx, CompareArgs{Metric: "share", Year: 2020, Map: warehouse.VN63})
			return err
		},
		"compare with synthetic": func() error {
			_, err := svc.Compare(ctx, CompareArgs{Metric: "count", Year: 2020, Map: warehouse.VN63, IncludeSynthetic: true})
			return err
		},
		"series": func() error {
			_, err := svc.Series(ctx, SeriesArgs{Metric: "share", From: 2020, To: 2020, Map: warehouse.VN63, Provinces: []string{"VN"}})
			return err
		},
		"trend": func() error {
			_, err := svc.Trend(ctx, TrendArgs{Metric: "share", Unit: "VN", From: 2015, To: 2020})
			return err
		},
		"attainment": func() error {
			_, err := svc.TargetAttainment(ctx, CompareArgs{Metric: "share", Year: 2020, Map: warehouse.VN63})
			return err
		},
		"observation": func() error { _, err := svc.Observations(ctx, FilterArgs{}, 5, ""); return err },
		"brief": func() error {
			_, err := svc.Brief(ctx, BriefArgs{Province: "VN63-01", Map: warehouse.VN63})
			return err
		},
		"table": func() error {
			_, err := svc.Table(ctx, TableArgs{Metrics: []string{"share"}, Years: []int{2020}})
			return err
		},
		"count": func() error { _, err := svc.Count(ctx, &ObservationPage{}); return err },
		"warm":  func() error { return svc.Warm(ctx) },
	} {
		if err := run(); warehouse.KindOf(err) != warehouse.ErrUnavailable {
			t.Errorf("%s: %v, want the warehouse's UNAVAILABLE", name, err)
		}
	}
}
