package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/data"
	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/internal/testenv"
	"github.com/cadrestat/cadrestat/server"
	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/synth"
)

// The fields of a row the brief and compare are checked on, field by field.
const briefRowFields = `rank rankRange { best worst } rankOf province { id } value numerator denominator qualifier display contested
  figure { value qualifier display status contested combined missing note period { kind start end label }
    parts { id citation status source { id } } }
  previousYear previousFigure { display status parts { id } } change changeNote
  target { id label } gapToTarget targetStatus observation { id }`

const briefBenchFields = `id unit name figure { value qualifier display status combined missing note parts { id } }`

const briefQ = `query($p: ID!, $y: Int, $map: Map) { brief(province: $p, year: $y, map: $map) {
  province { id } map year fromYear region { id } predecessors { id } successors { id } url
  sources { number metrics source { id title issuer date url } }
  sections { id nameEn nameVi items { metric { id } year period { kind label } rankOf notes
    row { ` + briefRowFields + ` }
    region { ` + briefBenchFields + ` } national { ` + briefBenchFields + ` }
    predecessors { ` + briefRowFields + ` }
    series { year period { label kind } value figure { display status parts { id } } } } } } }`

type briefItem struct {
	Metric       struct{ ID string }
	Year         int
	Period       *struct{ Kind, Label string }
	RankOf       int
	Notes        []int
	Row          json.RawMessage
	Region       json.RawMessage
	National     json.RawMessage
	Predecessors []json.RawMessage
	Series       json.RawMessage
}

type briefAnswer struct {
	Province     struct{ ID string }
	Map          string
	Year         int
	FromYear     int
	Region       *struct{ ID string }
	Predecessors []struct{ ID string }
	Successors   []struct{ ID string }
	URL          string
	Sources      []struct {
		Number  int
		Metrics []string
		Source  struct{ ID, Title, Issuer, Date, URL string }
	}
	Sections []struct {
		ID    string
		Items []briefItem
	}
}

// newAnalyticsServerWith is newAnalyticsServer with a configuration of its own.
func newAnalyticsServerWith(t *testing.T, cfg server.Config) (*httptest.Server, *testenv.Counting) {
	t.Helper()
	cs := &testenv.Counting{Store: testenv.Store(t)}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := service.New(cs, log)
	b, perr := ingest.Prepare(data.Files(), nil)
	if b == nil {
		t.Fatalf("bundle: %v", perr)
	}
	var buf bytes.Buffer
	synth.WriteCSV(&buf, synth.Generate(b.Catalog(), synth.Options{Seed: 1, From: 2010, To: 2030}))
	rep, err := svc.Load(context.Background(), append(data.Files(), ingest.File{Name: "synthetic.csv", Data: buf.Bytes()}))
	if err != nil || !rep.OK() {
		t.Fatalf("load: %v %+v", err, rep)
	}
	ts := httptest.NewServer(wired(svc, cfg, log))
	t.Cleanup(ts.Close)
	return ts, cs
}

// sameJSON compares two JSON values after normalising their layout.
func sameJSON(t *testing.T, what string, a, b json.RawMessage) {
	t.Helper()
	var x, y bytes.Buffer
	json.Compact(&x, a)
	json.Compact(&y, b)
	if x.String() != y.String() {
		t.Fatalf("%s differs:\n brief:   %s\n compare: %s", what, x.String(), y.String())
	}
}

