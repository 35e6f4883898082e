package data_test

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/data"
	"github.com/cadrestat/cadrestat/warehouse"
)

// The citation floors of issue 27: no figure cites a search, tag, topic or aggregator page
// or a translation; no quote is a translation; every Vietnamese source names its issuer and
// title in Vietnamese; no preliminary figure is stored as final; every seed figure cites
// the served document.
func TestCitationFloors(t *testing.T) {
	c := data.Citations(bundle(t))
	if c.BarredPages != 0 || c.TranslatedQuotes != 0 || c.EnglishIssuers != 0 || c.PreliminaryFinal != 0 {
		t.Errorf("citation rules broken: %+v", c)
	}
	if c.SeedFigures < 40 || c.SeedFiguresServed != c.SeedFigures {
		t.Errorf("seed figures %d, citing /documents/<id> %d", c.SeedFigures, c.SeedFiguresServed)
	}
}

// Every bundled sources file says how precise each date is (date_precision), and a
// preliminary figure's note says when the count was taken.
func TestDatePrecisionAndPreliminaryTimes(t *testing.T) {
	for _, f := range data.Files() {
		if !strings.Contains(f.Name, "/sources") {
			continue
		}
		header, err := csv.NewReader(strings.NewReader(string(f.Data))).Read()
		if err != nil || !strings.Contains(strings.Join(header, ","), "date_precision") {
			t.Errorf("%s: no date_precision column (%v)", f.Name, err)
		}
	}
	for _, o := range bundle(t).Observations {
		n := strings.ToLower(o.Note)
		if o.Status == warehouse.StatusProvisional && strings.Contains(n, "preliminary") &&
			!strings.Contains(n, ":00") && !strings.Contains(n, "hour not printed") {
			t.Errorf("%s %s %s: a preliminary figure's note gives the hour of the count (or says it is not printed): %q", o.SubjectID, o.MetricID, o.Period.Label, o.Note)
		}
	}
}
