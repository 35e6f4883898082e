package chsql

import (
	"strconv"

	"github.com/cadrestat/cadrestat/warehouse"
)

// ObservationHash covers every content field of an observation.
func ObservationHash(o *warehouse.Observation) uint64 {
	h := warehouse.NewHasher()
	h.String(o.SubjectKind)
	h.String(o.SubjectID)
	h.String(o.MetricID)
	h.String(o.Period.Kind)
	h.Int(o.Period.Start)
	h.Int(o.Period.End)
	h.String(o.Period.Label)
	h.Number(o.Value)
	h.Number(o.Numerator)
	h.Number(o.Denominator)
	h.String(o.Qualifier)
	h.String(o.Status)
	h.String(o.SourceID)
	h.String(o.Quote)
	h.String(o.Note)
	return h.Sum64()
}

func fstr(p *float64) string {
	if p == nil {
		return "null"
	}
	return strconv.FormatFloat(*p, 'g', -1, 64)
}