// TestBriefAgreesWithCompareAndSeries checks every item of two briefs, field by field,
// against compare and series: Quảng Ngãi on VN34 (with its VN63 predecessors Quảng Ngãi
// and Kon Tum) and Hồ Chí Minh City on VN63 (with its VN34 successor).
func TestBriefAgreesWithCompareAndSeries(t *testing.T) {
	// Every field of every row at once weighs more than the default complexity limit (a
	// brief may have an item per metric of the catalogue); the check wants them all.
	ts, cs := newAnalyticsServerWith(t, bigServer())
	for _, tc := range []struct {
		vars  map[string]any
		preds []string
		succ  string
		items int
	}{
		{map[string]any{"p": "VN34-51", "y": 2023}, []string{"VN63-51", "VN63-62"}, "", 15},
		{map[string]any{"p": "VN63-79"}, nil, "VN34-79", 5},
	} {
		before := cs.Calls.Load()
		res := post(t, ts, briefQ, tc.vars)
		if len(res.Errors) > 0 {
			t.Fatalf("brief %v: %+v", tc.vars, res.Errors)
		}
		// One warehouse query for every metric's published slice, however many metrics.
		if n := cs.Calls.Load() - before; n > 1 {
			t.Fatalf("brief %v cost %d observation queries; want at most 1", tc.vars, n)
		}
		var b briefAnswer
		if err := json.Unmarshal(res.Data["brief"], &b); err != nil {
			t.Fatal(err)
		}
		var preds []string
		for _, p := range b.Predecessors {
			preds = append(preds, p.ID)
		}
		if strings.Join(preds, ",") != strings.Join(tc.preds, ",") || (tc.succ != "" && (len(b.Successors) != 1 || b.Successors[0].ID != tc.succ)) {
			t.Fatalf("lineage of %s: predecessors %v, successors %v", b.Province.ID, preds, b.Successors)
		}
		if b.Region == nil || !strings.HasPrefix(b.Region.ID, "region:"+b.Map+":") || b.FromYear != b.Year-5 {
			t.Fatalf("brief %s: region %v, years %d-%d", b.Province.ID, b.Region, b.FromYear, b.Year)
		}
		if b.URL != fmt.Sprintf("/brief/%s?year=%d", b.Province.ID, b.Year) {
			t.Fatalf("url %q", b.URL)
		}
		footnotes := map[int]string{}
		for i, s := range b.Sources {
			if s.Number != i+1 || s.Source.ID == "" || len(s.Metrics) == 0 {
				t.Fatalf("footnote %d: %+v", i+1, s)
			}
			footnotes[s.Number] = s.Source.ID
		}
		n := 0
		for _, sec := range b.Sections {
			for _, it := range sec.Items {
				n++
				checkBriefItem(t, ts, b, it, footnotes)
			}
		}
		if n < tc.items {
			t.Fatalf("brief %s has %d items; want at least %d", b.Province.ID, n, tc.items)
		}
	}
	// A second brief of the same unit reads nothing: the slices are cached.
	before := cs.Calls.Load()
	if res := post(t, ts, briefQ, map[string]any{"p": "Quảng Ngãi", "map": "VN34", "y": 2023}); len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	if n := cs.Calls.Load() - before; n != 0 {
		t.Fatalf("a repeated brief cost %d observation queries; want 0", n)
	}
}

const briefCompareQ = `query($m: ID!, $y: Int, $per: String, $map: Map, $p: [ID!]) {
  compare(metric: $m, year: $y, period: $per, map: $map, provinces: $p) {
    rankOf rows { ` + briefRowFields + ` } national { ` + briefBenchFields + ` } benchmarks { ` + briefBenchFields + ` } } }`

const briefSeriesQ = `query($m: ID!, $p: [ID!], $from: Int!, $to: Int!, $map: Map) {
  series(metric: $m, provinces: $p, from: $from, to: $to, map: $map) {
    points { year period { label kind } value figure { display status parts { id } } } } }`

type briefComparison struct {
	RankOf     int
	Rows       []json.RawMessage
	National   json.RawMessage
	Benchmarks []json.RawMessage
}

