package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/server"
	"github.com/parquet-go/parquet-go"
	"github.com/xuri/excelize/v2"
)

func getBody(t *testing.T, ts *httptest.Server, path string) ([]byte, http.Header) {
	t.Helper()
	resp, err := http.Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	return body, resp.Header
}

// readXLSX reads the data sheet of a workbook as text (numbers as Go formats them) and
// checks every cell's type: numbers are number cells, text is a string cell, no formulas.
func readXLSX(t *testing.T, body []byte, numeric func(col string) bool) (*excelize.File, [][]string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("xlsx: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	if got := f.GetSheetList(); !slices.Equal(got, []string{"data", "sources", "README"}) {
		t.Fatalf("sheets %v", got)
	}
	rows, err := f.GetRows("data", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range rows {
		for j, v := range row {
			if v == "" {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			typ, _ := f.GetCellType("data", cell)
			formula, _ := f.GetCellFormula("data", cell)
			if formula != "" {
				t.Errorf("%s: formula %q", cell, formula)
			}
			if wantNum := i > 0 && numeric(rows[0][j]); wantNum != (typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset) {
				t.Errorf("%s (%s) %q: cell type %v", cell, rows[0][j], v, typ)
			}
		}
	}
	return f, rows
}

// readParquet reads a Parquet file's rows as text, with its column types and metadata.
func readParquet(t *testing.T, body []byte) (header []string, kinds []parquet.Kind, rows [][]string, meta map[string]string) {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("parquet: %v", err)
	}
	meta = map[string]string{}
	for _, kv := range f.Metadata().KeyValueMetadata {
		meta[kv.Key] = kv.Value
	}
	for _, c := range f.Schema().Fields() {
		header = append(header, c.Name())
		kinds = append(kinds, c.Type().Kind())
		if !c.Optional() {
			t.Errorf("column %s is not optional", c.Name())
		}
		if c.Type().Kind() == parquet.ByteArray && (c.Type().LogicalType() == nil || c.Type().LogicalType().String() != "STRING") {
			t.Errorf("column %s: text without the UTF-8 logical type", c.Name())
		}
	}
	r := parquet.NewReader(f)
	defer r.Close()
	buf := make([]parquet.Row, 100)
	for {
		n, err := r.ReadRows(buf)
		for _, row := range buf[:n] {
			line := make([]string, len(header))
			for _, v := range row {
				switch {
				case v.IsNull():
				case v.Kind() == parquet.Double:
					line[v.Column()] = strconv.FormatFloat(v.Double(), 'f', -1, 64)
				case v.Kind() == parquet.Int64:
					line[v.Column()] = strconv.FormatInt(v.Int64(), 10)
				default:
					line[v.Column()] = v.String()
				}
			}
			rows = append(rows, line)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return header, kinds, rows, meta
}

// The CSV neutralises text with a leading apostrophe; XLSX and Parquet keep it as it is.
func sameText(csvCell, raw string) bool {
	return csvCell == raw || strings.HasPrefix(csvCell, "'") && csvCell[1:] == raw
}

var numericCols = []string{"rank", "year", "value", "numerator", "denominator", "change", "gap_to_target", "rank_best", "rank_worst", "rank_of",
	"lower", "upper", "period_start", "period_end", "revision"}

func isNumeric(col string) bool { return slices.Contains(numericCols, col) }

// Every export is served as CSV, XLSX and Parquet with the same columns and the same
// figures; each is read back here with a reader of its format.
func TestExportsAgreeAcrossFormats(t *testing.T) {
	ts := newFiguresServer(t)
	for _, q := range []string{
		"compare?metric=female_provincial_committee_share&year=2020",
		"series?metric=female_provincial_committee_share&provinces=VN63-92,VN63-08&from=2015&to=2021",
		"table?metrics=female_provincial_committee_share,female_pc_provincial_share&years=2020",
		"observations?metrics=female_provincial_committee_share",
	} {
		name, params, _ := strings.Cut(q, "?")
		csvRows := getCSV(t, ts, "/export/"+name+".csv?"+params)
		xb, xh := getBody(t, ts, "/export/"+name+".xlsx?"+params)
		if xh.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
			t.Errorf("%s: xlsx content type %q", name, xh.Get("Content-Type"))
		}
		f, xRows := readXLSX(t, xb, isNumeric)
		pb, ph := getBody(t, ts, "/export/"+name+".parquet?"+params)
		pHeader, kinds, pRows, meta := readParquet(t, pb)
		version := ph.Get("X-Data-Version")
		if version == "" || version != xh.Get("X-Data-Version") {
			t.Fatalf("%s: X-Data-Version %q / %q", name, version, xh.Get("X-Data-Version"))
		}
		if !slices.Equal(csvRows[0], xRows[0]) || !slices.Equal(csvRows[0], pHeader) {
			t.Fatalf("%s: headers differ:\ncsv  %v\nxlsx %v\npq   %v", name, csvRows[0], xRows[0], pHeader)
		}
		if len(csvRows) != len(xRows) || len(csvRows)-1 != len(pRows) {
			t.Fatalf("%s: %d csv, %d xlsx, %d parquet rows", name, len(csvRows)-1, len(xRows)-1, len(pRows))
		}
		for j, col := range pHeader {
			want := parquet.ByteArray
			switch {
			case col == "value" || col == "numerator" || col == "denominator" || col == "change" || col == "gap_to_target" || col == "lower" || col == "upper":
				want = parquet.Double
			case isNumeric(col):
				want = parquet.Int64
			}
			if kinds[j] != want {
				t.Errorf("%s: parquet column %s is %v, want %v", name, col, kinds[j], want)
			}
		}
		for i, row := range csvRows[1:] {
			x := append(xRows[i+1], make([]string, len(row))...) // GetRows drops trailing empty cells
			for j, c := range row {
				if csvRows[0][j] == "query" { // names the format's own URL, checked below
					continue
				}
				if !sameText(c, x[j]) || !sameText(c, pRows[i][j]) {
					t.Errorf("%s row %d %s: csv %q, xlsx %q, parquet %q", name, i+1, row, c, x[j], pRows[i][j])
				}
			}
			col := map[string]string{}
			for j, h := range csvRows[0] {
				col[h] = row[j]
			}
			if col["data_version"] != version || col["query"] != "/export/"+name+".csv?"+canonical(params) {
				t.Errorf("%s: data_version %q query %q", name, col["data_version"], col["query"])
			}
			// A bound has no value, only the end it states.
			if strings.HasPrefix(col["display"], "<") && (col["value"] != "" || col["upper"] != col["display"][1:] || col["lower"] != "") {
				t.Errorf("%s: bound %v", name, col)
			}
			if col["qualifier"] == "EXACT" && (col["value"] == "" || col["lower"] != "" || col["upper"] != "") {
				t.Errorf("%s: exact figure %v", name, col)
			}
		}
		if meta["cadrestat.data_version"] != version || meta["cadrestat.query"] != "/export/"+name+".parquet?"+canonical(params) || !strings.Contains(meta["cadrestat.sources"], `"source_id":"src-pub"`) {
			t.Errorf("%s: parquet metadata %v", name, meta)
		}
		readme, _ := f.GetRows("README")
		if len(readme) < 3 || readme[1][0] != "data_version" || readme[1][1] != version || readme[2][1] != "/export/"+name+".xlsx?"+canonical(params) {
			t.Errorf("%s: README sheet %v", name, readme)
		}
		sources, _ := f.GetRows("sources")
		if len(sources) < 2 || sources[0][0] != "source_id" || !slices.ContainsFunc(sources, func(r []string) bool { return r[0] == "src-pub" }) {
			t.Errorf("%s: sources sheet %v", name, sources)
		}
	}
}

// canonical orders query parameters as the exports record them.
func canonical(params string) string {
	v, _ := urlParse(params)
	return v
}

// A comparison's CSV carries the national figure and the benchmarks after the units,
// marked by row_kind, unranked.
func TestCompareExportHasNationalAndBenchmarkRows(t *testing.T) {
	ts := newFiguresServer(t)
	rows := getCSV(t, ts, "/export/compare.csv?metric=female_pc_provincial_share&year=2020")
	nat := byKind(rows, "national")["VN"]
	if nat == nil || nat["province"] != "Việt Nam" || nat["rank"] != "" || nat["rank_best"] != "" {
		t.Fatalf("national row: %v", nat)
	}
	bench := byKind(rows, "benchmark")
	if len(bench) == 0 {
		t.Fatal("no benchmark rows")
	}
	for id, b := range bench {
		if !strings.HasPrefix(id, "region:") || b["rank"] != "" {
			t.Errorf("benchmark %s: %v", id, b)
		}
	}
	// Units come first, then the national row, then the benchmarks.
	kinds := []string{}
	k := slices.Index(rows[0], "row_kind")
	for _, r := range rows[1:] {
		if len(kinds) == 0 || kinds[len(kinds)-1] != r[k] {
			kinds = append(kinds, r[k])
		}
	}
	if !slices.Equal(kinds, []string{"unit", "national", "benchmark"}) {
		t.Errorf("row order %v", kinds)
	}
}

// Text from data stays text in XLSX (an inline string, never a formula, first character
// kept) and in Parquet.
func TestTypedExportsKeepFormulaTextAsText(t *testing.T) {
	ts, svc := newServer(t)
	if rep, err := svc.Load(context.Background(), injectionFiles()); err != nil || !rep.OK() {
		t.Fatalf("load: %v %+v", err, rep)
	}
	const q = "?metric=inj_count&year=2020&provinces=VN63-97,VN63-98,VN63-99,VN63-03"
	xb, _ := getBody(t, ts, "/export/compare.xlsx"+q)
	_, rows := readXLSX(t, xb, isNumeric)
	pb, _ := getBody(t, ts, "/export/compare.parquet"+q)
	_, _, pRows, _ := readParquet(t, pb)
	names := map[string]bool{}
	p := slices.Index(rows[0], "province")
	for i, r := range rows[1:] {
		names[r[p]] = true
		if pRows[i][p] != r[p] {
			t.Errorf("parquet %q, xlsx %q", pRows[i][p], r[p])
		}
	}
	for _, want := range []string{hyperlink, plusName, minusName, atName} {
		if !names[want] {
			t.Errorf("province %q not kept as text: %v", want, names)
		}
	}
}

func urlParse(params string) (string, error) {
	v, err := url.ParseQuery(params)
	return v.Encode(), err
}

// An observations export larger than MaxExportObservations is refused before any page is
// read, with a message that says how many matched; bad parameters are 400s.
func TestObservationsExportLimits(t *testing.T) {
	ts := newFiguresServer(t)
	old := server.MaxExportObservations
	server.MaxExportObservations = 3
	t.Cleanup(func() { server.MaxExportObservations = old })
	for path, want := range map[string]string{
		"/export/observations.csv?metrics=female_provincial_committee_share":            "7 observations match; an export holds at most 3: narrow the filter",
		"/export/observations.xlsx?provinces=VN63-92":                                   "give metrics (one or more metric IDs separated by commas)",
		"/export/observations.parquet?metrics=female_provincial_committee_share&from=x": "from must be a year",
	} {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || strings.TrimSpace(string(body)) != want {
			t.Errorf("%s: %d %q, want 400 %q", path, resp.StatusCode, body, want)
		}
	}
	// Within the limit, every page is read: 2 observations of Cần Thơ's two terms.
	server.MaxExportObservations = 10
	rows := getCSV(t, ts, "/export/observations.csv?metrics=female_provincial_committee_share&provinces=VN63-92")
	if len(rows) != 3 {
		t.Fatalf("%d rows: %v", len(rows)-1, rows)
	}
}

// An export longer than a page reads every page, in the API's order, without repeats.
func TestObservationsExportReadsEveryPage(t *testing.T) {
	ts, _ := newAnalyticsServer(t)
	res := post(t, ts, `{ observations(first: 0, filter: {metrics: ["voter_turnout"], includeSynthetic: true}) { totalCount } }`, nil)
	var c struct{ TotalCount int }
	if err := json.Unmarshal(res.Data["observations"], &c); err != nil || c.TotalCount <= 500 {
		t.Fatalf("want more than one page of observations to export: %s %v", res.Data["observations"], res.Errors)
	}
	rows := getCSV(t, ts, "/export/observations.csv?metrics=voter_turnout&includeSynthetic=true")
	ids := map[string]bool{}
	for _, r := range rows[1:] {
		ids[r[0]] = true
	}
	if len(rows)-1 != c.TotalCount || len(ids) != c.TotalCount {
		t.Fatalf("%d rows, %d distinct, want %d", len(rows)-1, len(ids), c.TotalCount)
	}
}
