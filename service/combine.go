package service

import (
	"fmt"

	"github.com/cadrestat/cadrestat/warehouse"
)

// Value is one figure for a unit: either an observation, or a combination of several
// (map projection, benchmarks), or nothing with the reason why.
type Value struct {
	Value       *float64
	Numerator   *float64
	Denominator *float64
	Observation *warehouse.Observation // set when the value is one observation
	Parts       []string               // subjects combined (predecessors, members)
	Missing     []string               // subjects that had no usable value
	Reason      string                 // why Value is nil or what it is made of
}

// Combine merges the values of several subjects by the metric's aggregation rule: counts
// are summed, shares are summed numerators over summed denominators (never an average of
// percentages); anything that cannot be combined gives a nil value and the reason.
func Combine(m *warehouse.Metric, parts map[string]*warehouse.Observation, subjects []string) Value {
	v := Value{Parts: subjects}
	if len(subjects) == 1 {
		if o := parts[subjects[0]]; o != nil {
			return Value{Value: o.Value, Numerator: o.Numerator, Denominator: o.Denominator, Observation: o, Parts: subjects}
		}
		v.Missing = subjects
		v.Reason = "no value"
		return v
	}
	var sum, num, den float64
	for _, id := range subjects {
		o := parts[id]
		if o == nil || o.Value == nil {
			v.Missing = append(v.Missing, id)
			continue
		}
		if o.Qualifier != warehouse.QualExact {
			v.Missing = append(v.Missing, id)
			continue
		}
		sum += *o.Value
		if o.Numerator != nil && o.Denominator != nil {
			num += *o.Numerator
			den += *o.Denominator
		} else if m.Aggregation == "RATIO" {
			v.Missing = append(v.Missing, id)
		}
	}
	switch {
	case m.Aggregation == "NONE":
		v.Reason = fmt.Sprintf("%s cannot be combined across provinces", m.ID)
	case len(v.Missing) > 0:
		what := "a value"
		if m.Aggregation == "RATIO" {
			what = "an exact value with numerator and denominator"
		}
		v.Reason = fmt.Sprintf("%d of %d units lack %s", len(v.Missing), len(subjects), what)
	case m.Aggregation == "RATIO":
		r := 100 * num / den
		v.Value, v.Numerator, v.Denominator = &r, &num, &den
		v.Reason = fmt.Sprintf("summed numerators over summed denominators of %d units", len(subjects))
	default:
		v.Value = &sum
		v.Reason = fmt.Sprintf("sum of %d units", len(subjects))
	}
	return v
}
