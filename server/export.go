package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/cadrestat/cadrestat/server/httperr"
	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/warehouse"
)

// Exports serve comparisons, series, tables and observations as CSV, XLSX and Parquet
// (export_sheet.go), each row with a citation column. In CSV, text cells that a spreadsheet
// would run as a formula are neutralised (see text); XLSX and Parquet store text as text.

func buildCompare(svc *service.Service, r *http.Request) (*sheet, error) {
	q := r.URL.Query()
	year, err := strconv.Atoi(q.Get("year"))
	if err != nil && q.Get("period") == "" {
		return nil, badParam("year must be a number")
	}
	version := svc.Catalog().Version
	c, err := svc.Compare(r.Context(), service.CompareArgs{Metric: q.Get("metric"), Year: year, Period: q.Get("period"), Map: mapParam(q.Get("map")),
		Provinces: splitList(q.Get("provinces")), Group: q.Get("group"), IncludeSynthetic: q.Get("includeSynthetic") == "true"})
	if err != nil {
		return nil, err
	}
	year = c.Year
	s := newSheet("compare-"+c.Metric.ID+"-"+strconv.Itoa(year)+"-"+string(c.Map), []column{
		{"rank", colInt}, {"province_id", colText}, {"province", colText}, {"metric", colText}, {"year", colInt}, {"value", colNumber},
		{"numerator", colNumber}, {"denominator", colNumber}, {"unit", colText}, {"change", colNumber}, {"target", colText},
		{"gap_to_target", colNumber}, {"target_status", colText}, {"status", colText}, {"qualifier", colText}, {"display", colText},
		{"rank_best", colInt}, {"rank_worst", colInt}, {"rank_of", colInt}, {"period", colText}, {"change_note", colText}, {"note", colText},
		{"source_url", colText}, {"retrieved", colText}, {"citation", colText}, {"lower", colNumber}, {"upper", colNumber}, {"row_kind", colText},
	}, version, exportQuery(r))
	for _, row := range c.Rows {
		p := figureProvenance(svc, &row.Fig)
		value, lower, upper := figureCells(&row.Fig)
		s.add(optInt(row.Rank), row.Province.ID, row.Province.Name, c.Metric.ID, year, value, optNum(row.Fig.Numerator), optNum(row.Fig.Denominator),
			optText(c.Metric.Unit), optNum(row.Change), optText(targetCell(svc, row.Target)), optNum(row.Gap), optText(string(row.Status)), optText(p.status),
			optText(p.qualifier), optText(row.Fig.Display()), rankEnd(row.RankRange, true), rankEnd(row.RankRange, false), row.RankOf,
			optText(periodLabel(&row.Fig)), optText(row.ChangeNote), optText(row.Fig.Reason), optText(p.url), optText(p.retrieved), optText(p.citation),
			lower, upper, "unit")
		s.cite(svc, &row.Fig)
	}
	// The national figure and the benchmarks (regions, the group) follow the ranked units,
	// marked by row_kind so a SUM over the units leaves them out; they are never ranked.
	benchmark := func(b *service.Benchmark, kind string, target *warehouse.Target) {
		p := figureProvenance(svc, &b.Fig)
		value, lower, upper := figureCells(&b.Fig)
		s.add(nil, b.ID, b.Name, c.Metric.ID, year, value, optNum(b.Fig.Numerator), optNum(b.Fig.Denominator), optText(c.Metric.Unit), nil,
			optText(targetCell(svc, target)), nil, nil, optText(p.status), optText(p.qualifier), optText(b.Fig.Display()), nil, nil, nil,
			optText(periodLabel(&b.Fig)), nil, optText(b.Fig.Reason), optText(p.url), optText(p.retrieved), optText(p.citation), lower, upper, kind)
		s.cite(svc, &b.Fig)
	}
	benchmark(&c.National, "national", c.Target)
	for i := range c.Benchmarks {
		benchmark(&c.Benchmarks[i], "benchmark", nil)
	}
	return s, nil
}

