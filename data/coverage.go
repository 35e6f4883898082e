package data

import (
	"fmt"
	"sort"
	"strings"

	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/warehouse"
)

// The generated part of docs/coverage.md lies between these markers; everything outside
// them is written by hand (the searches that found nothing) and kept as it is.
const (
	CoverageBegin = "<!-- BEGIN GENERATED: go run ./data/gencoverage (do not edit by hand) -->"
	CoverageEnd   = "<!-- END GENERATED -->"
)

// Whole-bundle counts a floor can be set on (a floor without one counts the provinces of a
// metric × period cell).
const (
	countRows     = "rows"     // published, derived and provisional figures
	countDocs     = "docs"     // distinct documents cited
	countLinked   = "linked"   // PUBLISHED or DERIVED figures citing a page with a URL
	countSlices20 = "slices20" // metric × period cells with 20 or more units on one map
)

// SliceUnits is how many units (provinces of one map) a metric × period cell needs to count
// as a slice that covers the country.
const SliceUnits = 20

// Floors of issues 14 and 27: how much published data the bundle should hold.
var coverageFloors = []struct {
	what   string
	count  string // a whole-bundle count, or "" for the cell of metric and period
	metric string
	period string
	m      warehouse.Map
	need   int
}{
	{"published observations (all metrics)", countRows, "", "", "", 400},
	{"distinct public documents cited", countDocs, "", "", "", 60},
	{"PUBLISHED or DERIVED figures with a public link (issue 27)", countLinked, "", "", "", 650},
	{"metric × period slices with 20 or more units on one map (issue 27)", countSlices20, "", "", "", 8},
	{"female share of the provincial party committee, 2020–2025, VN63 provinces", "", "female_provincial_committee_share", "term:2020-2025", warehouse.VN63, 30},
	{"female share of the provincial party committee, 2015–2020, VN63 provinces", "", "female_provincial_committee_share", "term:2015-2020", warehouse.VN63, 15},
	{"female share of the provincial party committee, 2025–2030, VN34 units", "", "female_provincial_committee_share", "term:2025-2030", warehouse.VN34, 15},
}

// FloorResult is one floor of issues 14 and 27 and what the bundle holds.
type FloorResult struct {
	What      string
	Need, Now int
}

// Floors reports every floor against the bundled data.
func Floors() ([]FloorResult, error) {
	b, probs := ingest.Prepare(Files(), nil)
	if len(probs) > 0 {
		return nil, fmt.Errorf("bundled data does not validate: %v", probs[0])
	}
	_, floors := coverageOf(b)
	return floors, nil
}

// Coverage renders the generated part of docs/coverage.md from the bundled data: floors,
// then metric × period × number of provinces with a published figure, then the metrics
// with none. Synthetic rows never count.
func Coverage() (string, error) {
	b, probs := ingest.Prepare(Files(), nil)
	if len(probs) > 0 {
		return "", fmt.Errorf("bundled data does not validate: %v", probs[0])
	}
	return CoverageOf(b), nil
}

// CoverageOf is Coverage for any batch.
func CoverageOf(b *warehouse.Batch) string {
	doc, _ := coverageOf(b)
	return doc
}

