package chsql

import (
	"strconv"

	"github.com/cadrestat/cadrestat/warehouse"
)

// The data tables, one description each (column.go says what a description drives). A new
// column: one line here, marked addedIn(N), and migration N adding it (migrate.go).

type (
	source      = warehouse.Source
	province    = warehouse.Province
	link        = warehouse.LineageLink
	group       = warehouse.Group
	metric      = warehouse.Metric
	target      = warehouse.Target
	observation = warehouse.Observation
)

var sources = define(&table[source]{
	name: "sources",
	rows: func(b *warehouse.Batch) []source { return b.Sources },
	cols: []column[source]{
		text("id", func(s *source) *string { return &s.ID }),
		text("title", func(s *source) *string { return &s.Title }),
		text("issuer", func(s *source) *string { return &s.Issuer }),
		text("doc_number", func(s *source) *string { return &s.DocNumber }),
		text("date", func(s *source) *string { return &s.Date }),
		text("language", func(s *source) *string { return &s.Language }),
		text("location", func(s *source) *string { return &s.Location }),
		text("kind", func(s *source) *string { return &s.Kind }),
		text("licence", func(s *source) *string { return &s.Licence }),
		text("url", func(s *source) *string { return &s.URL }).addedIn(3),
		text("retrieved", func(s *source) *string { return &s.Retrieved }).addedIn(3),
		// Hashed with a label, unlike the columns before it: that is how migration 4's rows
		// were hashed when it shipped.
		integer("priority", func(s *source) *int { return &s.Priority }).addedIn(4).
			hashedAs(func(s *source) string { return "priority:" + strconv.Itoa(s.Priority) }),
	},
})

var provinces = define(&table[province]{
	name: "provinces",
	rows: func(b *warehouse.Batch) []province { return b.Provinces },
	cols: []column[province]{
		text("id", func(p *province) *string { return &p.ID }),
		text("map", func(p *province) *string { return (*string)(&p.Map) }),
		text("code", func(p *province) *string { return &p.Code }),
		text("name", func(p *province) *string { return &p.Name }),
		text("name_ascii", func(p *province) *string { return &p.NameASCII }),
		text("kind", func(p *province) *string { return &p.Kind }),
		text("region", func(p *province) *string { return &p.Region }),
		text("valid_from", func(p *province) *string { return &p.ValidFrom }),
		text("valid_to", func(p *province) *string { return &p.ValidTo }),
	},
})

// lineage's id is the predecessor (one row per VN63 unit); it is not content.
var lineage = define(&table[link]{
	name: "lineage",
	rows: func(b *warehouse.Batch) []link { return b.Lineage },
	cols: []column[link]{
		text("id", func(l *link) *string { return &l.From }).notHashed().notRead(),
		text("from_id", func(l *link) *string { return &l.From }),
		text("to_id", func(l *link) *string { return &l.To }),
	},
})

var groups = define(&table[group]{
	name: "groups",
	rows: func(b *warehouse.Batch) []group { return b.Groups },
	cols: []column[group]{
		text("id", func(g *group) *string { return &g.ID }),
		text("kind", func(g *group) *string { return &g.Kind }),
		text("name", func(g *group) *string { return &g.Name }),
		text("name_vi", func(g *group) *string { return &g.NameVI }),
		text("map", func(g *group) *string { return (*string)(&g.Map) }),
		texts("members", func(g *group) *[]string { return &g.Members }),
		text("source_id", func(g *group) *string { return &g.SourceID }),
		text("note", func(g *group) *string { return &g.Note }),
	},
})

var metrics = define(&table[metric]{
	name: "metrics",
	rows: func(b *warehouse.Batch) []metric { return b.Metrics },
	cols: []column[metric]{
		text("id", func(m *metric) *string { return &m.ID }),
		text("name_en", func(m *metric) *string { return &m.NameEN }),
		text("name_vi", func(m *metric) *string { return &m.NameVI }),
		text("unit", func(m *metric) *string { return &m.Unit }),
		text("kind", func(m *metric) *string { return (*string)(&m.Kind) }),
		text("body", func(m *metric) *string { return &m.Body }),
		text("level", func(m *metric) *string { return &m.Level }),
		text("better", func(m *metric) *string { return (*string)(&m.Better) }),
		text("aggregation", func(m *metric) *string { return (*string)(&m.Aggregation) }),
		text("description", func(m *metric) *string { return &m.Description }),
	},
})

var targets = define(&table[target]{
	name: "targets",
	rows: func(b *warehouse.Batch) []target { return b.Targets },
	cols: []column[target]{
		text("id", func(t *target) *string { return &t.ID }),
		text("metric_id", func(t *target) *string { return &t.MetricID }),
		text("scope", func(t *target) *string { return &t.Scope }),
		number("lower", func(t *target) **float64 { return &t.Lower }),
		number("upper", func(t *target) **float64 { return &t.Upper }),
		boolean("lower_inclusive", func(t *target) *bool { return &t.LowerInclusive }),
		boolean("upper_inclusive", func(t *target) *bool { return &t.UpperInclusive }),
		year("deadline", func(t *target) *int { return &t.Deadline }),
		text("directive", func(t *target) *string { return &t.Directive }),
		text("source_id", func(t *target) *string { return &t.SourceID }),
		text("quote", func(t *target) *string { return &t.Quote }),
		text("note", func(t *target) *string { return &t.Note }),
		texts("applies", func(t *target) *[]string { return &t.Applies }).addedIn(6),
	},
})

// observations is the big table: sorted by (metric_id, period_start, subject_id, id,
// revision), so a file stage compares a part only with the current rows of its metrics and
// years (narrow). Its id is the cell and source (warehouse.ObservationID), not content.
var observations = define(&table[observation]{
	name: "observations",
	rows: func(b *warehouse.Batch) []observation { return b.Observations },
	more: func(b *warehouse.Batch) func(func([]observation) error) error { return b.More },
	prepare: func(o *observation) {
		if o.ID == "" {
			o.ID = warehouse.ObservationID(o.SubjectID, o.MetricID, o.Period.Label, o.SourceID)
		}
	},
	stamp: func(o *observation) (*uint64, *string) { return &o.Revision, &o.LoadID },
	narrow: func(s *scope, obs []observation) {
		last := "" // rows come grouped by metric: one map write per run, not per row
		for i := range obs {
			if m := obs[i].MetricID; m != last {
				s.addMetric(m)
				last = m
			}
			s.addYear(obs[i].Period.Start)
		}
	},
	cols: []column[observation]{
		text("id", func(o *observation) *string { return &o.ID }).notHashed(),
		text("subject_kind", func(o *observation) *string { return &o.SubjectKind }),
		text("subject_id", func(o *observation) *string { return &o.SubjectID }),
		text("metric_id", func(o *observation) *string { return &o.MetricID }),
		text("period_kind", func(o *observation) *string { return (*string)(&o.Period.Kind) }),
		year("period_start", func(o *observation) *int { return &o.Period.Start }),
		year("period_end", func(o *observation) *int { return &o.Period.End }),
		text("period_label", func(o *observation) *string { return &o.Period.Label }),
		number("value", func(o *observation) **float64 { return &o.Value }),
		number("numerator", func(o *observation) **float64 { return &o.Numerator }),
		number("denominator", func(o *observation) **float64 { return &o.Denominator }),
		text("qualifier", func(o *observation) *string { return (*string)(&o.Qualifier) }),
		text("status", func(o *observation) *string { return (*string)(&o.Status) }),
		text("source_id", func(o *observation) *string { return &o.SourceID }),
		text("quote", func(o *observation) *string { return &o.Quote }),
		text("note", func(o *observation) *string { return &o.Note }),
	},
})

// ObservationHash is the content hash stored with an observation.
func ObservationHash(o *warehouse.Observation) uint64 { return observations.hash(o) }

// SourceHash is the content hash stored with a source.
func SourceHash(s *warehouse.Source) uint64 { return sources.hash(s) }