func buildSeries(svc *service.Service, r *http.Request) (*sheet, error) {
	q := r.URL.Query()
	from, err1 := strconv.Atoi(q.Get("from"))
	to, err2 := strconv.Atoi(q.Get("to"))
	if err1 != nil || err2 != nil {
		return nil, badParam("from and to must be years")
	}
	version := svc.Catalog().Version
	// As the GraphQL series: "ALL" among provinces, and group=, expand to their units.
	units, err := svc.SeriesUnits(mapParam(q.Get("map")), splitList(q.Get("provinces")), q.Get("group"))
	if err != nil {
		return nil, err
	}
	series, err := svc.Series(r.Context(), service.SeriesArgs{Metric: q.Get("metric"), Provinces: units, From: from, To: to,
		Map: mapParam(q.Get("map")), IncludeSynthetic: q.Get("includeSynthetic") == "true"})
	if err != nil {
		return nil, err
	}
	s := newSheet("series-"+q.Get("metric"), []column{
		{"province_id", colText}, {"province", colText}, {"metric", colText}, {"year", colInt}, {"value", colNumber}, {"numerator", colNumber},
		{"denominator", colNumber}, {"status", colText}, {"qualifier", colText}, {"display", colText}, {"period", colText}, {"note", colText},
		{"source_url", colText}, {"retrieved", colText}, {"citation", colText}, {"lower", colNumber}, {"upper", colNumber},
	}, version, exportQuery(r))
	for _, se := range series {
		for _, pt := range se.Points {
			pr := figureProvenance(svc, &pt.Fig)
			value, lower, upper := figureCells(&pt.Fig)
			s.add(se.Province.ID, se.Province.Name, q.Get("metric"), pt.Year, value, optNum(pt.Fig.Numerator), optNum(pt.Fig.Denominator),
				optText(pr.status), optText(pr.qualifier), optText(pt.Fig.Display()), optText(pt.Period.Label), optText(pt.Fig.Reason),
				optText(pr.url), optText(pr.retrieved), optText(pr.citation), lower, upper)
			s.cite(svc, &pt.Fig)
		}
	}
	return s, nil
}

// provenance is what an export row says of where its figure comes from.
type provenance struct{ status, qualifier, url, retrieved, citation string }

// figureProvenance gives status, qualifier, source URL, retrieval date and citation of a
// figure; a combined figure cites each observation it was made from (and has no one URL).
func figureProvenance(svc *service.Service, v *service.Value) provenance {
	if o := v.Observation; o != nil {
		p := provenance{status: string(o.Status), qualifier: string(o.Qualifier), citation: svc.Citation(o)}
		if v.Contested {
			p.citation += " [contested: another source gives a different figure]"
		}
		if src := svc.Catalog().Source(o.SourceID); src != nil {
			p.url, p.retrieved = src.URL, src.Retrieved
		}
		return p
	}
	if v.Value == nil {
		return provenance{}
	}
	// A combined figure takes the weakest status of its parts and cites every one of them.
	cites := make([]string, len(v.Parts))
	for i, o := range v.Parts {
		cites[i] = o.SubjectID + ": " + svc.Citation(o)
	}
	return provenance{status: string(deref(v.Status())), qualifier: string(v.Qualifier), citation: v.Reason + " | " + strings.Join(cites, " | ")}
}

func deref[T ~string](s *T) T {
	if s == nil {
		return ""
	}
	return *s
}

// rankEnd is the best or worst rank of a range, nil for an unranked row.
func rankEnd(rr *service.RankRange, best bool) any {
	switch {
	case rr == nil:
		return nil
	case best:
		return rr.Best
	}
	return rr.Worst
}

func periodLabel(v *service.Value) string {
	if p := v.Period(); p != nil {
		return p.Label
	}
	return ""
}

// targetCell describes the row's target: "≥ 15 % by 2020 (directive)", or empty.
func targetCell(svc *service.Service, t *warehouse.Target) string {
	if t == nil {
		return ""
	}
	return svc.TargetLabel(t) + " by " + strconv.Itoa(t.Deadline) + " (" + t.Directive + ")"
}

