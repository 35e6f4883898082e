package server_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/ingest"
)

// Exports carry the page a reader opens and when it was read, as their own columns and
// inside the citation; a seed source loaded without a link has neither, and its citation
// never names its file (a reader cannot open a file name).
func TestCSVExportsHaveSourceURL(t *testing.T) {
	ts, svc := newServer(t)
	const url = "https://example.vn/tin-tuc/ty-le-nu-29,2%25-a1.html"
	files := []ingest.File{
		{Name: "s.csv", Data: []byte("id,title,issuer,doc_number,date,language,location,kind,licence,url,retrieved\n" +
			"url-press,Tỷ lệ nữ cấp ủy,Báo Thử,,2020-10-30,vi,example.vn,press,,\"" + url + "\",2026-11-01\n" +
			"url-seed,Seed,Issuer,,2021,vi,000_x.txt,seed,,,\n")},
		{Name: "m.csv", Data: []byte("id,name_en,name_vi,unit,kind,body,better,aggregation,level,description\n" +
			"url_count,Count,Số,persons,COUNT,test,HIGHER,SUM,provincial,\n")},
		{Name: "o.csv", Data: []byte("subject,metric,period,value,numerator,denominator,qualifier,status,source,quote,note\n" +
			"VN63-92,url_count,2020,12,,,EXACT,PUBLISHED,url-press,có 12 đồng chí,\n" +
			"VN63-93,url_count,2020,7,,,EXACT,PUBLISHED,url-seed,bảy,\n")},
	}
	if rep, err := svc.Load(context.Background(), files); err != nil || !rep.OK() {
		t.Fatalf("load: %v %+v", err, rep)
	}
	res := post(t, ts, `{ p: source(id: "url-press") { url retrieved } s: source(id: "url-seed") { url retrieved } }`, nil)
	if len(res.Errors) > 0 || string(res.Data["p"]) != `{"url":"`+url+`","retrieved":"2026-11-01"}` || string(res.Data["s"]) != `{"url":null,"retrieved":null}` {
		t.Fatalf("Source.url/retrieved: %s %s %v", res.Data["p"], res.Data["s"], res.Errors)
	}
	for _, path := range []string{
		"/export/compare.csv?metric=url_count&year=2020&provinces=VN63-92,VN63-93",
		"/export/series.csv?metric=url_count&from=2020&to=2020&provinces=VN63-92,VN63-93",
	} {
		rows := getCSV(t, ts, path)
		h := rows[0]
		if i := slices.Index(h, "source_url"); i < 0 || i+2 >= len(h) || h[i+1] != "retrieved" || h[i+2] != "citation" {
			t.Fatalf("%s: header %v", path, h)
		}
		got := byColumn(rows)
		p, s := got["VN63-92"], got["VN63-93"]
		if p["source_url"] != url || p["retrieved"] != "2026-11-01" || !strings.HasSuffix(p["citation"], "“có 12 đồng chí”, "+url+", retrieved 2026-11-01") {
			t.Errorf("%s: press row %v", path, p)
		}
		if s["source_url"] != "" || s["retrieved"] != "" || strings.Contains(s["citation"], "000_x.txt") || strings.Contains(s["citation"], "retrieved") {
			t.Errorf("%s: seed row %v", path, s)
		}
	}
}
