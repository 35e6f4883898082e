package data

import (
	"strings"

	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/warehouse"
)

// CitationCounts are the citation rules' floors over a batch (each should be 0 but the
// seed-document count): what docs/coverage.md reports and the data tests require.
type CitationCounts struct {
	BarredPages       int // figures citing a search, tag, topic or aggregator page or a translation
	TranslatedQuotes  int // figures whose quote is not in the language of the page cited
	EnglishIssuers    int // Vietnamese sources whose issuer or title is not in Vietnamese
	PreliminaryFinal  int // figures whose note says preliminary but whose status is final
	SeedFigures       int // figures citing a seed document
	SeedFiguresServed int // of those, citing the served link /documents/<id>
}

// Citations counts the citation rules' breaches in b.
func Citations(b *warehouse.Batch) CitationCounts {
	var c CitationCounts
	src := map[string]*warehouse.Source{}
	for i := range b.Sources {
		s := &b.Sources[i]
		src[s.ID] = s
		if s.Kind != "synthetic" && (ingest.NameLanguageProblem(s.Language, s.Issuer) != "" || ingest.NameLanguageProblem(s.Language, s.Title) != "") {
			c.EnglishIssuers++
		}
	}
	for i := range b.Observations {
		o := &b.Observations[i]
		s := src[o.SourceID]
		if s == nil || o.Status == warehouse.StatusSynthetic {
			continue
		}
		switch s.Kind {
		case "official", "press":
			if ingest.Barred(s.URL) != nil {
				c.BarredPages++
			}
			if s.Language != "vi" || ingest.QuoteLanguageProblem(s.Language, o.Quote) != "" {
				c.TranslatedQuotes++
			}
		case "seed":
			c.SeedFigures++
			if s.URL == ingest.DocumentPath(s.ID) {
				c.SeedFiguresServed++
			}
		}
		if strings.Contains(strings.ToLower(o.Note), "preliminary") && o.Status != warehouse.StatusProvisional {
			c.PreliminaryFinal++
		}
	}
	return c
}
