package service

import (
	"context"
	"strconv"
	"strings"

	"github.com/cadrestat/cadrestat/warehouse"
)

// A table is a unit × metric × year matrix for analysts: one column per metric and year,
// each column being compare itself (the same rows, ranks among all units of the map,
// change, target and status), laid out by unit. Its metrics' published slices are read in
// one warehouse query (see preloadSlices); with synthetic rows each metric adds the query
// compare makes for them.

// TableArgs select a table.
type TableArgs struct {
	Metrics          []string
	Years            []int
	Map              warehouse.Map
	Provinces        []string // IDs, codes, names, group IDs or "VN"; empty = a group's members, else every unit of the map
	Group            string
	IncludeSynthetic bool
}

// Table is the answer to table.
type Table struct {
	Map     warehouse.Map
	Metrics []*warehouse.Metric
	Years   []int
	Columns []*TableColumn
	Rows    []*TableRow
	Args    TableArgs // as given, for the CSV link
}

// TableColumn is one metric in one year: the comparison the column's cells come from.
type TableColumn struct {
	Metric     *warehouse.Metric
	Year       int
	Comparison *Comparison
}

// TableRow is one unit: its row of each column's comparison, in column order.
type TableRow struct {
	Province *warehouse.Province
	Cells    []*Row
}

// Table builds the matrix (metrics in the order given, each in every year given).
func (s *Service) Table(ctx context.Context, a TableArgs) (*Table, error) {
	s = s.At(ctx)
	if a.Map == "" {
		a.Map = warehouse.VN63
	}
	metrics, err := distinct("metrics", a.Metrics, MaxTableMetrics)
	if err != nil {
		return nil, err
	}
	if len(metrics) == 0 {
		return nil, warehouse.Errorf(warehouse.ErrInvalid, "metrics is empty; give at least one metric")
	}
	ys := make([]string, len(a.Years))
	for i, y := range a.Years {
		ys[i] = strconv.Itoa(y)
	}
	if ys, err = distinct("years", ys, MaxTableYears); err != nil {
		return nil, err
	}
	if len(ys) == 0 {
		return nil, warehouse.Errorf(warehouse.ErrInvalid, "years is empty; give at least one year")
	}
	t := &Table{Map: a.Map, Args: a}
	for _, y := range ys {
		n, _ := strconv.Atoi(y)
		if err := checkYear("year in years:", n); err != nil {
			return nil, err
		}
		t.Years = append(t.Years, n)
	}
	for _, id := range metrics {
		m, err := s.metric(id)
		if err != nil {
			return nil, err
		}
		t.Metrics = append(t.Metrics, m)
	}
	units, err := s.units(a.Map, a.Provinces, a.Group)
	if err != nil {
		return nil, err
	}
	if !a.IncludeSynthetic {
		if ctx, err = s.preloadSlices(ctx, metrics); err != nil {
			return nil, err
		}
	}
	t.Rows = make([]*TableRow, len(units))
	for i, u := range units {
		t.Rows[i] = &TableRow{Province: u}
	}
	for _, m := range t.Metrics {
		for _, y := range t.Years {
			c, err := s.Compare(ctx, CompareArgs{Metric: m.ID, Year: y, Map: a.Map, Provinces: a.Provinces, Group: a.Group, IncludeSynthetic: a.IncludeSynthetic})
			if err != nil {
				return nil, err
			}
			t.Columns = append(t.Columns, &TableColumn{Metric: m, Year: y, Comparison: c})
			at := make(map[string]*Row, len(c.Rows))
			for _, r := range c.Rows {
				at[r.Province.ID] = r
			}
			for _, tr := range t.Rows {
				tr.Cells = append(tr.Cells, at[tr.Province.ID])
			}
		}
	}
	return t, nil
}

// SeriesUnits expands the units of a series request: "ALL" among provinces stands for
// every unit of the map, and group adds the group's members (a group ID among provinces is
// the group itself, with its own figure). Neither is an error.
func (s *Service) SeriesUnits(m warehouse.Map, provinces []string, group string) ([]string, error) {
	if m != warehouse.VN63 && m != warehouse.VN34 {
		return nil, warehouse.Errorf(warehouse.ErrInvalid, "map must be VN63 or VN34, not %q", m)
	}
	if len(provinces) == 0 && group == "" {
		return nil, warehouse.Errorf(warehouse.ErrInvalid, "give provinces (IDs, group IDs, \"VN\" or \"ALL\") or group")
	}
	provinces, err := distinct("provinces", provinces, MaxUnits)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range provinces {
		if strings.EqualFold(p, "ALL") {
			for _, u := range s.Catalog().ProvincesOn(m) {
				out = append(out, u.ID)
			}
			continue
		}
		out = append(out, p)
	}
	if group != "" {
		g := s.group(group)
		if g == nil {
			return nil, warehouse.Errorf(warehouse.ErrNotFound, "unknown group %q in group", group)
		}
		if g.Map != m {
			return nil, warehouse.Errorf(warehouse.ErrInvalid, "group: %s is on map %s, not %s", g.ID, g.Map, m)
		}
		out = append(out, g.Members...)
	}
	return distinct("provinces", out, MaxUnits)
}

// The GraphQL fields of a column (plain methods, see fields.go).
func (c *TableColumn) RankOf() int               { return c.Comparison.RankOf }
func (c *TableColumn) National() *Benchmark      { return &c.Comparison.National }
func (c *TableColumn) Target() *warehouse.Target { return c.Comparison.Target }
func (c *TableColumn) Projected() bool           { return c.Comparison.Projected }
