package ingest

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/cadrestat/cadrestat/warehouse"
)

// Years outside this range are refused as typos.
const (
	MinYear = 1945
	MaxYear = 2100
)

var (
	yearRE = regexp.MustCompile(`^(\d{4})$`)
	spanRE = regexp.MustCompile(`^(term|range):(\d{4})-(\d{4})$`)
	asOfRE = regexp.MustCompile(`^asof:(\d{4})-(\d{2})-(\d{2})$`)
)

// ParsePeriod reads a period: "2020" (a year), "term:2020-2025" (a term, compared on its
// start year), "range:2015-2021" (a cumulative range) or "asof:2023-12-10" (a date).
func ParsePeriod(s string) (warehouse.Period, string) {
	s = strings.TrimSpace(s)
	inRange := func(y int) bool { return y >= MinYear && y <= MaxYear }
	if y, ok := plainYear(s); ok && inRange(y) { // the common case, without a regexp
		return warehouse.Period{Kind: warehouse.PeriodYear, Start: y, End: y, Label: s}, ""
	}
	if m := yearRE.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		if !inRange(y) {
			return warehouse.Period{}, "year " + m[1] + " is outside 1945–2100"
		}
		return warehouse.Period{Kind: warehouse.PeriodYear, Start: y, End: y, Label: s}, ""
	}
	if m := spanRE.FindStringSubmatch(s); m != nil {
		a, _ := strconv.Atoi(m[2])
		b, _ := strconv.Atoi(m[3])
		if !inRange(a) || !inRange(b) {
			return warehouse.Period{}, "years are outside 1945–2100"
		}
		if b < a {
			return warehouse.Period{}, "ends before it starts"
		}
		return warehouse.Period{Kind: warehouse.PeriodKind(strings.ToUpper(m[1])), Start: a, End: b, Label: s}, ""
	}
	if m := asOfRE.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		if !inRange(y) || !validDate("2006-01-02", s[len("asof:"):]) { // 2023-02-31 is no date
			return warehouse.Period{}, "is not a valid date"
		}
		return warehouse.Period{Kind: warehouse.PeriodAsOf, Start: y, End: y, Label: s}, ""
	}
	return warehouse.Period{}, `must be a year (2020), term:2020-2025, range:2015-2021 or asof:2023-12-10`
}

// Observation columns, by position in columns[FileObservations].all.
const (
	oSubject = iota
	oMetric
	oPeriod
	oValue
	oNumerator
	oDenominator
	oQualifier
	oStatus
	oSource
	oQuote
	oNote
	nObsCols
)

// obsFields reads an observation record's fields once, trimmed, by position: looking each
// name up per row was a tenth of a big load's Go time.
func obsFields(r record, layout *[nObsCols]int) (f [nObsCols]string) {
	for i, j := range layout {
		if j >= 0 {
			f[i] = strings.TrimSpace(r.vals[j])
		}
	}
	return f
}

// obsLayout maps the observation columns to positions in cols (-1: absent).
func obsLayout(cols []string) *[nObsCols]int {
	var l [nObsCols]int
	for i, name := range columns[FileObservations].all {
		l[i] = slices.Index(cols, name)
	}
	return &l
}

// observation converts one record; required fields are checked first, each reported.
func (c *converter) observation(r record, f *[nObsCols]string) (warehouse.Observation, bool) {
	ok := true
	for _, i := range []int{oSubject, oMetric, oPeriod, oStatus, oSource} {
		if f[i] == "" {
			c.bad(r, columns[FileObservations].all[i], "is required")
			ok = false
		}
	}
	if !ok || !c.text(r, "quote", f[oQuote], quoteText) || !c.text(r, "note", f[oNote], noteText) {
		return warehouse.Observation{}, false
	}
	o := warehouse.Observation{MetricID: f[oMetric], SourceID: f[oSource], Quote: f[oQuote], Note: f[oNote],
		Status: warehouse.Status(strings.ToUpper(f[oStatus])), Qualifier: warehouse.Qualifier(strings.ToUpper(f[oQualifier]))}
	subj := f[oSubject]
	switch {
	case subj == warehouse.NationalID:
		o.SubjectKind, o.SubjectID = warehouse.SubjectNational, subj
	case strings.HasPrefix(subj, "group:") && len(subj) > len("group:"):
		o.SubjectKind, o.SubjectID = warehouse.SubjectGroup, subj[len("group:"):]
		if !c.refs.groups[o.SubjectID] {
			c.bad(r, "subject", "unknown group %q", o.SubjectID)
			return o, false
		}
	case c.refs.provinces[subj]:
		o.SubjectKind, o.SubjectID = warehouse.SubjectProvince, subj
	default:
		c.bad(r, "subject", "unknown province %q (use an ID such as VN63-92, group:<id> or VN)", subj)
		return o, false
	}
	m, srcKind, ok := c.references(r, &o)
	if !ok {
		return o, false
	}
	per, why := ParsePeriod(f[oPeriod])
	if why != "" {
		c.bad(r, "period", "%q %s", f[oPeriod], why)
		return o, false
	}
	o.Period = per
	if !c.marks(r, &o, srcKind, f[oQualifier], f[oStatus]) {
		return o, false
	}
	var ok1, ok2, ok3 bool
	o.Value, ok1 = c.numberText(r, "value", f[oValue])
	o.Numerator, ok2 = c.numberText(r, "numerator", f[oNumerator])
	o.Denominator, ok3 = c.numberText(r, "denominator", f[oDenominator])
	if !ok1 || !ok2 || !ok3 {
		return o, false
	}
	if !c.checkValues(r, m, &o) {
		return o, false
	}
	return o, c.quoteRules(r, "quote", o.SourceID, o.Quote, o.Value, o.Numerator)
}

