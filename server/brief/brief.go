// Package brief serves the printable brief of one province at /brief/<province-id>: one
// A4 page with the unit and its lineage, its figures against targets with their status,
// sparklines of the last terms, the regional and national figures, and numbered footnotes
// citing every source. It renders the service's Brief (the same answer as the brief
// query), with embedded CSS and inline SVG only: no script and no external asset.
package brief

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cadrestat/cadrestat/server/httperr"
	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/warehouse"
)

//go:embed brief.css
var css string

//go:embed brief.html
var page string

var tmpl = template.Must(template.New("brief").Funcs(template.FuncMap{
	"join": strings.Join,
}).Parse(page))

// Handler serves GET /brief/{id}?year=&lang=vi|en (&map= to read an ID of the other map).
// Until available returns nil (the catalogue is loaded) every brief answers its error.
func Handler(svc *service.Service, available func() error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		lang := q.Get("lang")
		if lang == "" {
			lang = "vi"
		}
		if lang != "vi" && lang != "en" {
			fail(w, warehouse.Errorf(warehouse.ErrInvalid, "lang must be vi or en, not %q", lang))
			return
		}
		year := 0
		if y := q.Get("year"); y != "" {
			n, err := strconv.Atoi(y)
			if err != nil {
				fail(w, warehouse.Errorf(warehouse.ErrInvalid, "year must be a number, not %q", y))
				return
			}
			year = n
		}
		var mp warehouse.Map
		if m := q.Get("map"); m != "" {
			mp = warehouse.Map(strings.ToUpper(m))
		}
		if err := available(); err != nil {
			fail(w, err)
			return
		}
		// One catalogue for the brief and the page built from it (service.Pin).
		ctx := svc.Pin(r.Context())
		snap := svc.At(ctx)
		b, err := snap.Brief(ctx, service.BriefArgs{Province: r.PathValue("id"), Year: year, Map: mp})
		if err != nil {
			fail(w, err)
			return
		}
		v, err := build(ctx, snap, b, lang)
		if err != nil {
			fail(w, err)
			return
		}
		var buf bytes.Buffer
		if err := tmpl.Execute(&buf, v); err != nil {
			fail(w, warehouse.Wrap(err, warehouse.ErrInternal, "the brief could not be rendered"))
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
		h.Set("Content-Language", lang)
		w.Write(buf.Bytes())
	})
}

// fail answers a coded error as plain text with the status its kind calls for.
func fail(w http.ResponseWriter, err error) {
	code, kind := httperr.Status(err)
	w.Header().Set("X-Error-Code", string(kind))
	http.Error(w, string(kind)+": "+warehouse.ErrorMessage(err), code)
}

// view is what the template shows.
type view struct {
	Lang                         string
	CSS                          template.CSS
	L                            map[string]string
	Title, Unit, Meta, Generated string
	Version                      string // the data version the figures come from
	Lineage                      string
	Sections                     []section
	Notes                        []note
	Empty                        bool
}

type section struct {
	Name  string
	Items []item
	Show  columns
}

// columns says which optional columns a section shows: a column no item fills leaves the
// page (a region column of dashes says nothing).
type columns struct{ Rank, Change, Target, Region, National, Trend bool }

// fill decides the columns from the items, then marks the empty cells of shown columns.
func (s *section) fill() {
	for _, it := range s.Items {
		s.Show.Rank = s.Show.Rank || it.Rank != ""
		s.Show.Change = s.Show.Change || it.Change != ""
		s.Show.Target = s.Show.Target || it.Target != "" || it.TargetNote != ""
		s.Show.Region = s.Show.Region || it.Region != ""
		s.Show.National = s.Show.National || it.National != ""
		s.Show.Trend = s.Show.Trend || it.Spark != ""
	}
	for i := range s.Items {
		it := &s.Items[i]
		for _, c := range []*string{&it.Rank, &it.Change, &it.Target, &it.Region, &it.National} {
			if *c == "" {
				*c = "—"
			}
		}
	}
}

