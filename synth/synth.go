// Package synth makes deterministic synthetic observations for demos and benchmarks: every
// province of the map in force each year, every metric, marked SYNTHETIC and citing the
// "synthetic" source, so they are never mistaken for published figures.
package synth

import (
	"encoding/csv"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/cadrestat/cadrestat/warehouse"
)

// SourceID is the source every synthetic row cites.
const SourceID = "synthetic"

// Options choose what to generate.
type Options struct {
	Seed     uint64
	From, To int // years, inclusive
	// Replicas > 1 repeats each cell under distinct sources synthetic, synthetic-2, … to
	// reach benchmark scales (M, L) with the same provinces and years.
	Replicas int
}

// Generate returns the synthetic observations for the catalogue's provinces and metrics:
// VN63 units for years before 2025 and VN34 units from 2025 on.
func Generate(cat *warehouse.Catalog, o Options) []warehouse.Observation {
	var out []warehouse.Observation
	Each(cat, o, func(ob warehouse.Observation) { out = append(out, ob) })
	return out
}

// Each calls fn with every observation Generate returns, in the same order, without holding
// them (scale L is ten million rows).
func Each(cat *warehouse.Catalog, o Options, fn func(warehouse.Observation)) {
	reps := max(o.Replicas, 1)
	for year := o.From; year <= o.To; year++ {
		for _, p := range cat.ProvincesOn(warehouse.MapInForce(year)) {
			for _, met := range cat.Metrics {
				for r := 0; r < reps; r++ {
					src := SourceID
					if r > 0 {
						src = SourceID + "-" + strconv.Itoa(r+1)
					}
					fn(one(o.Seed, p, &met, year, src))
				}
			}
		}
	}
}

func one(seed uint64, p *warehouse.Province, m *warehouse.Metric, year int, src string) warehouse.Observation {
	h := fnv.New64a()
	h.Write([]byte(p.ID + "|" + m.ID + "|" + src))
	base := rand.New(rand.NewPCG(seed, h.Sum64()))            // the cell's level, stable across years
	yr := rand.New(rand.NewPCG(seed^uint64(year), h.Sum64())) // this year's noise
	o := warehouse.Observation{SubjectKind: warehouse.SubjectProvince, SubjectID: p.ID, MetricID: m.ID,
		Period:    warehouse.Period{Kind: warehouse.PeriodYear, Start: year, End: year, Label: strconv.Itoa(year)},
		Qualifier: warehouse.QualExact, Status: warehouse.StatusSynthetic, SourceID: src, Note: "synthetic (seed " + strconv.FormatUint(seed, 10) + ")"}
	t := float64(year - 2010)
	switch m.Kind {
	case warehouse.MetricShare:
		den := float64(40 + base.IntN(40))
		share := (0.08 + 0.15*base.Float64()) + 0.004*t + 0.02*(yr.Float64()-0.5)
		num := math.Round(den * math.Min(math.Max(share, 0), 1))
		v := math.Round(10000*num/den) / 100
		o.Numerator, o.Denominator, o.Value = &num, &den, &v
	case warehouse.MetricCount:
		v := math.Round(float64(20+base.IntN(500)) * (1 + 0.02*t) * (0.9 + 0.2*yr.Float64()))
		o.Value = &v
	default:
		v := math.Round(100*(70+60*base.Float64()+10*(yr.Float64()-0.5))) / 100
		o.Value = &v
	}
	return o
}

// WriteCSV writes observations in the ingest format (docs/data-format.md).
func WriteCSV(w io.Writer, obs []warehouse.Observation) error {
	cw := NewCSVWriter(w)
	for _, o := range obs {
		cw.Write(o)
	}
	return cw.Flush()
}

// CSVWriter writes observations in the ingest format one at a time.
type CSVWriter struct {
	cw     *csv.Writer
	fields []string
}

// NewCSVWriter writes the header and returns a writer for the rows.
func NewCSVWriter(w io.Writer) *CSVWriter {
	cw := csv.NewWriter(w)
	cw.Write([]string{"subject", "metric", "period", "value", "numerator", "denominator", "qualifier", "status", "source", "quote", "note"})
	return &CSVWriter{cw: cw, fields: make([]string, 11)}
}

func (c *CSVWriter) Write(o warehouse.Observation) {
	f := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', -1, 64)
	}
	subj := o.SubjectID
	if o.SubjectKind == warehouse.SubjectGroup {
		subj = "group:" + subj
	}
	c.fields = append(c.fields[:0], subj, o.MetricID, o.Period.Label, f(o.Value), f(o.Numerator), f(o.Denominator), string(o.Qualifier), string(o.Status), o.SourceID, o.Quote, o.Note)
	c.cw.Write(c.fields)
}

// Flush writes what is buffered and reports the first error.
func (c *CSVWriter) Flush() error {
	c.cw.Flush()
	return c.cw.Error()
}
