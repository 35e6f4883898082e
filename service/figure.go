package service

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/cadrestat/cadrestat/warehouse"
)

// Value is one figure for a unit: either an observation, or a combination of several
// (map projection, benchmarks, group and national figures), or nothing with the reason why.
// A figure is never more certain than its parts: its qualifier says whether Value is exact
// or a bound, and its status is the weakest of its parts (see Status).
type Value struct {
	Value       *float64
	Numerator   *float64
	Denominator *float64
	Qualifier   warehouse.Qualifier      // "" without a value
	Observation *warehouse.Observation   // set when the value is one observation
	Units       []string                 // subjects combined (predecessors, members)
	Missing     []string                 // subjects that had no usable value
	Parts       []*warehouse.Observation // the observations the value was built from
	Contested   bool                     // a true tie between sources under the preference rule
	rivals      []*warehouse.Observation // the figures disputing a contested one (see rankInterval)
	Reason      string                   // why Value is nil or what it is made of
}

// single is the figure of one observation.
func single(o *warehouse.Observation, subject, reason string) Value {
	return Value{Value: o.Value, Numerator: o.Numerator, Denominator: o.Denominator, Qualifier: o.Qualifier,
		Observation: o, Units: []string{subject}, Parts: []*warehouse.Observation{o}, Reason: reason}
}

// Combine merges the values of several subjects by the metric's aggregation rule: counts
// are summed, shares are summed numerators over summed denominators (never an average of
// percentages); a bound or an approximation cannot be summed, so any such part, like any
// missing one, gives a nil value and the reason.
func Combine(m *warehouse.Metric, parts map[string]*warehouse.Observation, subjects []string) Value {
	v := Value{Units: subjects}
	if len(subjects) == 1 {
		if o := parts[subjects[0]]; o != nil {
			return single(o, subjects[0], "")
		}
		v.Missing = subjects
		v.Reason = "no value"
		return v
	}
	var sum, num, den float64
	var used []*warehouse.Observation
	for _, id := range subjects {
		o := parts[id]
		if o == nil || o.Value == nil || o.Qualifier != warehouse.QualExact {
			v.Missing = append(v.Missing, id)
			continue
		}
		sum += *o.Value
		if o.Numerator != nil && o.Denominator != nil {
			num += *o.Numerator
			den += *o.Denominator
		} else if m.Aggregation == warehouse.AggRatio {
			v.Missing = append(v.Missing, id)
			continue
		}
		used = append(used, o)
	}
	switch {
	case m.Aggregation == warehouse.AggNone:
		v.Reason = fmt.Sprintf("%s cannot be combined across provinces", m.ID)
	case len(v.Missing) > 0:
		what := "an exact value"
		if m.Aggregation == warehouse.AggRatio {
			what = "an exact value with numerator and denominator"
		}
		v.Reason = fmt.Sprintf("%d of %d units lack %s", len(v.Missing), len(subjects), what)
	case m.Aggregation == warehouse.AggRatio && den == 0:
		v.Reason = "the summed denominators are zero"
	case m.Aggregation == warehouse.AggRatio:
		r := 100 * num / den
		v.Value, v.Numerator, v.Denominator = &r, &num, &den
		v.Reason = fmt.Sprintf("summed numerators over summed denominators of %d units", len(subjects))
	default:
		v.Value = &sum
		v.Reason = fmt.Sprintf("sum of %d units", len(subjects))
	}
	if v.Value != nil {
		v.Qualifier, v.Parts = warehouse.QualExact, used
	}
	return v
}

// Status is the weakest status of the figure's parts: SYNTHETIC if any part is synthetic,
// else PROVISIONAL, else DERIVED, else PUBLISHED; nil without parts. A figure that mixes a
// synthetic part with published ones is synthetic: it is not a published figure.
func (v *Value) Status() *warehouse.Status {
	return weakest(v.Parts)
}

func weakest(parts []*warehouse.Observation) *warehouse.Status {
	var out *warehouse.Status
	for _, o := range parts {
		if out == nil || statusRank[o.Status] > statusRank[*out] {
			s := o.Status
			out = &s
		}
	}
	return out
}

// Exact reports whether the figure is a single number (not a bound or an approximation).
func (v *Value) Exact() bool { return v.Value != nil && v.Qualifier == warehouse.QualExact }