func checkBriefItem(t *testing.T, ts *httptest.Server, b briefAnswer, it briefItem, footnotes map[int]string) {
	t.Helper()
	what := b.Province.ID + " " + it.Metric.ID
	vars := map[string]any{"m": it.Metric.ID, "map": b.Map, "p": []string{b.Province.ID}}
	if it.Period != nil {
		vars["per"] = it.Period.Label
	} else {
		vars["y"] = it.Year
		if it.Year < b.FromYear || it.Year > b.Year {
			t.Fatalf("%s: year %d outside %d-%d", what, it.Year, b.FromYear, b.Year)
		}
	}
	cmp := func(vars map[string]any) briefComparison {
		res := post(t, ts, briefCompareQ, vars)
		if len(res.Errors) > 0 {
			t.Fatalf("compare %v: %+v", vars, res.Errors)
		}
		var c briefComparison
		json.Unmarshal(res.Data["compare"], &c)
		return c
	}
	c := cmp(vars)
	if len(c.Rows) != 1 || c.RankOf != it.RankOf {
		t.Fatalf("%s: %d compare rows, rankOf %d vs %d", what, len(c.Rows), c.RankOf, it.RankOf)
	}
	sameJSON(t, what+" row", it.Row, c.Rows[0])
	sameJSON(t, what+" national", it.National, c.National)
	found := false
	for _, bm := range c.Benchmarks {
		var id struct{ Unit string }
		json.Unmarshal(bm, &id)
		if id.Unit == b.Region.ID {
			sameJSON(t, what+" region", it.Region, bm)
			found = true
		}
	}
	if !found {
		t.Fatalf("%s: region %s not among compare's benchmarks", what, b.Region.ID)
	}
	// On VN34 before the merger: the predecessors' own rows on VN63, in lineage order.
	if b.Map == "VN34" && it.Year < 2025 {
		var ids []string
		for _, p := range b.Predecessors {
			ids = append(ids, p.ID)
		}
		pv := map[string]any{"m": it.Metric.ID, "map": "VN63", "p": ids, "y": vars["y"], "per": vars["per"]}
		pc := cmp(pv)
		at := map[string]json.RawMessage{}
		for _, r := range pc.Rows {
			var id struct{ Province struct{ ID string } }
			json.Unmarshal(r, &id)
			at[id.Province.ID] = r
		}
		if len(it.Predecessors) != len(ids) {
			t.Fatalf("%s: %d predecessor rows; want %d", what, len(it.Predecessors), len(ids))
		}
		for i, id := range ids {
			sameJSON(t, what+" predecessor "+id, it.Predecessors[i], at[id])
		}
	} else if len(it.Predecessors) != 0 {
		t.Fatalf("%s: predecessor rows on %s in %d", what, b.Map, it.Year)
	}
	// The series: series' yearly points with a value over the last 15 years.
	res := post(t, ts, briefSeriesQ, map[string]any{"m": it.Metric.ID, "p": []string{b.Province.ID}, "from": b.Year - 15, "to": b.Year, "map": b.Map})
	var ser []struct{ Points []json.RawMessage }
	json.Unmarshal(res.Data["series"], &ser)
	var pts []json.RawMessage
	for _, p := range ser[0].Points {
		var v struct {
			Value  *float64
			Period struct{ Kind string }
		}
		json.Unmarshal(p, &v)
		if v.Value != nil && (v.Period.Kind == "YEAR" || v.Period.Kind == "TERM") {
			pts = append(pts, p)
		}
	}
	want, _ := json.Marshal(pts)
	if len(pts) == 0 {
		want = []byte("[]")
	}
	sameJSON(t, what+" series", it.Series, want)
	// Every source of the figure's parts is among the item's footnotes.
	var row struct {
		Figure struct {
			Parts []struct{ Source struct{ ID string } }
		}
	}
	json.Unmarshal(it.Row, &row)
	cited := map[string]bool{}
	for _, n := range it.Notes {
		if footnotes[n] == "" {
			t.Fatalf("%s: note %d is not a footnote", what, n)
		}
		cited[footnotes[n]] = true
	}
	for _, p := range row.Figure.Parts {
		if !cited[p.Source.ID] {
			t.Fatalf("%s: source %s of a part is not among notes %v", what, p.Source.ID, it.Notes)
		}
	}
}

