package data_test

import (
	"github.com/cadrestat/cadrestat/data"
	"regexp"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
)

// A share derived from two rows says so in its note ("numerator M from S; denominator M2
// from S2") and both rows exist with the counts the share uses, so a reader can open the
// page of each part.
var partsRE = regexp.MustCompile(`numerator ([a-z_]+) from ([a-z0-9-]+); denominator ([a-z_]+) from ([a-z0-9-]+)`)

func TestDerivedSharesCiteBothParts(t *testing.T) {
	b := bundle(t)
	type key struct{ subject, metric, period, source string }
	value := map[key]float64{}
	for _, o := range b.Observations {
		if o.Value != nil {
			value[key{o.SubjectID, o.MetricID, o.Period.Label, o.SourceID}] = *o.Value
		}
	}
	n := 0
	for _, o := range b.Observations {
		if !strings.Contains(o.Note, "share computed from two rows") {
			continue
		}
		n++
		m := partsRE.FindStringSubmatch(o.Note)
		if o.Status != warehouse.StatusDerived || m == nil || o.Numerator == nil || o.Denominator == nil {
			t.Errorf("%s %s %s: a share from two rows is DERIVED, has numerator and denominator and names both parts: %q", o.SubjectID, o.MetricID, o.Period.Label, o.Note)
			continue
		}
		if m[2] != o.SourceID {
			t.Errorf("%s %s: the row cites %s, its numerator's source is %s", o.SubjectID, o.MetricID, o.SourceID, m[2])
		}
		for _, p := range []struct {
			metric, source string
			want           float64
		}{{m[1], m[2], *o.Numerator}, {m[3], m[4], *o.Denominator}} {
			got, ok := value[key{o.SubjectID, p.metric, o.Period.Label, p.source}]
			if !ok || got != p.want {
				t.Errorf("%s %s %s: part %s from %s is %v (found %v), the share uses %v", o.SubjectID, o.MetricID, o.Period.Label, p.metric, p.source, got, ok, p.want)
			}
		}
	}
	if n < 5 { // the bundle holds 8 (ethnic-minority shares of 2021 seats fixed by Nghị quyết 64)
		t.Fatalf("only %d shares derived from two rows", n)
	}
}

// Seats are recorded as deputies elected only where every seat was filled: in 2021 one
// winner in Bình Dương was not confirmed (499 of 500), so Bình Dương has no seat-based row.
func TestSeatsAreDeputiesOnlyWhereAllWereFilled(t *testing.T) {
	for _, o := range bundle(t).Observations {
		if o.MetricID == "na_deputies_elected" && o.Period.Label == "term:2021-2026" && o.SubjectID == "VN63-74" {
			t.Fatalf("Bình Dương 2021 elected 10 of 11 seats; no page prints 10, so it has no row: %+v", o)
		}
		if o.MetricID == "na_deputies_elected" && strings.Contains(o.Note, "seats fixed by") && o.Status != warehouse.StatusDerived {
			t.Errorf("%s %s: a seat count read as deputies elected is DERIVED, not %s", o.SubjectID, o.Period.Label, o.Status)
		}
	}
}

// pendingFloors are the floors not yet met, each with why; every other floor must hold. A
// pending floor that is met fails too, so its entry is removed and the floor is enforced
// from then on.
var pendingFloors = map[string]string{
	"PUBLISHED or DERIVED figures with a public link (issue 27)":                "the stored pages keep the first ~2,000 characters of each page: Nghị quyết 64's full list of 2021 seats and the women's roundups cannot be read; the planned allocation of 2021 is its own metric, not deputies elected; see docs/coverage.md",
	"female share of the provincial party committee, 2020–2025, VN63 provinces": "retired by issue 27: the pages print 7 of 63",
	"metric × period slices with 20 or more units on one map (issue 27)":        "7 of 8: the 2021 seats fixed by Nghị quyết 64 are readable for 12 provinces only (the stored pages are cut at ~2,000 characters), and the planned allocation of Nghị quyết 1185 is not taken for deputies elected (it is na_seats_planned); see docs/coverage.md",
	"female share of the provincial party committee, 2025–2030, VN34 units":     "the pages print the committees' sizes, rarely their women; see docs/coverage.md",
}

func TestFloors(t *testing.T) {
	floors, err := data.Floors()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range floors {
		seen[f.What] = true
		why, pending := pendingFloors[f.What]
		switch {
		case f.Now < f.Need && !pending:
			t.Errorf("floor %q: %d of %d", f.What, f.Now, f.Need)
		case f.Now >= f.Need && pending:
			t.Errorf("floor %q is met (%d of %d): remove it from pendingFloors so it is enforced", f.What, f.Now, f.Need)
		case pending:
			t.Logf("floor %q pending, %d of %d: %s", f.What, f.Now, f.Need, why)
		}
	}
	for what := range pendingFloors {
		if !seen[what] {
			t.Errorf("pendingFloors names %q, which is not a floor", what)
		}
	}
}
