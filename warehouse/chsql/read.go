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
	inner := "SELECT " + obsAll + " FROM " + db + ".observations" +
		" WHERE load_id IN (SELECT load_id FROM " + db + ".loads)"
	for _, w := range where {
		inner += " AND " + w
	}
	inner += " ORDER BY id, revision DESC LIMIT 1 BY id"
	var outer []string
	if len(f.Statuses) > 0 {
		outer = append(outer, "status IN {statuses:Array(String)}")
		params = append(params, Param{"statuses", strs(f.Statuses)})
	}
	if !f.IncludeSynthetic {
		outer = append(outer, "status != 'SYNTHETIC'")
	}
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

var _ warehouse.CellReader = (*Core)(nil)

// CellsSQL builds the one query of Core.Cells. A cell (metric, start year, subject) is a
// prefix of the observations table's sorting key, so the engine groups rows by cell as it
// reads them, in order (optimize_aggregation_in_order, in Query.Settings), holding one cell at a time instead
// of sorting every row of every metric. In each cell it keeps the latest revision of each id
// (an id is a hash of subject, metric, period label and source, so all its revisions share a
// cell: the same rows a metric's own query keeps with ORDER BY id, revision DESC LIMIT 1 BY
// id), then every one of them that is not SYNTHETIC and, with q.Synthetic, the first
// SYNTHETIC one in OnePerCell's order (status, exact before bounds, period kind, source,
// id: argMin's key has the id, so there are no ties). Only those keys (id, revision) are
// carried; the full rows are then read for them alone, ordered by metric so they can be
// split as they arrive, and within a metric as ReadCells's fallback orders them.
//
// Measured at scale L (11.9 M rows, 2 shared cores, load 4–5): sorting every row (id,
// revision) over all metrics took 4–8 s for two columns and 22 s for whole rows, and a hash
// aggregation by id 15 s; grouping by cell in order with arrays, 7.5 s for the keys and
// 10–14 s with the rows read back (HWM ~1 GB); the per-metric queries 66 s.
func CellsSQL(db string, q warehouse.CellQuery) Query {
	params := []Param{{"metrics", q.MetricIDs}}
	committed := " WHERE load_id IN (SELECT load_id FROM " + db + ".loads) AND metric_id IN {metrics:Array(String)}"
	// r: (id, revision, status[, rank]); cur: the cell's current rows, by id (sorted by id and
	// revision, newest first, keeping each id's first row). The rank is computed per row,
	// outside the lambdas: a parameter array inside one was searched anew for every element
	// (indexOf over ~170 sources for each of 12 M rows: 40 s instead of 10 at scale L), and
	// the source's place is a hashed look-up (transform), as indexOf would find it in a list
	// without repeats (a catalogue's source IDs).
	row := "(id, revision, status)"
	keys := "arrayMap(r -> (r.1, r.2), arrayFilter(r -> r.3 != 'SYNTHETIC', cur))"
	if q.Synthetic != nil {
		row = "(id, revision, status, (indexOf({cell_statuses:Array(String)}, status), qualifier != 'EXACT'," +
			" indexOf({cell_periods:Array(String)}, period_kind)," +
			" transform(source_id, {cell_sources:Array(String)}, arrayEnumerate({cell_sources:Array(String)}), toUInt32(0)), id))"
		best := "arraySlice(arrayMap(r -> (r.1, r.2), arraySort(r -> r.4, arrayFilter(r -> r.3 = 'SYNTHETIC', cur))), 1, 1)"
		keys = "arrayConcat(" + keys + ", " + best + ")"
		params = append(params, cellOrderParams(q.Synthetic)...)
	}
	picked := "SELECT metric_id, arrayJoin(" + keys + ") AS k FROM (SELECT metric_id," +
		" arraySort(r -> (r.1, -toInt64(r.2)), groupArray(" + row + ")) AS s," +
		" arrayFilter((r, prev) -> r.1 != prev, s, arrayPushFront(arrayPopBack(arrayMap(r -> r.1, s)), '')) AS cur" +
		" FROM " + db + ".observations" + committed +
		" GROUP BY metric_id, period_start, subject_id)"
	syn := "status = 'SYNTHETIC'"
	sql := "SELECT " + obsRead + " FROM " + db + ".observations" + committed +
		" AND (metric_id, (id, revision)) IN (" + picked + ")" +
		" ORDER BY metric_id, " + syn + ", if(" + syn + ", '', id), subject_id, period_start"
	// In order: without it the engine groups by hashing, holding every row's key at once
	// (2.6 GB at scale L, and slower). A SETTINGS clause inside the subquery was not applied.
	return Query{SQL: sql, Params: params, Settings: map[string]string{"optimize_aggregation_in_order": "1"}}
}

// cellOrderParams passes a CellOrder's lists as cell_statuses, cell_periods, cell_sources.
func cellOrderParams(o *warehouse.CellOrder) []Param {
	nonEmpty := func(l []string) []string { // an empty array literal has no element type
		if len(l) == 0 {
			return []string{""}
		}
		return l
	}
	return []Param{{"cell_statuses", nonEmpty(strs(o.Statuses))}, {"cell_periods", nonEmpty(strs(o.PeriodKinds))}, {"cell_sources", nonEmpty(o.Sources)}}
}

// Cells reads q in one query (CellsSQL) and hands each metric's rows to each as soon as the
// next metric's begin, so only one metric's rows are held at a time on this side.
func (c *Core) Cells(ctx context.Context, q warehouse.CellQuery, each func(metric string, obs []warehouse.Observation) error) error {
	if len(q.MetricIDs) == 0 {
		return nil
	}
	var cur []warehouse.Observation
	flush := func() error {
		if len(cur) == 0 {
			return nil
		}
		obs := cur
		cur = nil
		return each(obs[0].MetricID, obs)
	}
	s := observations.scanner()
	err := c.Ex.Select(ctx, CellsSQL(c.DB, q), func(r Row) error {
		o, err := s.scan(r)
		if err != nil {
			return err
		}
		if len(cur) > 0 && cur[0].MetricID != o.MetricID {
			if err := flush(); err != nil {
				return err
			}
		}
		cur = append(cur, o)
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}
