package server

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"

	"github.com/cadrestat/cadrestat/server/httperr"
	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/warehouse"
)

// Exports serve comparisons and series as CSV (UTF-8 with a byte-order mark so spreadsheet
// programs show Vietnamese correctly), each row with a citation column. Text cells that a
// spreadsheet would run as a formula are neutralised (see text).
func exportCompare(svc *service.Service) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		year, err := strconv.Atoi(q.Get("year"))
		if err != nil && q.Get("period") == "" {
			http.Error(w, "year must be a number", http.StatusBadRequest)
			return
		}
		c, err := svc.Compare(r.Context(), service.CompareArgs{Metric: q.Get("metric"), Year: year, Period: q.Get("period"), Map: mapParam(q.Get("map")),
			Provinces: splitList(q.Get("provinces")), Group: q.Get("group"), IncludeSynthetic: q.Get("includeSynthetic") == "true"})
		if err != nil {
			exportError(w, err)
			return
		}
		year = c.Year
		cw := start(w, "compare-"+c.Metric.ID+"-"+strconv.Itoa(year)+"-"+string(c.Map)+".csv")
		cw.Write([]string{"rank", "province_id", "province", "metric", "year", "value", "numerator", "denominator", "unit", "change", "target", "gap_to_target", "target_status", "status", "qualifier",
			"display", "rank_best", "rank_worst", "rank_of", "period", "change_note", "note", "source_url", "retrieved", "citation"})
		for _, row := range c.Rows {
			rank, target := rankCell(row), targetCell(svc, row)
			p := figureProvenance(svc, &row.Fig)
			cw.Write([]string{rank, text(row.Province.ID), text(row.Province.Name), text(c.Metric.ID), strconv.Itoa(year), num(row.Fig.Value), num(row.Fig.Numerator), num(row.Fig.Denominator),
				text(c.Metric.Unit), num(row.Change), text(target), num(row.Gap), text(string(row.Status)), text(p.status), text(p.qualifier),
				text(row.Fig.Display()), rankEnd(row.RankRange, true), rankEnd(row.RankRange, false), strconv.Itoa(row.RankOf), text(periodLabel(&row.Fig)), text(row.ChangeNote),
				text(row.Fig.Reason), text(p.url), text(p.retrieved), text(p.citation)})
		}
		cw.Flush()
	}
}

func exportSeries(svc *service.Service) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		from, err1 := strconv.Atoi(q.Get("from"))
		to, err2 := strconv.Atoi(q.Get("to"))
		if err1 != nil || err2 != nil {
			http.Error(w, "from and to must be years", http.StatusBadRequest)
			return
		}
		// As the GraphQL series: "ALL" among provinces, and group=, expand to their units.
		units, err := svc.SeriesUnits(mapParam(q.Get("map")), splitList(q.Get("provinces")), q.Get("group"))
		if err != nil {
			exportError(w, err)
			return
		}
		series, err := svc.Series(r.Context(), service.SeriesArgs{Metric: q.Get("metric"), Provinces: units, From: from, To: to,
			Map: mapParam(q.Get("map")), IncludeSynthetic: q.Get("includeSynthetic") == "true"})
		if err != nil {
			exportError(w, err)
			return
		}
		cw := start(w, "series-"+q.Get("metric")+".csv")
		cw.Write([]string{"province_id", "province", "metric", "year", "value", "numerator", "denominator", "status", "qualifier", "display", "period", "note", "source_url", "retrieved", "citation"})
		for _, s := range series {
			for _, p := range s.Points {
				pr := figureProvenance(svc, &p.Fig)
				cw.Write([]string{text(s.Province.ID), text(s.Province.Name), text(q.Get("metric")), strconv.Itoa(p.Year), num(p.Fig.Value), num(p.Fig.Numerator), num(p.Fig.Denominator),
					text(pr.status), text(pr.qualifier), text(p.Fig.Display()), text(p.Period.Label), text(p.Fig.Reason), text(pr.url), text(pr.retrieved), text(pr.citation)})
			}
		}
		cw.Flush()
	}
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

// rankEnd is the best or worst rank of a range, "" for an unranked row.
func rankEnd(rr *service.RankRange, best bool) string {
	switch {
	case rr == nil:
		return ""
	case best:
		return strconv.Itoa(rr.Best)
	}
	return strconv.Itoa(rr.Worst)
}

func periodLabel(v *service.Value) string {
	if p := v.Period(); p != nil {
		return p.Label
	}
	return ""
}

func start(w http.ResponseWriter, name string) *csv.Writer {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write([]byte("\xef\xbb\xbf"))
	return csv.NewWriter(w)
}

// rankCell is a row's certain rank, or empty (a bound has only a range).
func rankCell(row *service.Row) string {
	if row.Rank == nil {
		return ""
	}
	return strconv.Itoa(*row.Rank)
}

// targetCell describes the row's target: "≥ 15 % by 2020 (directive)", or empty.
func targetCell(svc *service.Service, row *service.Row) string {
	if row.Target == nil {
		return ""
	}
	return svc.TargetLabel(row.Target) + " by " + strconv.Itoa(row.Target.Deadline) + " (" + row.Target.Directive + ")"
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

func num(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
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

// exportTable serves table(...) as CSV: one line per unit, metric and year (the table's
// rows in order, each row's cells in column order), with the citation of every figure.
func exportTable(svc *service.Service) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		var years []int
		for _, y := range splitList(q.Get("years")) {
			n, err := strconv.Atoi(strings.TrimSpace(y))
			if err != nil {
				http.Error(w, "years must be numbers separated by commas", http.StatusBadRequest)
				return
			}
			years = append(years, n)
		}
		t, err := svc.Table(r.Context(), service.TableArgs{Metrics: splitList(q.Get("metrics")), Years: years, Map: mapParam(q.Get("map")),
			Provinces: splitList(q.Get("provinces")), Group: q.Get("group"), IncludeSynthetic: q.Get("includeSynthetic") == "true"})
		if err != nil {
			exportError(w, err)
			return
		}
		cw := start(w, "table-"+string(t.Map)+".csv")
		cw.Write([]string{"province_id", "province", "metric", "year", "rank", "rank_best", "rank_worst", "rank_of", "value", "numerator", "denominator", "unit",
			"qualifier", "display", "status", "change", "target", "gap_to_target", "target_status", "period", "change_note", "note", "source_url", "retrieved", "citation"})
		for _, tr := range t.Rows {
			for i, row := range tr.Cells {
				col := t.Columns[i]
				if row == nil {
					continue
				}
				rank, target := rankCell(row), targetCell(svc, row)
				p := figureProvenance(svc, &row.Fig)
				cw.Write([]string{text(tr.Province.ID), text(tr.Province.Name), text(col.Metric.ID), strconv.Itoa(col.Comparison.Year), rank,
					rankEnd(row.RankRange, true), rankEnd(row.RankRange, false), strconv.Itoa(col.Comparison.RankOf),
					num(row.Fig.Value), num(row.Fig.Numerator), num(row.Fig.Denominator), text(col.Metric.Unit), text(p.qualifier), text(row.Fig.Display()),
					text(p.status), num(row.Change), text(target), num(row.Gap), text(string(row.Status)), text(periodLabel(&row.Fig)), text(row.ChangeNote),
					text(row.Fig.Reason), text(p.url), text(p.retrieved), text(p.citation)})
			}
		}
		cw.Flush()
	}
}