type item struct {
	Name, Period, Figure, Status, Qualifier string
	Rank, Change, Target                    string
	TargetNote                              string // why the target considered does not apply
	Attain, AttainClass                     string
	OnTrack                                 string // the on-track verdict in words, when it says something
	Region, National                        string
	Predecessors, Note                      string
	Spark                                   template.HTML
	Notes                                   string
}

type note struct {
	N                                        int
	Title, Issuer, Date, URL, Retrieved, Doc string
}

func build(ctx context.Context, svc *service.Service, b *service.Brief, lang string) (view, error) {
	L := labels[lang]
	cat := svc.Catalog()
	vi := lang == "vi"
	name := func(p *warehouse.Province) string { return p.Name }
	v := view{Lang: lang, CSS: template.CSS(css), L: L, Version: b.DataVersion(), Generated: time.Now().UTC().Format("2006-01-02 15:04 UTC")}
	v.Title = fmt.Sprintf("%s — %s %d", L["brief"], b.Province.Name, b.Year)
	v.Unit = b.Province.Name
	region := ""
	if b.Region != nil {
		region = b.Region.Name
		if vi {
			region = b.Region.NameVI
		}
	}
	v.Meta = fmt.Sprintf("%s · %s %s · %s: %s · %s %d–%d", b.Province.ID, L["map"], b.Map, L["region"], region, L["figures"], b.FromYear, b.Year)
	var lin []string
	if len(b.Predecessors) > 0 {
		var ps []string
		for _, id := range b.Predecessors {
			if p := cat.Province(id); p != nil {
				ps = append(ps, name(p)+" ("+p.ID+")")
			}
		}
		lin = append(lin, L["predecessors"]+": "+strings.Join(ps, ", "))
	}
	if len(b.Successors) > 0 {
		var ps []string
		for _, id := range b.Successors {
			if p := cat.Province(id); p != nil {
				ps = append(ps, name(p)+" ("+p.ID+")")
			}
		}
		lin = append(lin, L["successors"]+": "+strings.Join(ps, ", "))
	}
	if b.Province.ValidTo != "" {
		lin = append(lin, fmt.Sprintf("%s %s–%s", L["valid"], b.Province.ValidFrom, b.Province.ValidTo))
	} else if b.Province.ValidFrom != "" {
		lin = append(lin, fmt.Sprintf("%s %s", L["since"], b.Province.ValidFrom))
	}
	v.Lineage = strings.Join(lin, " · ")
	for _, sec := range b.Sections {
		s := section{Name: sec.NameEN}
		if vi {
			s.Name = sec.NameVI
		}
		for _, it := range sec.Items {
			bi, err := buildItem(ctx, svc, it, lang)
			if err != nil {
				return view{}, err
			}
			s.Items = append(s.Items, bi)
		}
		s.fill()
		v.Sections = append(v.Sections, s)
	}
	v.Empty = len(v.Sections) == 0
	for _, fn := range b.Sources {
		src := fn.Source
		n := note{N: fn.Number, Title: src.Title, Issuer: src.Issuer, Date: src.Date, URL: src.URL, Retrieved: src.Retrieved, Doc: src.DocNumber}
		v.Notes = append(v.Notes, n)
	}
	return v, nil
}