// TestBriefErrorsAndPage: coded errors of brief and of the page, and the page itself.
func TestBriefErrorsAndPage(t *testing.T) {
	ts, _ := newAnalyticsServer(t)
	for _, tc := range []struct {
		vars      map[string]any
		code, msg string
	}{
		{map[string]any{"p": "VN"}, "BAD_USER_INPUT", `province: a brief is for one province, not "VN" (use compare or series for the nation and groups)`},
		{map[string]any{"p": "region:VN63:southeast"}, "BAD_USER_INPUT", `province: a brief is for one province, not "region:VN63:southeast" (use compare or series for the nation and groups)`},
		{map[string]any{"p": "nowhere"}, "NOT_FOUND", `unknown province "nowhere" in province`},
		{map[string]any{"p": "VN63-79", "y": 3000}, "BAD_USER_INPUT", "year 3000 is outside 1945–2100"},
		{map[string]any{"p": "VN34-51", "map": "VN63"}, "BAD_USER_INPUT", "province: VN34-51 (Quảng Ngãi) is on map VN34, not VN63; use map: VN34 or an ID of map VN63"},
		{map[string]any{"p": " "}, "BAD_USER_INPUT", "province is empty"},
	} {
		res := post(t, ts, `query($p: ID!, $y: Int, $map: Map) { brief(province: $p, year: $y, map: $map) { year } }`, tc.vars)
		if len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != tc.code || res.Errors[0].Message != tc.msg {
			t.Fatalf("brief %v: %+v; want %s %q", tc.vars, res.Errors, tc.code, tc.msg)
		}
	}
	// What the printed page shows fits the default complexity limit in one query.
	res := post(t, ts, `{ brief(province: "VN34-51", year: 2023) { province { name predecessors { name } } year region { name }
	  sources { number source { title issuer date url retrieved } }
	  sections { nameVi items { metric { nameVi unit } year period { label } notes rankOf
	    row { display rankRange { best worst } change previousYear targetStatus gapToTarget target { label deadline } figure { status qualifier } }
	    region { figure { display } } national { figure { display } } predecessors { province { name } display }
	    series { year value figure { qualifier } } } } } }`, nil)
	if len(res.Errors) > 0 {
		t.Fatalf("the page's fields: %+v", res.Errors)
	}
	var b struct {
		Sources []struct{ Source struct{ Title, URL string } }
	}
	json.Unmarshal(res.Data["brief"], &b)
	if len(b.Sources) == 0 {
		t.Fatal("no sources")
	}

	for _, tc := range []struct {
		path string
		code int
		kind string
	}{
		{"/brief/nowhere", 404, "NOT_FOUND"},
		{"/brief/VN63-79?lang=fr", 400, "BAD_USER_INPUT"},
		{"/brief/VN63-79?year=soon", 400, "BAD_USER_INPUT"},
		{"/brief/VN63-79?year=3000", 400, "BAD_USER_INPUT"},
		{"/brief/VN", 400, "BAD_USER_INPUT"},
		{"/brief/VN34-51?map=VN63", 400, "BAD_USER_INPUT"},
	} {
		resp, err := http.Get(ts.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.code || resp.Header.Get("X-Error-Code") != tc.kind || !strings.HasPrefix(string(body), tc.kind+": ") {
			t.Fatalf("GET %s: %d %s %q", tc.path, resp.StatusCode, resp.Header.Get("X-Error-Code"), body)
		}
	}
	for _, lang := range []string{"vi", "en"} {
		resp, err := http.Get(ts.URL + "/brief/VN34-51?year=2023&lang=" + lang)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		page := string(body)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(page, `<html lang="`+lang+`">`) {
			t.Fatalf("brief page %s: %d %s", lang, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		// No script and no external asset: a style element and inline SVG only.
		for _, bad := range []string{"<script", "<link", "src=", "@import", "url("} {
			if strings.Contains(page, bad) {
				t.Fatalf("brief page %s contains %q", lang, bad)
			}
		}
		if !strings.Contains(page, "Kon Tum") {
			t.Fatalf("brief page %s: no predecessor", lang)
		}
		for _, s := range b.Sources {
			if !strings.Contains(page, template.HTMLEscapeString(s.Source.Title)) || (s.Source.URL != "" && !strings.Contains(page, template.HTMLEscapeString(s.Source.URL))) {
				t.Fatalf("brief page %s does not cite %q %s", lang, s.Source.Title, s.Source.URL)
			}
		}
	}
	// Lâm Đồng (VN63) has several yearly figures of one metric: a sparkline.
	resp, err := http.Get(ts.URL + "/brief/VN63-68")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `<svg class="spark"`) {
		t.Fatalf("brief page of VN63-68: %d, no sparkline", resp.StatusCode)
	}
	want := map[string]string{"vi": "Hợp nhất từ", "en": "Merged from"}
	for lang, w := range want {
		resp, _ := http.Get(ts.URL + "/brief/VN34-51?year=2023&lang=" + lang)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), w) {
			t.Fatalf("brief page %s lacks %q", lang, w)
		}
	}
}

