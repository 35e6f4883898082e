package chsql

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/cadrestat/cadrestat/warehouse"
)

var _ warehouse.CellReader = (*Core)(nil)

// CellsSQL builds the first query of Core.Cells: one pass over the metrics' rows, grouped by
// cell (metric, start year, subject: a prefix of the observations table's sorting key, so the
// engine groups them as it reads them in order, optimize_aggregation_in_order in
// Query.Settings, holding one cell at a time). Each cell gives its rows that are not
// SYNTHETIC (groupArrayIf) and, with q.Synthetic, its first SYNTHETIC row in OnePerCell's
// order (argMinIf; status, exact before bounds, period kind, source, id: the key has the id,
// so there are no ties), whole rows, with no arrays of the cell's other rows and no second
// read. That is only right when every row of the cell is its id's current revision, which
// holds when the cell's rows all have one revision ((id, revision) is unique: a load writes an
// id once, as ingest refuses a duplicate row in a load). Any other cell (a later load changed some of its rows) gives one marker row,
// first column 0, which Cells reads again with CellsExactSQL. Rows come ordered by metric,
// and within a metric as ReadCells's fallback orders them.
//
// Measured at scale L (11.9 M rows, all metrics in one query, 2 cores shared, load 10–11,
// the same minute): 2.8 s for the keys this way and 3.5 s with the whole rows, against 32 s
// for the previous query (groupArray of every row's key per cell, then the full rows read
// back for the picked keys), which was itself 10–14 s on a quieter machine: building an array
// per cell of 150 rows cost ~5 s of CPU, and the read-back touched every granule.
func CellsSQL(db string, q warehouse.CellQuery) Query {
	params := []Param{{"metrics", q.MetricIDs}}
	row := "(" + cellColumns + ")"
	aggs := "groupArrayIf(" + row + ", status != 'SYNTHETIC') AS pub"
	keep, marker := "pub", "arraySlice(pub, 1, 1)" // no row that is not SYNTHETIC: none to read again either
	if q.Synthetic != nil {                        // [best] or none: ClickHouse 18.16 cannot type if(…, [best], [])
		aggs += ", countIf(status = 'SYNTHETIC') AS syn, argMinIf(" + row + ", " + cellRank + ", status = 'SYNTHETIC') AS best"
		keep, marker = "arrayConcat(pub, arraySlice([best], 1, least(syn, 1)))", "arraySlice(arrayConcat(pub, [best]), 1, 1)"
		params = append(params, cellOrderParams(q.Synthetic)...)
	}
	// The aggregates are plain columns here and combined one level up: combined in the
	// aggregating SELECT (if(whole, arrayConcat(…), …)) the same query took 36 s instead of
	// 2–5 s at scale L.
	cells := "SELECT metric_id AS cell_metric, min(revision) = max(revision) AS whole, " + aggs +
		" FROM " + db + ".observations" + cellsWhere(db) + " GROUP BY metric_id, period_start, subject_id"
	rows := "SELECT whole, " + cellElements + " FROM (" + cells + ") ARRAY JOIN if(whole, " + keep + ", " + marker + ") AS r"
	sql := "SELECT toUInt64(whole), " + obsRead + " FROM (" + rows + ") ORDER BY metric_id, whole, " + cellsOrder
	// In order: without it the engine groups by hashing, holding every cell at once (2.6 GB
	// at scale L with the previous query, and slower). A SETTINGS clause inside the subquery
	// was not applied.
	return Query{SQL: sql, Params: params, Settings: map[string]string{"optimize_aggregation_in_order": "1"}}
}

// CellsExactSQL reads the cells CellsSQL marked (some rows have a later revision) of
// q.MetricIDs, as the metric's own queries keep them: in each cell, the latest revision of
// each id (an id is a hash of subject, metric, period label and source, so all its revisions
// share a cell), then every one of them that is not SYNTHETIC and, with q.Synthetic, the
// first SYNTHETIC one in OnePerCell's order. Only the keys (id, revision) are grouped in
// arrays, for the marked cells alone; the full rows are then read for those keys. Same order
// as CellsSQL, without its first column.
func CellsExactSQL(db string, q warehouse.CellQuery) Query {
	params := []Param{{"metrics", q.MetricIDs}}
	committed := cellsWhere(db)
	revised := committed + " AND (metric_id, period_start, subject_id) IN (SELECT metric_id, period_start, subject_id FROM " + db +
		".observations" + committed + " GROUP BY metric_id, period_start, subject_id HAVING min(revision) != max(revision))"
	// r: (id, revision, status[, rank]); cur: the cell's current rows, by id (sorted by id and
	// revision, newest first, keeping each id's first row).
	row := "(id, revision, status)"
	keys := "arrayMap(r -> (r.1, r.2), arrayFilter(r -> r.3 != 'SYNTHETIC', cur))"
	if q.Synthetic != nil {
		row = "(id, revision, status, " + cellRank + ")"
		best := "arraySlice(arrayMap(r -> (r.1, r.2), arraySort(r -> r.4, arrayFilter(r -> r.3 = 'SYNTHETIC', cur))), 1, 1)"
		keys = "arrayConcat(" + keys + ", " + best + ")"
		params = append(params, cellOrderParams(q.Synthetic)...)
	}
	picked := "SELECT metric_id, arrayJoin(" + keys + ") AS k FROM (SELECT metric_id," +
		" arraySort(r -> (r.1, -toInt64(r.2)), groupArray(" + row + ")) AS s," +
		" arrayFilter((r, prev) -> r.1 != prev, s, arrayPushFront(arrayPopBack(arrayMap(r -> r.1, s)), '')) AS cur" +
		" FROM " + db + ".observations" + revised + " GROUP BY metric_id, period_start, subject_id)"
	sql := "SELECT " + obsRead + " FROM " + db + ".observations" + revised +
		" AND (metric_id, (id, revision)) IN (" + picked + ") ORDER BY metric_id, " + cellsOrder
	return Query{SQL: sql, Params: params, Settings: map[string]string{"optimize_aggregation_in_order": "1"}}
}

func cellsWhere(db string) string {
	return " WHERE load_id IN (SELECT load_id FROM " + db + ".loads) AND metric_id IN {metrics:Array(String)}"
}

// cellsOrder orders one metric's cells as ReadCells's fallback does: the rows that are not
// SYNTHETIC by id, then the SYNTHETIC ones by subject and start year. cellLess is the same
// order in Go.
const cellsOrder = "status = 'SYNTHETIC', if(status = 'SYNTHETIC', '', id), subject_id, period_start"

func cellLess(a, b *warehouse.Observation) bool {
	as, bs := a.Status == warehouse.StatusSynthetic, b.Status == warehouse.StatusSynthetic
	switch {
	case as != bs:
		return !as
	case !as && a.ID != b.ID:
		return a.ID < b.ID
	case a.SubjectID != b.SubjectID:
		return a.SubjectID < b.SubjectID
	}
	return a.Period.Start < b.Period.Start
}

// cellRank is a row's place in q.Synthetic's order (smallest first), computed per row: a
// parameter array searched inside a lambda was searched anew for every element (40 s instead
// of 10 at scale L with the previous query), and the source's place is a hashed look-up
// (transform), as indexOf would find it in a list without repeats (a catalogue's source IDs).
const cellRank = "(indexOf({cell_statuses:Array(String)}, status), qualifier != 'EXACT'," +
	" indexOf({cell_periods:Array(String)}, period_kind)," +
	" transform(source_id, {cell_sources:Array(String)}, arrayEnumerate({cell_sources:Array(String)}), toUInt32(0)), id)"

// cellColumns lists the stored columns obsRead reads, as the elements of the tuple each row
// is kept as; cellElements takes them back out of a tuple r of them, under their own names,
// so obsRead applies unchanged. A Nullable column goes in as ifNull(c, 0) with isNull(c) at
// the end of the tuple, and comes out as if(flag, NULL, value): ClickHouse 18.16 turns the
// NULLs inside a tuple kept by argMinIf into 0 when shards send their states to the node
// that merges them (TestClusterContract "Cells"), while a lone server kept them.
var cellColumns, cellElements = func() (string, string) {
	type elem struct {
		name     string
		nullable bool
	}
	var cols []elem
	for i := range observations.cols {
		if c := &observations.cols[i]; !c.writeOnly {
			cols = append(cols, elem{c.name, c.kind == kFloat})
		}
	}
	cols = append(cols, elem{"revision", false}, elem{"load_id", false})
	var tuple, flags, elems []string
	for i, c := range cols {
		r := "r." + strconv.Itoa(i+1)
		switch {
		case c.name == "metric_id": // the cell's: a marker row's tuple may be empty
			tuple = append(tuple, c.name)
			elems = append(elems, "cell_metric AS metric_id")
		case c.nullable:
			tuple = append(tuple, "ifNull("+c.name+", 0)")
			flags = append(flags, "isNull("+c.name+")")
			elems = append(elems, "if(r."+strconv.Itoa(len(cols)+len(flags))+", NULL, "+r+") AS "+c.name)
		default:
			tuple = append(tuple, c.name)
			elems = append(elems, r+" AS "+c.name)
		}
	}
	return strings.Join(append(tuple, flags...), ", "), strings.Join(elems, ", ")
}()

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

// Cells reads q with CellsSQL and hands each metric's rows to each as soon as the next
// metric's begin, so only one metric's rows are held at a time on this side. A metric with
// cells CellsSQL could not pick (rows with later revisions) is held back until CellsExactSQL
// has read those cells for all such metrics; its rows are then merged in order.
func (c *Core) Cells(ctx context.Context, q warehouse.CellQuery, each func(metric string, obs []warehouse.Observation) error) error {
	if len(q.MetricIDs) == 0 {
		return nil
	}
	var (
		cur     []warehouse.Observation
		metric  string // cur's
		revised bool   // metric has marked cells
		held    = map[string][]warehouse.Observation{}
		order   []string // held's metrics, as they came
	)
	s := observations.scanner()
	var whole uint64
	flush := func() error {
		if len(cur) == 0 && !revised {
			return nil
		}
		obs, m := cur, metric
		cur = nil
		if revised {
			revised = false
			order = append(order, m)
			held[m] = obs
			return nil
		}
		return each(m, obs)
	}
	err := c.Ex.Select(ctx, CellsSQL(c.DB, q), func(r Row) error {
		o, err := s.scanAfter(r, &whole)
		if err != nil {
			return err
		}
		if o.MetricID != metric {
			if err := flush(); err != nil {
				return err
			}
			metric = o.MetricID
		}
		if whole == 0 {
			revised = true
			return nil
		}
		cur = append(cur, o)
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil || len(order) == 0 {
		return err
	}
	exact := q
	exact.MetricIDs = order
	err = c.Ex.Select(ctx, CellsExactSQL(c.DB, exact), func(r Row) error {
		o, err := s.scan(r)
		held[o.MetricID] = append(held[o.MetricID], o)
		return err
	})
	if err != nil {
		return err
	}
	for _, m := range order {
		obs := held[m]
		sort.SliceStable(obs, func(i, j int) bool { return cellLess(&obs[i], &obs[j]) })
		if len(obs) == 0 {
			continue
		}
		if err := each(m, obs); err != nil {
			return err
		}
	}
	return nil
}