// Display renders the figure as a reader should see it: "22.51", "<10", ">98.4", "≈30";
// "" without a value. A bound is never shown as a bare number. A published figure is shown
// as published; a computed one (a DERIVED observation, or parts combined) to the precision
// its inputs justify: two decimals (39.29, not 39.285714285714285), more only where two
// would show a share's 0 or 100 that it is not (99.996 is not 100).
func (v *Value) Display() string {
	if v.Value == nil {
		return ""
	}
	n := strconv.FormatFloat(*v.Value, 'f', -1, 64)
	if v.computed() {
		n = strconv.FormatFloat(roundShown(*v.Value), 'f', -1, 64)
	}
	switch v.Qualifier {
	case warehouse.QualLowerBound:
		return ">" + n
	case warehouse.QualUpperBound:
		return "<" + n
	case warehouse.QualApproximate:
		return "≈" + n
	}
	return n
}

// computed reports whether the value was computed rather than printed by a source.
func (v *Value) computed() bool {
	return len(v.Parts) != 1 || v.Parts[0].Status == warehouse.StatusDerived
}

// roundShown rounds a computed value to two decimals, or to four where two would reach a
// round end (0 or 100) the value is not at.
func roundShown(x float64) float64 {
	r := math.Round(x*100) / 100
	if (r == 0 && x != 0) || (r == 100 && x != 100) {
		return math.Round(x*1e4) / 1e4
	}
	return r
}

// decimals is how many decimals a value's difference can honestly carry: those of a
// printed figure as written, two for a computed one.
func (v *Value) decimals() int {
	if v.computed() {
		return 2
	}
	return writtenDecimals(*v.Value)
}

// writtenDecimals is how many decimals x has as written: 29.2 → 1, 30 → 0.
func writtenDecimals(x float64) int {
	s := strconv.FormatFloat(x, 'f', -1, 64)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}

// roundTo rounds x to d decimals.
func roundTo(x float64, d int) float64 {
	p := math.Pow10(d)
	return math.Round(x*p) / p
}

// QualifierOrNil is the qualifier for the API (null without a value).
func (v *Value) QualifierOrNil() *warehouse.Qualifier {
	if v.Value == nil {
		return nil
	}
	return &v.Qualifier
}

// Interval is the range a figure's true value lies in: [v, v] for an exact value; a bound
// is open on its other side down to the metric's floor (0 for shares and counts) or up to
// its ceiling (100 for shares); an approximation is taken to the precision it is written
// with (30 → 25–35, 29.2 → 29.15–29.25, 1100 → 1050–1150). The ends are included: a source
// saying "below 10" does not say whether exactly 10 is possible, so 10 stays possible.
type Interval struct{ Lo, Hi float64 }

func interval(m *warehouse.Metric, v *Value) (Interval, bool) {
	if v.Value == nil {
		return Interval{}, false
	}
	x := *v.Value
	floor, ceil := math.Inf(-1), math.Inf(1)
	if m.Kind == warehouse.MetricShare || m.Kind == warehouse.MetricCount {
		floor = 0
	}
	if m.Kind == warehouse.MetricShare {
		ceil = 100
	}
	switch v.Qualifier {
	case warehouse.QualLowerBound:
		return Interval{x, math.Max(x, ceil)}, true
	case warehouse.QualUpperBound:
		return Interval{math.Min(x, floor), x}, true
	case warehouse.QualApproximate:
		h := halfUnit(x)
		return Interval{x - h, x + h}, true
	}
	return Interval{x, x}, true
}

// halfUnit is half a unit of the last significant digit of x as written: 29.2 → 0.05,
// 30 → 5, 1100 → 50, 7 → 0.5.
func halfUnit(x float64) float64 {
	if d := writtenDecimals(x); d > 0 {
		return 0.5 * math.Pow10(-d)
	}
	s := strconv.FormatFloat(math.Abs(x), 'f', -1, 64)
	zeros := 0
	for i := len(s) - 1; i > 0 && s[i] == '0'; i-- {
		zeros++
	}
	return 0.5 * math.Pow10(zeros)
}

// round6 keeps differences readable (29.2 − 20.69 is 8.51, not 8.510000000000002).
func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }
