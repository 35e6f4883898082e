package chsql

import (
	"context"
	"strconv"
	"strings"

	"github.com/cadrestat/cadrestat/warehouse"
)

// ObservationsSQL builds the query for current observations matching f. It is a pure
// function so its SQL is covered by golden tests; every value travels as a parameter.
func ObservationsSQL(db string, f warehouse.ObservationFilter, count bool) Query {
	var where []string
	var params []Param
	add := func(cond string, p ...Param) {
		where = append(where, cond)
		params = append(params, p...)
	}
	if len(f.MetricIDs) > 0 {
		add("metric_id IN {metrics:Array(String)}", Param{"metrics", f.MetricIDs})
	}
	if len(f.SubjectIDs) > 0 {
		add("subject_id IN {subjects:Array(String)}", Param{"subjects", f.SubjectIDs})
	}
	if len(f.SourceIDs) > 0 {
		add("source_id IN {sources:Array(String)}", Param{"sources", f.SourceIDs})
	}
	if len(f.PeriodLabels) > 0 {
		add("period_label IN {periods:Array(String)}", Param{"periods", f.PeriodLabels})
	}
	if f.YearFrom > 0 {
		add("period_start >= {from:UInt16}", Param{"from", f.YearFrom})
	}
	if f.YearTo > 0 {
		add("period_start <= {to:UInt16}", Param{"to", f.YearTo})
	}
	// A page reads only what the page needs: its keys first, from the three narrow columns
	// that choose them (the newest revision of each id, its status, the cursor), then the
	// wide columns (quotes, notes) of those rows alone. Reading every column of every
	// matching row and sorting it, a 500-row page over 1M rows grew the engine by ~420 MB.
	if f.Limit > 0 && !count && f.OnePerCell == nil {
		return pageSQL(db, f, where, params)
	}
	inner := "SELECT " + obsAll + " FROM " + db + ".observations" +
		" WHERE load_id IN (SELECT load_id FROM " + db + ".loads)"
	for _, w := range where {
		inner += " AND " + w
	}
	inner += " ORDER BY id, revision DESC LIMIT 1 BY id"
	outer, params := statusFilter(f, params)
	if f.AfterID != "" && !count && f.OnePerCell == nil {
		outer = append(outer, "id > {after:String}")
		params = append(params, Param{"after", f.AfterID})
	}
	sel := "SELECT " + obsRead + " FROM (" + inner + ")"
	if count {
		sel = "SELECT count() FROM (" + inner + ")"
	}
	if len(outer) > 0 {
		sel += " WHERE " + strings.Join(outer, " AND ")
	}
	switch {
	case count:
	case f.OnePerCell != nil:
		sel += " ORDER BY subject_id, period_start, indexOf({cell_statuses:Array(String)}, status), qualifier != 'EXACT'," +
			" indexOf({cell_periods:Array(String)}, period_kind), indexOf({cell_sources:Array(String)}, source_id), id" +
			" LIMIT 1 BY subject_id, period_start"
		params = append(params, cellOrderParams(f.OnePerCell)...)
	default:
		sel += " ORDER BY id"
		if f.Limit > 0 {
			sel += " LIMIT " + strconv.Itoa(f.Limit)
		}
	}
	return Query{SQL: sel, Params: params}
}

// statusFilter gives the conditions on the newest revision's status (asked statuses, no
// synthetic rows unless asked), with their parameters appended to params.
func statusFilter(f warehouse.ObservationFilter, params []Param) ([]string, []Param) {
	var outer []string
	if len(f.Statuses) > 0 {
		outer = append(outer, "status IN {statuses:Array(String)}")
		params = append(params, Param{"statuses", strs(f.Statuses)})
	}
	if !f.IncludeSynthetic {
		outer = append(outer, "status != 'SYNTHETIC'")
	}
	return outer, params
}

// pageSQL is ObservationsSQL for one page (Limit > 0): the keys of the page, then its rows.
// The cursor filters before the newest revision is picked: both go by id, so it is the same.
func pageSQL(db string, f warehouse.ObservationFilter, where []string, params []Param) Query {
	if f.AfterID != "" {
		where = append(where, "id > {after:String}")
		params = append(params, Param{"after", f.AfterID})
	}
	committed := "load_id IN (SELECT load_id FROM " + db + ".loads)"
	newest := "SELECT id, revision, status FROM " + db + ".observations WHERE " + committed
	for _, w := range where {
		newest += " AND " + w
	}
	newest += " ORDER BY id, revision DESC LIMIT 1 BY id"
	outer, params := statusFilter(f, params)
	keys := "SELECT id, revision FROM (" + newest + ")"
	if len(outer) > 0 {
		keys += " WHERE " + strings.Join(outer, " AND ")
	}
	keys += " ORDER BY id LIMIT " + strconv.Itoa(f.Limit)
	rows := "SELECT " + obsAll + " FROM " + db + ".observations WHERE " + committed +
		" AND (id, revision) IN (" + keys + ") ORDER BY id LIMIT 1 BY id"
	return Query{SQL: "SELECT " + obsRead + " FROM (" + rows + ") ORDER BY id", Params: params}
}

// obsAll lists every stored column of observations; obsRead what a read scans.
var (
	obsAll  = strings.Join(observations.columns(), ", ")
	obsRead = observations.readList()
)

func (c *Core) Observations(ctx context.Context, f warehouse.ObservationFilter) ([]warehouse.Observation, error) {
	var out []warehouse.Observation
	s := observations.scanner()
	err := c.Ex.Select(ctx, ObservationsSQL(c.DB, f, false), func(r Row) error {
		o, err := s.scan(r)
		out = append(out, o)
		return err
	})
	return out, err
}

func (c *Core) CountObservations(ctx context.Context, f warehouse.ObservationFilter) (int, error) {
	var n uint64
	err := c.Ex.Select(ctx, ObservationsSQL(c.DB, f, true), func(r Row) error { return r.Scan(&n) })
	return int(n), err
}

func (c *Core) Revisions(ctx context.Context, ids []string) (map[string][]warehouse.Observation, error) {
	out := map[string][]warehouse.Observation{}
	if len(ids) == 0 {
		return out, nil
	}
	s := observations.scanner()
	err := c.Ex.Select(ctx, revisionsSQL(c.DB, ids), func(r Row) error {
		o, err := s.scan(r)
		out[o.ID] = append(out[o.ID], o)
		return err
	})
	return out, err
}

// revisionsSQL reads every committed revision of the observations ids, newest first.
func revisionsSQL(db string, ids []string) Query {
	return Query{
		SQL: "SELECT " + obsRead + " FROM " + db + ".observations WHERE id IN {ids:Array(String)}" +
			" AND load_id IN (SELECT load_id FROM " + db + ".loads) ORDER BY id, revision DESC",
		Params: []Param{{"ids", ids}},
	}
}

// strs turns a list of a typed enum into the []string a query parameter binds as
// Array(String).
func strs[T ~string](l []T) []string {
	out := make([]string, len(l))
	for i, v := range l {
		out[i] = string(v)
	}
	return out
}