func coverageOf(b *warehouse.Batch) (string, []FloorResult) {
	mapOf := map[string]warehouse.Map{}
	for _, p := range b.Provinces {
		mapOf[p.ID] = p.Map
	}
	kindOf := map[string]string{}
	linkedSource := map[string]bool{}
	for _, s := range b.Sources {
		kindOf[s.ID] = s.Kind
		linkedSource[s.ID] = s.URL != ""
	}
	type cell struct{ metric, period string }
	type count struct {
		vn63, vn63exact, vn34, vn34exact map[string]bool
		national, groups, rows           int
	}
	cells := map[cell]*count{}
	docs := map[string]bool{}
	rows, seedRows, linked := 0, 0, 0
	for i := range b.Observations {
		o := &b.Observations[i]
		if o.Status == warehouse.StatusSynthetic {
			continue
		}
		rows++
		if (o.Status == warehouse.StatusPublished || o.Status == warehouse.StatusDerived) && linkedSource[o.SourceID] {
			linked++
		}
		if kindOf[o.SourceID] == "seed" {
			seedRows++
		}
		docs[o.SourceID] = true
		k := cell{o.MetricID, o.Period.Label}
		c := cells[k]
		if c == nil {
			c = &count{vn63: map[string]bool{}, vn63exact: map[string]bool{}, vn34: map[string]bool{}, vn34exact: map[string]bool{}}
			cells[k] = c
		}
		c.rows++
		exact := o.Qualifier == warehouse.QualExact
		switch o.SubjectKind {
		case warehouse.SubjectNational:
			c.national++
		case warehouse.SubjectGroup:
			c.groups++
		case warehouse.SubjectProvince:
			switch mapOf[o.SubjectID] {
			case warehouse.VN63:
				c.vn63[o.SubjectID] = true
				if exact {
					c.vn63exact[o.SubjectID] = true
				}
			case warehouse.VN34:
				c.vn34[o.SubjectID] = true
				if exact {
					c.vn34exact[o.SubjectID] = true
				}
			}
		}
	}
	var out strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&out, format, a...) }

	w("%d published observations (%d from the seed documents, %d from public pages), citing %d documents; %d targets.\n\n",
		rows, seedRows, rows-seedRows, len(docs), len(b.Targets))
	w("### Floors\n\n| floor | needed | now | |\n|---|---:|---:|---|\n")
	slices20 := 0
	for _, c := range cells {
		if len(c.vn63) >= SliceUnits || len(c.vn34) >= SliceUnits {
			slices20++
		}
	}
	var floors []FloorResult
	for _, f := range coverageFloors {
		now := 0
		switch f.count {
		case countRows:
			now = rows
		case countDocs:
			now = len(docs)
		case countLinked:
			now = linked
		case countSlices20:
			now = slices20
		default:
			if c := cells[cell{f.metric, f.period}]; c != nil {
				if f.m == warehouse.VN34 {
					now = len(c.vn34)
				} else {
					now = len(c.vn63)
				}
			}
		}
		floors = append(floors, FloorResult{What: f.what, Need: f.need, Now: now})
		status := "met"
		if now < f.need {
			status = fmt.Sprintf("**short by %d** (see below)", f.need-now)
		}
		w("| %s | %d | %d | %s |\n", f.what, f.need, now, status)
	}

	cc := Citations(b)
	w("\n### Citation rules\n\n| rule | floor | now |\n|---|---:|---:|\n")
	w("| figures citing a search, tag, topic or aggregator page or a translation | 0 | %d |\n", cc.BarredPages)
	w("| figures whose quote is not in the language of the page (translations) | 0 | %d |\n", cc.TranslatedQuotes)
	w("| Vietnamese sources whose issuer or title is not in Vietnamese | 0 | %d |\n", cc.EnglishIssuers)
	w("| preliminary figures stored as final (PUBLISHED or DERIVED) | 0 | %d |\n", cc.PreliminaryFinal)
	w("| seed-document figures not citing their served link /documents/<id> | 0 | %d |\n", cc.SeedFigures-cc.SeedFiguresServed)
	w("\n### Metric × period\n\nProvinces (VN63) and units (VN34) with at least one published, derived or provisional figure; in brackets those with an exact value (the rest are bounds or approximations). VN: national figures; groups: regions and clusters; rows: all figures of the cell, alternatives included.\n\n")
	w("| metric | period | VN63 provinces | VN34 units | VN | groups | rows |\n|---|---|---:|---:|---:|---:|---:|\n")
	keys := make([]cell, 0, len(cells))
	for k := range cells {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].metric != keys[j].metric {
			return keys[i].metric < keys[j].metric
		}
		return keys[i].period < keys[j].period
	})
	pair := func(all, exact map[string]bool) string {
		if len(all) == 0 {
			return "–"
		}
		return fmt.Sprintf("%d (%d)", len(all), len(exact))
	}
	num := func(n int) string {
		if n == 0 {
			return "–"
		}
		return fmt.Sprint(n)
	}
	for _, k := range keys {
		c := cells[k]
		w("| %s | %s | %s | %s | %s | %s | %d |\n", k.metric, k.period, pair(c.vn63, c.vn63exact), pair(c.vn34, c.vn34exact), num(c.national), num(c.groups), c.rows)
	}

	var none []string
	has := map[string]bool{}
	for k := range cells {
		has[k.metric] = true
	}
	for _, m := range b.Metrics {
		if !has[m.ID] {
			none = append(none, "`"+m.ID+"`")
		}
	}
	sort.Strings(none)
	w("\n### Metrics with no published figure (%d of %d)\n\n", len(none), len(b.Metrics))
	if len(none) == 0 {
		w("None.\n")
	} else {
		w("%s\n", strings.Join(none, ", "))
	}
	return out.String(), floors
}

// ReplaceCoverage puts generated between the markers of doc (appending the markers if doc
// has none) and returns the new document.
func ReplaceCoverage(doc, generated string) string {
	i, j := strings.Index(doc, CoverageBegin), strings.Index(doc, CoverageEnd)
	block := CoverageBegin + "\n" + generated + CoverageEnd
	if i < 0 || j < i {
		return strings.TrimRight(doc, "\n") + "\n\n" + block + "\n"
	}
	return doc[:i] + block + doc[j+len(CoverageEnd):]
}

// GeneratedCoverage returns the generated part of doc, between the markers.
func GeneratedCoverage(doc string) (string, bool) {
	i, j := strings.Index(doc, CoverageBegin), strings.Index(doc, CoverageEnd)
	if i < 0 || j < i {
		return "", false
	}
	return strings.TrimPrefix(doc[i+len(CoverageBegin):j], "\n"), true
}
