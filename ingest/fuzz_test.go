package ingest

import (
	"math"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
)

// FuzzParsePeriod: any text either parses to a period within 1945–2100 whose start is not
// after its end, or is refused with a reason; it never panics.
func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"2020", "term:2020-2025", "range:2015-2021", "asof:2023-12-10", "2020-2025", "term:2025-2020", "asof:2023-13-01", "", "９９９９"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, why := ParsePeriod(s)
		if why != "" {
			return
		}
		if p.Start < MinYear || p.End > MaxYear || p.Start > p.End || p.Label == "" {
			t.Fatalf("%q parsed to %+v", s, p)
		}
	})
}

// FuzzPrepareObservationRow: any observation row is either refused with problems or
// accepted only if it keeps the rules a reader relies on: finite normal numbers, whole
// counts, no NUL bytes.
func FuzzPrepareObservationRow(f *testing.F) {
	for _, row := range []string{
		"VN63-92,female_share,2020,20,,,,PUBLISHED,src,q,",
		"VN63-92,female_share,term:2020-2025,,8,53,,PUBLISHED,src,q,",
		"group:cluster5,staff_cut,range:2015-2021,4085,,,,PUBLISHED,src,q,",
		`VN,staff_cut,2020,"1,5",,,,PUBLISHED,src,q,`,
		"VN63-92,female_share,2020,NaN,,,,PUBLISHED,src,q,",
		"VN63-92,female_share,2020,1e309,,,,PUBLISHED,src,q,",
		"\"unterminated,",
		"VN63-92,staff_cut,2020,1_000,,,,PUBLISHED,src,q,",
		"VN63-92,staff_cut,2020,0x1p3,,,,PUBLISHED,src,q,",
		"VN63-92,female_share,2020,1e-400,,,,PUBLISHED,src,q,",
		"VN63-92,staff_cut,2020,2.5,,,,PUBLISHED,src,q,",
		"VN63-92,staff_cut,asof:2023-02-31,5,,,,PUBLISHED,src,q,",
		"VN63-92,staff_cut,2020,5,,,,PUBLISHED,src,\"q\x00\",",
	} {
		f.Add(row)
	}
	cat := catalog()
	f.Fuzz(func(t *testing.T, row string) {
		b, probs := Prepare([]File{{Name: "f.csv", Data: []byte(obsHeader + row + "\n")}}, cat)
		if b == nil {
			if len(probs) == 0 {
				t.Fatal("refused without a reason")
			}
			return
		}
		for _, o := range b.Observations {
			m := cat.Metric(o.MetricID)
			if o.Value == nil || o.SourceID == "" || (o.Status != warehouse.StatusSynthetic && o.Quote == "") {
				t.Fatalf("accepted %q as %+v", row, o)
			}
			if m.Kind == warehouse.MetricShare && (*o.Value < 0 || *o.Value > 100) {
				t.Fatalf("accepted share %v", *o.Value)
			}
			if o.Numerator != nil && o.Denominator != nil && m.Kind == warehouse.MetricShare && *o.Numerator > *o.Denominator {
				t.Fatalf("accepted numerator > denominator: %q", row)
			}
			for _, v := range []*float64{o.Value, o.Numerator, o.Denominator} {
				if v != nil && (math.IsNaN(*v) || math.IsInf(*v, 0) || (*v != 0 && math.Abs(*v) < 0x1p-1022)) {
					t.Fatalf("accepted %v from %q", *v, row)
				}
			}
			whole := func(v *float64) bool { return v == nil || *v == math.Trunc(*v) }
			if (m.Kind == warehouse.MetricCount && !whole(o.Value)) || !whole(o.Numerator) || !whole(o.Denominator) {
				t.Fatalf("accepted a fractional count from %q", row)
			}
			if strings.ContainsRune(o.SubjectID+o.MetricID+o.Period.Label+o.SourceID+o.Quote+o.Note, 0) {
				t.Fatalf("accepted a NUL byte from %q", row)
			}
		}
	})
}
