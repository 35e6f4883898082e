package chsql

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/cadrestat/cadrestat/warehouse"
)

// Catalog reads all dimension tables (a handful of small queries) and indexes them.
func (c *Core) Catalog(ctx context.Context) (*warehouse.Catalog, error) {
	cat := &warehouse.Catalog{}
	v, err := c.DataVersion(ctx)
	if err != nil {
		return nil, err
	}
	cat.Version = v
	steps := []struct {
		table, cols string
		scan        func(Row) error
	}{
		{"provinces", "id, map, code, name, name_ascii, kind, region, valid_from, valid_to", func(r Row) error {
			var p warehouse.Province
			var m string
			err := r.Scan(&p.ID, &m, &p.Code, &p.Name, &p.NameASCII, &p.Kind, &p.Region, &p.ValidFrom, &p.ValidTo)
			p.Map = warehouse.Map(m)
			cat.Provinces = append(cat.Provinces, p)
			return err
		}},
		{"groups", "id, kind, name, name_vi, map, members, source_id, note", func(r Row) error {
			var g warehouse.Group
			var m string
			err := r.Scan(&g.ID, &g.Kind, &g.Name, &g.NameVI, &m, &g.Members, &g.SourceID, &g.Note)
			g.Map = warehouse.Map(m)
			cat.Groups = append(cat.Groups, g)
			return err
		}},
		{"metrics", "id, name_en, name_vi, unit, kind, body, level, better, aggregation, description", func(r Row) error {
			var m warehouse.Metric
			var k string
			err := r.Scan(&m.ID, &m.NameEN, &m.NameVI, &m.Unit, &k, &m.Body, &m.Level, &m.Better, &m.Aggregation, &m.Description)
			m.Kind = warehouse.MetricKind(k)
			cat.Metrics = append(cat.Metrics, m)
			return err
		}},
		{"sources", "id, title, issuer, doc_number, date, language, location, kind, licence, url, retrieved, toInt64(priority)", func(r Row) error {
			var s warehouse.Source
			var prio int64
			err := r.Scan(&s.ID, &s.Title, &s.Issuer, &s.DocNumber, &s.Date, &s.Language, &s.Location, &s.Kind, &s.Licence, &s.URL, &s.Retrieved, &prio)
			s.Priority = int(prio)
			cat.Sources = append(cat.Sources, s)
			return err
		}},
		{"targets", "id, metric_id, scope, lower, upper, toUInt64(lower_inclusive), toUInt64(upper_inclusive), toUInt64(deadline), directive, source_id, quote, note", func(r Row) error {
			var t warehouse.Target
			var li, ui, dl uint64
			err := r.Scan(&t.ID, &t.MetricID, &t.Scope, &t.Lower, &t.Upper, &li, &ui, &dl, &t.Directive, &t.SourceID, &t.Quote, &t.Note)
			t.LowerInclusive, t.UpperInclusive, t.Deadline = li == 1, ui == 1, int(dl)
			cat.Targets = append(cat.Targets, t)
			return err
		}},
	}
	for _, s := range steps {
		if err := c.Ex.Select(ctx, Query{SQL: c.current(s.table, s.cols, "")}, s.scan); err != nil {
			return nil, err
		}
	}
	var links []warehouse.LineageLink
	err = c.Ex.Select(ctx, Query{SQL: c.current("lineage", "from_id, to_id", "")}, func(r Row) error {
		var l warehouse.LineageLink
		links = append(links, l)
		return r.Scan(&links[len(links)-1].From, &links[len(links)-1].To)
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(cat.Provinces, func(i, j int) bool {
		a, b := cat.Provinces[i], cat.Provinces[j]
		if a.Map != b.Map {
			return a.Map > b.Map // VN63 before VN34
		}
		return a.Code < b.Code
	})
	cat.Index()
	for _, l := range links {
		if to, from := cat.Province(l.To), cat.Province(l.From); to != nil && from != nil {
			to.Predecessors = append(to.Predecessors, l.From)
			from.Successors = append(from.Successors, l.To)
		}
	}
	return cat, nil
}

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
	inner := "SELECT " + strings.Join(obsColumns, ", ") + " FROM " + db + ".observations" +
		" WHERE load_id IN (SELECT load_id FROM " + db + ".loads)"
	for _, w := range where {
		inner += " AND " + w
	}
	inner += " ORDER BY id, revision DESC LIMIT 1 BY id"
	var outer []string
	if len(f.Statuses) > 0 {
		outer = append(outer, "status IN {statuses:Array(String)}")
		params = append(params, Param{"statuses", f.Statuses})
	}
	if !f.IncludeSynthetic {
		outer = append(outer, "status != 'SYNTHETIC'")
	}
	if f.AfterID != "" && !count && f.OnePerCell == nil {
		outer = append(outer, "id > {after:String}")
		params = append(params, Param{"after", f.AfterID})
	}
	sel := "SELECT " + obsSelect + " FROM (" + inner + ")"
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
		nonEmpty := func(l []string) []string { // an empty array literal has no element type
			if len(l) == 0 {
				return []string{""}
			}
			return l
		}
		params = append(params, Param{"cell_statuses", nonEmpty(f.OnePerCell.Statuses)}, Param{"cell_periods", nonEmpty(f.OnePerCell.PeriodKinds)},
			Param{"cell_sources", nonEmpty(f.OnePerCell.Sources)})
	default:
		sel += " ORDER BY id"
		if f.Limit > 0 {
			sel += " LIMIT " + strconv.Itoa(f.Limit)
		}
	}
	return Query{SQL: sel, Params: params}
}

const obsSelect = "id, subject_kind, subject_id, metric_id, period_kind, toUInt64(period_start), toUInt64(period_end), period_label, value, numerator, denominator, qualifier, status, source_id, quote, note, revision, load_id"

func scanObservation(r Row) (warehouse.Observation, error) {
	var o warehouse.Observation
	var ps, pe uint64
	err := r.Scan(&o.ID, &o.SubjectKind, &o.SubjectID, &o.MetricID, &o.Period.Kind, &ps, &pe, &o.Period.Label,
		&o.Value, &o.Numerator, &o.Denominator, &o.Qualifier, &o.Status, &o.SourceID, &o.Quote, &o.Note, &o.Revision, &o.LoadID)
	o.Period.Start, o.Period.End = int(ps), int(pe)
	return o, err
}

func (c *Core) Observations(ctx context.Context, f warehouse.ObservationFilter) ([]warehouse.Observation, error) {
	var out []warehouse.Observation
	err := c.Ex.Select(ctx, ObservationsSQL(c.DB, f, false), func(r Row) error {
		o, err := scanObservation(r)
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
	q := Query{
		SQL: "SELECT " + obsSelect + " FROM " + c.DB + ".observations WHERE id IN {ids:Array(String)}" +
			" AND load_id IN (SELECT load_id FROM " + c.DB + ".loads) ORDER BY id, revision DESC",
		Params: []Param{{"ids", ids}},
	}
	err := c.Ex.Select(ctx, q, func(r Row) error {
		o, err := scanObservation(r)
		out[o.ID] = append(out[o.ID], o)
		return err
	})
	return out, err
}
