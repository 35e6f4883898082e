package data_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/data"
	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/warehouse"
)

func bundle(t *testing.T) *warehouse.Batch {
	b, probs := ingest.Prepare(data.Files(), nil)
	if len(probs) > 0 {
		t.Fatalf("bundled data does not validate: %v", probs)
	}
	return b
}

// seedDirs are the copies of the seed documents a seed quote must be found in: the
// project's own (data/seeds) and, when this checkout sits beside it, the shared originals.
func seedDirs(t *testing.T) []string {
	dirs := []string{"seeds"}
	if st, err := os.Stat(filepath.Join("..", "..", "shared", "seeds")); err == nil && st.IsDir() {
		dirs = append(dirs, filepath.Join("..", "..", "shared", "seeds"))
	}
	return dirs
}

// Provenance: every observation cites a known source and carries a quote; for documents in
// the seed folder the quote is found verbatim in the cited file (in every copy of it).
func TestEveryObservationHasSourceAndVerbatimQuote(t *testing.T) {
	b := bundle(t)
	sources := map[string]warehouse.Source{}
	for _, s := range b.Sources {
		sources[s.ID] = s
	}
	seeds := 0
	for _, o := range b.Observations {
		s, ok := sources[o.SourceID]
		if !ok || o.Quote == "" {
			t.Fatalf("observation %s/%s/%s: source %q, quote %q", o.SubjectID, o.MetricID, o.Period.Label, o.SourceID, o.Quote)
		}
		if o.Status == warehouse.StatusSynthetic {
			t.Fatalf("bundled published data holds a synthetic row: %+v", o)
		}
		if s.Kind != "seed" {
			continue
		}
		for _, dir := range seedDirs(t) {
			text, err := os.ReadFile(filepath.Join(dir, s.Location))
			if err != nil {
				t.Fatalf("seed file of %s: %v", s.ID, err)
			}
			if !strings.Contains(string(text), o.Quote) {
				t.Errorf("quote of %s/%s not found verbatim in %s: %q", o.SubjectID, o.MetricID, filepath.Join(dir, s.Location), o.Quote)
			}
		}
		seeds++
	}
	if seeds < 40 {
		t.Fatalf("only %d observations cite seed documents", seeds)
	}
}

// Every source can be opened: official and press sources by an http(s) URL, with a
// publication date and the date it was read; seed documents at the link the server serves
// them at (/documents/<id>), their file being in the project.
func TestEverySourceCanBeOpened(t *testing.T) {
	for _, s := range bundle(t).Sources {
		switch s.Kind {
		case "seed":
			if _, err := os.Stat(filepath.Join("seeds", s.Location)); err != nil || s.URL != ingest.DocumentPath(s.ID) {
				t.Errorf("seed source %s: location %q (%v), url %q", s.ID, s.Location, err, s.URL)
			}
			if _, ok := data.Document(s.ID); !ok {
				t.Errorf("seed source %s is not served", s.ID)
			}
		case "official", "press":
			if !strings.HasPrefix(s.URL, "https://") && !strings.HasPrefix(s.URL, "http://") || s.Date == "" || s.Retrieved == "" {
				t.Errorf("source %s: url %q, date %q, retrieved %q", s.ID, s.URL, s.Date, s.Retrieved)
			}
		}
	}
}

// Every locator (the quote of a figure from an official or press source, and of a target
// from one) contains the figure as printed: 29,2 or 29.2 for 29.2, 1.967 or 1967 for 1967,
// the count for a share given as numerator and denominator, or the number word (một … mười)
// for a small count.
func TestLocatorsContainTheirFigure(t *testing.T) {
	b := bundle(t)
	kind := map[string]string{}
	for _, s := range b.Sources {
		kind[s.ID] = s.Kind
	}
	locator := func(src string) bool { return kind[src] == "official" || kind[src] == "press" }
	n := 0
	for _, o := range b.Observations {
		if !locator(o.SourceID) {
			continue
		}
		n++
		if !ingest.PrintsOneOf(o.Quote, o.Value, o.Numerator) {
			t.Errorf("%s %s %s (%s): locator %q does not contain the figure %v (numerator %v)", o.SubjectID, o.MetricID, o.Period.Label, o.SourceID, o.Quote, deref(o.Value), deref(o.Numerator))
		}
	}
	for _, tg := range b.Targets {
		if locator(tg.SourceID) && !ingest.PrintsOneOf(tg.Quote, tg.Lower, tg.Upper) {
			t.Errorf("target %s: locator %q does not contain its bound %v–%v", tg.ID, tg.Quote, deref(tg.Lower), deref(tg.Upper))
		}
	}
	if n < 30 {
		t.Fatalf("only %d figures cite official or press sources", n)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestPrintsOneOf(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		text string
		v    *float64
		ok   bool
	}{
		{"cao nhất là Tuyên Quang 29,2%", f(29.2), true},
		{"Tuyên Quang 29,2%", f(29), false},
		{"kết nạp được 1.967 đảng viên", f(1967), true},
		{"Phụ nữ 151 (30.26%)", f(30.26), true},
		{"ĐB là phụ nữ 133 người (tỉ lệ 26,80%)", f(26.8), true},
		{"8/53", f(8), true},
		{"1.441.329 cử tri", f(1441329), true},
		{"có duy nhất một đồng chí", f(1), true},
		{"có 12 đồng chí", f(2), false},
		{"không có cán bộ nữ trong ban thường vụ", f(0), true},
		{"có 0 đại biểu", f(0), true},
		{"có cán bộ nữ trong ban thường vụ", f(0), false},
	} {
		if got := ingest.PrintsOneOf(tc.text, tc.v); got != tc.ok {
			t.Errorf("ingest.PrintsOneOf(%q, %v) = %v", tc.text, *tc.v, got)
		}
	}
}

func TestBoundsAreNotExactValues(t *testing.T) {
	for _, o := range bundle(t).Observations {
		if o.MetricID == "voter_turnout" && o.SourceID == "seed-000" && (o.Qualifier != warehouse.QualLowerBound || *o.Value != 98.4) {
			t.Fatalf("'trên 98,4%%' must be a lower bound of 98.4: %+v", o)
		}
	}
}

func TestConflictingFiguresAreBothKept(t *testing.T) {
	var vals []float64
	for _, o := range bundle(t).Observations {
		if o.SubjectID == warehouse.NationalID && o.MetricID == "female_na_share" && o.Period.Label == "term:2016-2021" {
			vals = append(vals, *o.Value)
		}
	}
	if len(vals) != 2 || vals[0] == vals[1] {
		t.Fatalf("26.72 and 26.8 must both be kept, got %v", vals)
	}
}

func TestTargetsAndGroups(t *testing.T) {
	b := bundle(t)
	if len(b.Targets) < 10 {
		t.Fatalf("%d targets", len(b.Targets))
	}
	for _, tg := range b.Targets {
		if tg.Quote == "" || tg.SourceID == "" || tg.Directive == "" {
			t.Fatalf("target without provenance: %+v", tg)
		}
	}
	for _, g := range b.Groups {
		if g.ID == "cluster5" && len(g.Members) != 11 {
			t.Fatalf("cluster 5 has %d members", len(g.Members))
		}
	}
}
