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

// Provenance: every observation cites a known source and carries a quote; for documents in
// the seed folder the quote is found verbatim in the cited file.
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
		switch s.Kind {
		case "seed":
			text, err := os.ReadFile(filepath.Join("seeds", s.Location))
			if err != nil {
				t.Fatalf("seed file of %s: %v", s.ID, err)
			}
			if !strings.Contains(string(text), o.Quote) {
				t.Errorf("quote of %s/%s not found verbatim in %s: %q", o.SubjectID, o.MetricID, s.Location, o.Quote)
			}
			seeds++
		case "press", "official":
			if !strings.HasPrefix(o.Quote, "(") {
				t.Errorf("press quote of %s/%s is not marked as a paraphrase: %q", o.SubjectID, o.MetricID, o.Quote)
			}
		}
	}
	if seeds < 40 {
		t.Fatalf("only %d observations cite seed documents", seeds)
	}
}

func TestBoundsAreNotExactValues(t *testing.T) {
	for _, o := range bundle(t).Observations {
		if o.MetricID == "voter_turnout" && (o.Qualifier != warehouse.QualLowerBound || *o.Value != 98.4) {
			t.Fatalf("'trên 98,4%%' must be a lower bound of 98.4: %+v", o)
		}
	}
}

func TestConflictingFiguresAreBothKept(t *testing.T) {
	var vals []float64
	for _, o := range bundle(t).Observations {
		if o.MetricID == "female_na_share" && o.Period.Label == "term:2016-2021" {
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