func buildItem(ctx context.Context, svc *service.Service, it *service.BriefItem, lang string) (item, error) {
	L := labels[lang]
	m := it.Metric
	unit := unitOf(m, lang)
	out := item{Name: m.NameEN}
	if lang == "vi" {
		out.Name = m.NameVI
	}
	r := it.Row
	if p := r.Fig.Period(); p != nil {
		out.Period = p.Label
	} else if it.Period != nil {
		out.Period = it.Period.Label
	} else {
		out.Period = strconv.Itoa(it.Year)
	}
	out.Figure = figure(&r.Fig, unit, L)
	if st := r.Fig.Status(); st != nil {
		out.Status = L["st_"+string(*st)]
	}
	if r.Fig.Value != nil && r.Fig.Qualifier != warehouse.QualExact {
		out.Qualifier = L["q_"+string(r.Fig.Qualifier)]
	}
	if r.Fig.Value == nil && len(r.Fig.Units) > 1 && len(r.Fig.Missing) > 0 {
		// A combination refused: name the units without a usable exact value.
		var names []string
		for _, id := range r.Fig.Missing {
			if p := svc.Catalog().Province(id); p != nil {
				names = append(names, p.Name)
			}
		}
		out.Note = L["missing"] + " " + strings.Join(names, ", ")
	}
	if r.Fig.Contested {
		out.Qualifier = strings.TrimSpace(out.Qualifier + " " + L["contested"])
	}
	// A rank says among how many units with a figure; none for a metric with no better
	// direction or with fewer than service.MinRanked units (RankRange is nil then).
	switch {
	case m.Better == warehouse.NoDirection || r.RankRange == nil:
	case r.Rank != nil:
		out.Rank = fmt.Sprintf("%d %s %d", *r.Rank, L["of"], it.RankOf)
	default:
		out.Rank = fmt.Sprintf("%d–%d %s %d", r.RankRange.Best, r.RankRange.Worst, L["of"], it.RankOf)
	}
	if r.Change != nil {
		out.Change = signed(*r.Change) + " " + L["since"] + " " + strconv.Itoa(r.PrevYear)
	} else if r.Previous != nil {
		out.Change = "— (" + L["since"] + " " + strconv.Itoa(r.PrevYear) + ": " + r.Previous.Display() + ")"
	}
	if r.Target != nil {
		out.Target = svc.TargetLabel(r.Target) + " " + L["by"] + " " + strconv.Itoa(r.Target.Deadline)
	}
	if r.Status == service.NoTarget && r.TargetConsidered != nil {
		out.TargetNote = targetNote(svc, r.TargetConsidered, out.Period, L)
	}
	out.Attain, out.AttainClass = L["ts_"+string(r.Status)], strings.ToLower(string(r.Status))
	if r.Gap != nil && r.Status != service.NoTarget {
		out.Attain += " (" + signed(*r.Gap) + ")"
	}
	if r.Target != nil {
		ot, err := svc.RowOnTrack(ctx, r)
		if err != nil {
			return item{}, err
		}
		out.OnTrack = onTrackWords(ot, L)
	}
	if it.Region != nil && it.Region.Fig.Value != nil {
		out.Region = figure(&it.Region.Fig, unit, L)
	}
	if it.National.Fig.Value != nil {
		out.National = figure(&it.National.Fig, unit, L)
	}
	var ps []string
	for _, p := range it.Predecessors {
		ps = append(ps, p.Province.Name+" "+figure(&p.Fig, unit, L))
	}
	out.Predecessors = strings.Join(ps, "; ")
	if out.Predecessors != "" && out.Note != "" {
		// The predecessors' figures already show which one is missing.
		out.Predecessors += " (" + L["notcombined"] + ")"
		out.Note = ""
	}
	out.Spark = spark(it.Series, m)
	ns := make([]string, len(it.Notes))
	for i, n := range it.Notes {
		ns[i] = strconv.Itoa(n)
	}
	out.Notes = strings.Join(ns, ",")
	return out, nil
}

// onTrackWords is the on-track verdict for the page: "met since 2021", "on track for
// 2030", "off track"; nothing when the figures do not decide it (UNKNOWN).
func onTrackWords(ot *service.OnTrack, L map[string]string) string {
	switch ot.Verdict {
	case service.VerdictMet:
		if ot.MetSince != nil {
			return L["ot_MET"] + " " + strconv.Itoa(*ot.MetSince)
		}
	case service.VerdictOffTrack:
		if ot.YearsLeft <= 0 {
			return L["ot_MISSED"] + " " + strconv.Itoa(ot.Deadline)
		}
		return L["ot_OFF_TRACK"] + " " + strconv.Itoa(ot.Deadline)
	case service.VerdictOnTrack:
		return L["ot_ON_TRACK"] + " " + strconv.Itoa(ot.Deadline)
	}
	return ""
}

// targetNote says, in the page's language, which target was considered for a figure no
// target judges and why it does not apply (the periods it judges; compare's targetNote).
func targetNote(svc *service.Service, t *warehouse.Target, period string, L map[string]string) string {
	s := svc.TargetLabel(t) + " (" + t.Directive + ")"
	if len(t.Applies) > 0 {
		s += ": " + L["tn_judges"] + " " + strings.Join(t.Applies, ", ")
	} else {
		s += ": " + L["by"] + " " + strconv.Itoa(t.Deadline)
	}
	if period != "" {
		s += ", " + L["tn_not"] + " " + period
	}
	return s
}

// figure is a figure as a reader should see it, with its unit; "—" without a value.
func figure(v *service.Value, unit string, L map[string]string) string {
	d := v.Display() // computed figures come rounded (service.Value.Display)
	if d == "" {
		return "—"
	}
	return d + unit
}

func unitOf(m *warehouse.Metric, lang string) string {
	switch m.Unit {
	case "percent":
		return " %"
	case "percent of plan":
		if lang == "vi" {
			return " % kế hoạch"
		}
		return " % of plan"
	}
	return ""
}

func signed(x float64) string {
	s := strconv.FormatFloat(math.Round(x*100)/100, 'f', -1, 64)
	if x > 0 {
		return "+" + s
	}
	return strings.Replace(s, "-", "−", 1)
}

// spark draws the series as an inline SVG: a line through the exact yearly figures, a
// filled dot for each exact figure and a hollow one for a bound or approximation (at its
// bound); ranges and as-of figures are not yearly points and are left out. One point is no
// trend: nothing is drawn for fewer than two.
func spark(pts []service.Point, m *warehouse.Metric) template.HTML {
	type xy struct {
		x, y  float64
		exact bool
	}
	var ps []xy
	lo, hi := math.Inf(1), math.Inf(-1)
	minY, maxY := math.MaxInt, math.MinInt
	for _, p := range pts {
		if p.Fig.Value == nil || (p.Period.Kind != warehouse.PeriodYear && p.Period.Kind != warehouse.PeriodTerm) {
			continue
		}
		ps = append(ps, xy{float64(p.Year), *p.Fig.Value, p.Fig.Exact()})
		lo, hi = math.Min(lo, *p.Fig.Value), math.Max(hi, *p.Fig.Value)
		minY, maxY = min(minY, p.Year), max(maxY, p.Year)
	}
	if len(ps) < 2 {
		return ""
	}
	const w, h, pad = 64.0, 16.0, 2.5
	if m.Kind == warehouse.MetricShare || m.Kind == warehouse.MetricCount {
		lo = math.Min(lo, 0)
	}
	if hi == lo {
		hi = lo + 1
	}
	sx := func(x float64) float64 {
		if maxY == minY {
			return w / 2
		}
		return pad + (x-float64(minY))/float64(maxY-minY)*(w-2*pad)
	}
	sy := func(y float64) float64 { return h - pad - (y-lo)/(hi-lo)*(h-2*pad) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="spark" viewBox="0 0 %g %g" width="%g" height="%g" role="img" aria-label="%d–%d">`, w, h, w, h, minY, maxY)
	var line []string
	for _, p := range ps {
		if p.exact {
			line = append(line, fmt.Sprintf("%.1f,%.1f", sx(p.x), sy(p.y)))
		}
	}
	if len(line) > 1 {
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#2b5d8a" stroke-width="1"/>`, strings.Join(line, " "))
	}
	for _, p := range ps {
		fill := "#2b5d8a"
		if !p.exact {
			fill = "#fff"
		}
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="1.6" fill="%s" stroke="#2b5d8a" stroke-width="0.7"/>`, sx(p.x), sy(p.y), fill)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // numbers only: nothing from loaded text
}