func exportError(w http.ResponseWriter, err error) {
	code, _ := httperr.Status(err)
	http.Error(w, warehouse.ErrorMessage(err), code)
}

// text neutralises a free-text cell for spreadsheets (CSV formula injection): a cell that
// starts with =, +, -, @, a tab or a carriage return is read by Excel, LibreOffice and
// Google Sheets as a formula (`=HYPERLINK(...)` in a source title, say), so it gets a
// leading apostrophe and is shown as text. Defensively, the same holds after leading
// spaces and for the full-width forms of = + - @.
//
// Only text columns go through it. The numeric columns (rank, year, value, numerator,
// denominator, change, gap_to_target) are written by num and strconv.Itoa, never from
// loaded text, and must stay numbers: a fall of 8.5 is exported as -8.5, not '-8.5.
func text(s string) string {
	t := strings.TrimLeft(s, " ")
	if t == "" {
		return s
	}
	switch t[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	for _, p := range []string{"＝", "＋", "－", "＠"} {
		if strings.HasPrefix(t, p) {
			return "'" + s
		}
	}
	return s
}

func mapParam(s string) warehouse.Map {
	if s == "" {
		return warehouse.VN63
	}
	return warehouse.Map(strings.ToUpper(s))
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// buildTable is table(...): one line per unit, metric and year (the table's rows in order,
// each row's cells in column order), with the citation of every figure.
func buildTable(svc *service.Service, r *http.Request) (*sheet, error) {
	q := r.URL.Query()
	var years []int
	for _, y := range splitList(q.Get("years")) {
		n, err := strconv.Atoi(strings.TrimSpace(y))
		if err != nil {
			return nil, badParam("years must be numbers separated by commas")
		}
		years = append(years, n)
	}
	version := svc.Catalog().Version
	t, err := svc.Table(r.Context(), service.TableArgs{Metrics: splitList(q.Get("metrics")), Years: years, Map: mapParam(q.Get("map")),
		Provinces: splitList(q.Get("provinces")), Group: q.Get("group"), IncludeSynthetic: q.Get("includeSynthetic") == "true"})
	if err != nil {
		return nil, err
	}
	s := newSheet("table-"+string(t.Map), []column{
		{"province_id", colText}, {"province", colText}, {"metric", colText}, {"year", colInt}, {"rank", colInt}, {"rank_best", colInt},
		{"rank_worst", colInt}, {"rank_of", colInt}, {"value", colNumber}, {"numerator", colNumber}, {"denominator", colNumber}, {"unit", colText},
		{"qualifier", colText}, {"display", colText}, {"status", colText}, {"change", colNumber}, {"target", colText}, {"gap_to_target", colNumber},
		{"target_status", colText}, {"period", colText}, {"change_note", colText}, {"note", colText}, {"source_url", colText}, {"retrieved", colText},
		{"citation", colText}, {"lower", colNumber}, {"upper", colNumber},
	}, version, exportQuery(r))
	for _, tr := range t.Rows {
		for i, row := range tr.Cells {
			col := t.Columns[i]
			if row == nil {
				continue
			}
			p := figureProvenance(svc, &row.Fig)
			value, lower, upper := figureCells(&row.Fig)
			s.add(tr.Province.ID, tr.Province.Name, col.Metric.ID, col.Comparison.Year, optInt(row.Rank),
				rankEnd(row.RankRange, true), rankEnd(row.RankRange, false), col.Comparison.RankOf,
				value, optNum(row.Fig.Numerator), optNum(row.Fig.Denominator), optText(col.Metric.Unit), optText(p.qualifier), optText(row.Fig.Display()),
				optText(p.status), optNum(row.Change), optText(targetCell(svc, row.Target)), optNum(row.Gap), optText(string(row.Status)),
				optText(periodLabel(&row.Fig)), optText(row.ChangeNote), optText(row.Fig.Reason), optText(p.url), optText(p.retrieved), optText(p.citation),
				lower, upper)
			s.cite(svc, &row.Fig)
		}
	}
	return s, nil
}