// What a printed brief tells a reader: a name on both maps opens today's unit; an as-of
// metric shows the latest count of its year; ranks say "of N" and only with 3+ units; a
// column no item fills leaves the table; a sparkline has two points or more; the page says
// when it was made and from which data version.
func TestBriefPageReadsRight(t *testing.T) {
	ts, _ := newAnalyticsServer(t)
	get := func(path string) string {
		t.Helper()
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
		}
		return string(body)
	}
	if page := get("/brief/HCMC?lang=en"); !strings.Contains(page, "VN34-79") {
		t.Errorf("/brief/HCMC does not open today's city (VN34-79)")
	}
	if page := get("/brief/HCMC?map=VN63&lang=en"); !strings.Contains(page, "VN63-79") {
		t.Errorf("/brief/HCMC?map=VN63 does not open the VN63 city")
	}
	// Cần Thơ: "over 143,000" (27 Sep 2025), not the day before's "over 141,000".
	page := get("/brief/VN34-92?lang=en")
	if !strings.Contains(page, "asof:2025-09-27") || strings.Contains(page, "asof:2025-09-26") || !strings.Contains(page, "&gt;143000") {
		t.Errorf("Cần Thơ's party members are not the latest count")
	}
	var version string
	gql(t, ts, `{ dataVersion }`, &version)
	for _, id := range []string{"VN34-51", "VN34-92", "VN63-68", "VN34-79"} {
		page := get("/brief/" + id + "?lang=en")
		if !regexp.MustCompile(`Made by cadrestat · \d{4}-\d\d-\d\d \d\d:\d\d UTC · data version ` + version + `</footer>`).MatchString(page) {
			t.Errorf("%s: footer without time and data version", id)
		}
		for _, m := range regexp.MustCompile(`<td class="n">(\d+)(?:–(\d+))? of (\d+)</td>`).FindAllStringSubmatch(page, -1) {
			if n, _ := strconv.Atoi(m[3]); n < service.MinRanked {
				t.Errorf("%s: rank %q among fewer than %d units", id, m[0], service.MinRanked)
			}
		}
		if regexp.MustCompile(`<td class="n">\d+(–\d+)?/\d+</td>`).MatchString(page) {
			t.Errorf("%s: a rank without \"of\"", id)
		}
		// Every optional column (after metric, period and figure; before the sources) of every
		// table has at least one cell that is not a dash.
		for _, table := range regexp.MustCompile(`(?s)<table>.*?</table>`).FindAllString(page, -1) {
			heads := regexp.MustCompile(`<th[^>]*>`).FindAllString(table, -1)
			filled := make([]bool, len(heads))
			for _, tr := range regexp.MustCompile(`(?s)<tr>\s*<td.*?</tr>`).FindAllString(table, -1) {
				for i, td := range regexp.MustCompile(`(?s)<td[^>]*>(.*?)</td>`).FindAllStringSubmatch(tr, -1) {
					if i < len(filled) && strings.TrimSpace(td[1]) != "—" && strings.TrimSpace(td[1]) != "" {
						filled[i] = true
					}
				}
			}
			for i, f := range filled {
				if !f && i > 2 && i < len(heads)-1 {
					t.Errorf("%s: column %d is empty in every row", id, i)
				}
			}
		}
		for _, svg := range regexp.MustCompile(`(?s)<svg class="spark".*?</svg>`).FindAllString(page, -1) {
			if n := strings.Count(svg, "<circle"); n < 2 {
				t.Errorf("%s: a sparkline of %d point", id, n)
			}
		}
	}
}
