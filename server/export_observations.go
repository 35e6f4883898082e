package server

import (
	"net/http"
	"strconv"

	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/warehouse"
)

// MaxExportObservations bounds an observations export: pages of service.MaxPageSize, so
// at most 20 warehouse reads plus the count, within one request's budget of warehouse
// queries. A larger selection is refused before any page is read. A variable for tests.
var MaxExportObservations = 10000

// buildObservations exports the observations a filter selects (the GraphQL observations
// filter as parameters: metrics, provinces, periods, sources, statuses, group, from, to,
// includeSynthetic, includePredecessors), every revision-current row with its citation.
func buildObservations(svc *service.Service, r *http.Request) (*sheet, error) {
	q := r.URL.Query()
	f := service.FilterArgs{Metrics: splitList(q.Get("metrics")), Provinces: splitList(q.Get("provinces")), Periods: splitList(q.Get("periods")),
		Sources: splitList(q.Get("sources")), Group: q.Get("group"), IncludeSynthetic: q.Get("includeSynthetic") == "true",
		IncludePredecessors: q.Get("includePredecessors") == "true"}
	for _, st := range splitList(q.Get("statuses")) {
		f.Statuses = append(f.Statuses, warehouse.Status(st))
	}
	for _, y := range []struct {
		name string
		to   *int
	}{{"from", &f.FromYear}, {"to", &f.ToYear}} {
		if v := q.Get(y.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return nil, badParam(y.name + " must be a year")
			}
			*y.to = n
		}
	}
	if len(f.Metrics) == 0 {
		return nil, badParam("give metrics (one or more metric IDs separated by commas)")
	}
	version := svc.Catalog().Version
	page, err := svc.Observations(r.Context(), f, 0, "")
	if err != nil {
		return nil, err
	}
	n, err := svc.Count(r.Context(), page)
	if err != nil {
		return nil, err
	}
	if n > MaxExportObservations {
		return nil, badParam(strconv.Itoa(n) + " observations match; an export holds at most " + strconv.Itoa(MaxExportObservations) + ": narrow the filter")
	}
	s := newSheet("observations", []column{
		{"observation_id", colText}, {"subject_kind", colText}, {"subject_id", colText}, {"subject", colText}, {"metric", colText},
		{"period", colText}, {"period_kind", colText}, {"period_start", colInt}, {"period_end", colInt}, {"value", colNumber},
		{"lower", colNumber}, {"upper", colNumber}, {"numerator", colNumber}, {"denominator", colNumber}, {"qualifier", colText},
		{"display", colText}, {"status", colText}, {"source_id", colText}, {"quote", colText}, {"note", colText}, {"revision", colInt},
		{"source_url", colText}, {"retrieved", colText}, {"citation", colText},
	}, version, exportQuery(r))
	after := ""
	for {
		page, err := svc.Observations(r.Context(), f, service.MaxPageSize, after)
		if err != nil {
			return nil, err
		}
		for i := range page.Items {
			o := &page.Items[i]
			fig := service.Value{Value: o.Value, Numerator: o.Numerator, Denominator: o.Denominator, Qualifier: o.Qualifier,
				Observation: o, Parts: []*warehouse.Observation{o}}
			p := figureProvenance(svc, &fig)
			value, lower, upper := figureCells(&fig)
			s.add(o.ID, o.SubjectKind, o.SubjectID, optText(subjectName(svc, o.SubjectID)), o.MetricID, o.Period.Label, string(o.Period.Kind),
				o.Period.Start, o.Period.End, value, lower, upper, optNum(o.Numerator), optNum(o.Denominator), optText(string(o.Qualifier)),
				optText(fig.Display()), string(o.Status), o.SourceID, optText(o.Quote), optText(o.Note), int(o.Revision),
				optText(p.url), optText(p.retrieved), optText(p.citation))
			s.cite(svc, &fig)
		}
		if !page.HasNext || len(page.Items) == 0 {
			return s, nil
		}
		after = service.EncodeCursor(page.Items[len(page.Items)-1].ID)
	}
}

// subjectName is a province's or group's name, "" when the catalogue has none.
func subjectName(svc *service.Service, id string) string {
	cat := svc.Catalog()
	if p := cat.Province(id); p != nil {
		return p.Name
	}
	if id == warehouse.NationalID {
		return "Việt Nam"
	}
	return ""
}
