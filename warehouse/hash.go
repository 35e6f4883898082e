package warehouse

import (
	"math"
	"strconv"
)

// FNV-1a, 64 bit. The hashes are stored with every row (they decide whether a reloaded row
// changed), so the encoding below must never change without a migration: each field's bytes
// followed by the separator 0x1f; numbers as strconv's shortest 'g' form, absent ones "null".
const (
	fnvOffset64 = 14695981039346656037
	fnvPrime64  = 1099511628211
	fieldSep    = 0x1f
)

// hasher accumulates a content hash without allocating: loads hash every row, and the
// allocating version (hash/fnv plus a formatted string per number) cost ~1 µs a row.
type hasher uint64

func newHasher() hasher { return fnvOffset64 }

func (h *hasher) str(s string)   { feed(h, s) }
func (h *hasher) bytes(b []byte) { feed(h, b) }

// feed adds one field: its bytes, then the separator.
func feed[T string | []byte](h *hasher, s T) {
	x := *h
	for i := 0; i < len(s); i++ {
		x ^= hasher(s[i])
		x *= fnvPrime64
	}
	x ^= fieldSep
	x *= fnvPrime64
	*h = x
}

// num hashes a number as fstr formats it.
func (h *hasher) num(p *float64) {
	if p == nil {
		h.str("null")
		return
	}
	h.float(*p)
}

// int hashes an integer the way the first version did, through float64's 'g' form.
func (h *hasher) int(n int) { h.float(float64(n)) }

// float hashes strconv's shortest 'g' form of v. Whole numbers below 10⁶ print as plain
// integers in that form, which is several times cheaper to produce.
func (h *hasher) float(v float64) {
	var buf [32]byte
	if v == math.Trunc(v) && math.Abs(v) < 1e6 && !(v == 0 && math.Signbit(v)) {
		h.bytes(strconv.AppendInt(buf[:0], int64(v), 10))
		return
	}
	h.bytes(strconv.AppendFloat(buf[:0], v, 'g', -1, 64))
}

// Hash returns a stable 64-bit content hash of fields; equal content, equal hash.
func Hash(fields ...string) uint64 {
	h := newHasher()
	for _, f := range fields {
		h.str(f)
	}
	return uint64(h)
}

// ObservationID is the stable identity of one source's value for one cell.
func ObservationID(subjectID, metricID, periodLabel, sourceID string) string {
	return strconv.FormatUint(observationKey(subjectID, metricID, periodLabel, sourceID), 16)
}

// ObservationKey is ObservationID as a number: ingest detects duplicate cells with it.
func ObservationKey(o *Observation) uint64 {
	return observationKey(o.SubjectID, o.MetricID, o.Period.Label, o.SourceID)
}

func observationKey(subjectID, metricID, periodLabel, sourceID string) uint64 {
	h := newHasher()
	h.str(subjectID)
	h.str(metricID)
	h.str(periodLabel)
	h.str(sourceID)
	return uint64(h)
}

// ObservationHash covers every content field of an observation.
func ObservationHash(o *Observation) uint64 {
	h := newHasher()
	h.str(o.SubjectKind)
	h.str(o.SubjectID)
	h.str(o.MetricID)
	h.str(o.Period.Kind)
	h.int(o.Period.Start)
	h.int(o.Period.End)
	h.str(o.Period.Label)
	h.num(o.Value)
	h.num(o.Numerator)
	h.num(o.Denominator)
	h.str(o.Qualifier)
	h.str(o.Status)
	h.str(o.SourceID)
	h.str(o.Quote)
	h.str(o.Note)
	return uint64(h)
}

func fstr(p *float64) string {
	if p == nil {
		return "null"
	}
	return strconv.FormatFloat(*p, 'g', -1, 64)
}
