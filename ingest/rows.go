package ingest

import (
	"math"

	"github.com/cadrestat/cadrestat/warehouse"
)

// Rows a program built (File.Rows: serve's synthetic data) join a load without a text form,
// so nothing is printed only to be parsed again. They get every check a parsed row gets
// except those of the text itself (required columns, number syntax): the subject, metric and
// source must exist, in the catalogue or in the same load; the period must be the one its
// label reads as; qualifier, status, quote and note are checked as for any row (text.go's
// bounds too), numbers must be finite, and checkValues' arithmetic holds; a duplicate of
// any row of the load is refused. A problem names the file and the row's position (line =
// index + 1). Generated rows are right by construction, and these checks keep a bug in a
// generator from loading.

// built checks one observation of File.Rows.
func (c *converter) built(r record, o warehouse.Observation) (warehouse.Observation, bool) {
	switch {
	case o.SubjectKind == warehouse.SubjectNational && o.SubjectID == warehouse.NationalID:
	case o.SubjectKind == warehouse.SubjectGroup && c.refs.groups[o.SubjectID]:
	case o.SubjectKind == warehouse.SubjectProvince && c.refs.provinces[o.SubjectID]:
	default:
		c.bad(r, "subject", "unknown %s %q", o.SubjectKind, o.SubjectID)
		return o, false
	}
	m, srcKind, ok := c.references(r, &o)
	if !ok {
		return o, false
	}
	if per, why := ParsePeriod(o.Period.Label); why != "" || per != o.Period {
		c.bad(r, "period", "%+v is not the period its label %q reads as", o.Period, o.Period.Label)
		return o, false
	}
	if !c.marks(r, &o, srcKind, string(o.Qualifier), string(o.Status)) ||
		!c.text(r, "quote", o.Quote, quoteText) || !c.text(r, "note", o.Note, noteText) {
		return o, false
	}
	for _, n := range []struct {
		name string
		v    *float64
	}{{"value", o.Value}, {"numerator", o.Numerator}, {"denominator", o.Denominator}} {
		if n.v != nil && (math.IsNaN(*n.v) || math.IsInf(*n.v, 0)) {
			c.bad(r, n.name, "%g is not a finite number", *n.v)
			return o, false
		}
	}
	return o, c.checkValues(r, m, &o)
}