// references checks the metric and the source an observation cites and returns them.
func (c *converter) references(r record, o *warehouse.Observation) (*warehouse.Metric, string, bool) {
	m := c.refs.metrics[o.MetricID]
	if m == nil {
		c.bad(r, "metric", "unknown metric %q", o.MetricID)
		return nil, "", false
	}
	srcKind, ok := c.refs.sources[o.SourceID]
	if !ok {
		c.bad(r, "source", "unknown source %q", o.SourceID)
		return nil, "", false
	}
	return m, srcKind, true
}

// marks checks an observation's qualifier (EXACT when empty), its status and its quote;
// qualifier and status are the values as given, for the messages.
func (c *converter) marks(r record, o *warehouse.Observation, srcKind, qualifier, status string) bool {
	if o.Qualifier == "" {
		o.Qualifier = warehouse.QualExact
	}
	if !oneOf(o.Qualifier, warehouse.QualExact, warehouse.QualLowerBound, warehouse.QualUpperBound, warehouse.QualApproximate) {
		c.bad(r, "qualifier", "must be EXACT, LOWER_BOUND, UPPER_BOUND or APPROXIMATE, not %q", qualifier)
		return false
	}
	if !oneOf(o.Status, warehouse.StatusPublished, warehouse.StatusDerived, warehouse.StatusProvisional, warehouse.StatusSynthetic) {
		c.bad(r, "status", "must be PUBLISHED, DERIVED, PROVISIONAL or SYNTHETIC, not %q", status)
		return false
	}
	if o.Status != warehouse.StatusSynthetic && o.Quote == "" {
		c.bad(r, "quote", "a non-synthetic figure needs the quoted passage it comes from")
		return false
	}
	return c.locator(r, "quote", srcKind, o.Quote)
}

// checkValues enforces the arithmetic a reader relies on: shares within 0–100, parts not
// larger than wholes, and a value that agrees with its numerator and denominator. Counts
// are whole numbers: a COUNT metric's value, and every numerator and denominator.
func (c *converter) checkValues(r record, m *warehouse.Metric, o *warehouse.Observation) bool {
	for _, f := range []struct {
		name string
		v    *float64
	}{{"numerator", o.Numerator}, {"denominator", o.Denominator}} {
		if f.v != nil && *f.v < 0 {
			c.bad(r, f.name, "must not be negative")
			return false
		}
		if f.v != nil && *f.v != math.Trunc(*f.v) { // they count people or posts
			c.bad(r, f.name, "must be a whole number (a count), not %g", *f.v)
			return false
		}
	}
	if o.Denominator != nil && *o.Denominator == 0 {
		c.bad(r, "denominator", "must not be zero")
		return false
	}
	if o.Numerator != nil && o.Denominator != nil && *o.Numerator > *o.Denominator && m.Kind == warehouse.MetricShare {
		c.bad(r, "numerator", "%g is larger than the denominator %g", *o.Numerator, *o.Denominator)
		return false
	}
	if o.Value == nil && o.Numerator != nil && o.Denominator != nil && m.Kind == warehouse.MetricShare {
		v := 100 * *o.Numerator / *o.Denominator
		o.Value = &v
	}
	if o.Value == nil {
		c.bad(r, "value", "is required (or give numerator and denominator for a share)")
		return false
	}
	if m.Kind == warehouse.MetricShare {
		if *o.Value < 0 || *o.Value > 100 {
			c.bad(r, "value", "share %g is outside 0–100", *o.Value)
			return false
		}
		if o.Numerator != nil && o.Denominator != nil {
			if want := 100 * *o.Numerator / *o.Denominator; math.Abs(want-*o.Value) > 0.5 {
				c.bad(r, "value", "%g does not match numerator/denominator (%.2f%%)", *o.Value, want)
				return false
			}
		}
	}
	if m.Kind == warehouse.MetricCount && *o.Value < 0 {
		c.bad(r, "value", "a count must not be negative")
		return false
	}
	if m.Kind == warehouse.MetricCount && *o.Value != math.Trunc(*o.Value) {
		c.bad(r, "value", "a count must be a whole number, not %g", *o.Value)
		return false
	}
	return true
}

// plainYear reads a four-digit year.
func plainYear(s string) (int, bool) {
	if len(s) != 4 {
		return 0, false
	}
	y := 0
	for i := 0; i < 4; i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		y = y*10 + int(s[i]-'0')
	}
	return y, true
}
