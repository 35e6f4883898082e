package service

import (
	"math"
	"strconv"

	"github.com/cadrestat/cadrestat/warehouse"
)

// These methods are the GraphQL fields of the service types. They are plain methods (no
// context), so gqlgen calls them inline: resolver fields would each start a goroutine per
// row, which dominated the CPU profile of a 63-row comparison (measured with make bench).

func (r *Row) Value() *float64                     { return r.Fig.Value }
func (r *Row) Numerator() *float64                 { return r.Fig.Numerator }
func (r *Row) Denominator() *float64               { return r.Fig.Denominator }
func (r *Row) Qualifier() *warehouse.Qualifier     { return r.Fig.QualifierOrNil() }
func (r *Row) Display() string                     { return r.Fig.Display() }
func (r *Row) Contested() bool                     { return r.Fig.Contested }
func (r *Row) Figure() *Value                      { return &r.Fig }
func (r *Row) GapToTarget() *float64               { return r.Gap }
func (r *Row) TargetStatus() TargetStatus          { return r.Status }
func (r *Row) Observation() *warehouse.Observation { return r.Fig.Observation }

// PreviousYear is the start year of the figure Change is measured from, if any.
func (r *Row) PreviousYear() *int {
	if r.Previous == nil {
		return nil
	}
	return &r.PrevYear
}

// PreviousFigure is the figure Change is measured from, if any.
func (r *Row) PreviousFigure() *Value { return r.Previous }

func (b *Benchmark) Figure() *Value { return &b.Fig }

func (p *Point) Value() *float64                     { return p.Fig.Value }
func (p *Point) Figure() *Value                      { return &p.Fig }
func (p *Point) Observation() *warehouse.Observation { return p.Fig.Observation }

// Combined lists the units a figure was made from (never null).
func (v *Value) Combined() []string {
	if v.Units == nil {
		return []string{}
	}
	return v.Units
}

// MissingUnits lists the units without a usable value (never null).
func (v *Value) MissingUnits() []string {
	if v.Missing == nil {
		return []string{}
	}
	return v.Missing
}

// Note says how the figure was made, or why it is null.
func (v *Value) Note() string { return v.Reason }

// Period is the period of the figure's observation or first part, if any.
func (v *Value) Period() *warehouse.Period {
	if v.Observation != nil {
		return &v.Observation.Period
	}
	if len(v.Parts) > 0 {
		return &v.Parts[0].Period
	}
	return nil
}

// Low and High are a rate's ends for the API: null when unbounded (a count "over 141,000"
// has no upper end), since JSON has no infinity.
func (r *Rate) Low() *float64  { return finite(r.Lo) }
func (r *Rate) High() *float64 { return finite(r.Hi) }

func finite(x float64) *float64 {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return nil
	}
	return &x
}

// ObservationDisplay is one observation as a reader should see it (see Value.Display).
func ObservationDisplay(o *warehouse.Observation) string {
	v := single(o, o.SubjectID, "")
	return v.Display()
}

// DataVersion is the brief's data version as the API writes versions (Query.dataVersion).
func (b *Brief) DataVersion() string { return strconv.FormatUint(b.Version, 10) }
