package server_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/data"
	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/internal/testenv"
	"github.com/cadrestat/cadrestat/server"
	"github.com/cadrestat/cadrestat/service"
)

// Honest figures through the API, on a small fixture of its own (the bundle's reference
// tables, with sources, targets and observations written here), so every expectation below
// is computed by hand from the rows in this file.

const figSources = "id,title,issuer,doc_number,date,language,location,kind,licence\n" +
	"src-pub,Women's Union report,Women's Union,,2020-10-30,vi,test,user,\n" +
	"src-early,Early press count,Paper,,2020-01-01,vi,test,user,\n" +
	"src-undp,UNDP figure,UNDP,,,en,test,user,\n" +
	"src-vnp,VietnamPlus article,VietnamPlus,,,vi,test,user,\n" +
	"synthetic,Synthetic,cadrestat,,,en,generated,synthetic,\n" +
	"seed-000,Group source,x,,,vi,test,user,\nseed-001,Group source,x,,,vi,test,user,\nseed-002,Group source,x,,,vi,test,user,\n" // cited by groups.csv

const figTargets = "id,metric,scope,lower,upper,lower_inclusive,upper_inclusive,deadline,directive,source,quote,note\n" +
	"t-fc,female_provincial_committee_share,VN,15,,true,false,2020,directive,src-pub,q,\n" +
	"t-na,female_na_share,VN,35,,false,false,2030,resolution,src-pub,q,\n" +
	"t-grp,female_committee_share_all_levels,group:unnamed-002,20,25,true,true,2030,provincial,src-pub,q,\n"

const figObs = "subject,metric,period,value,numerator,denominator,qualifier,status,source,quote,note\n" +
	// 2020-2025 term: one exact share, four published as "below 10 %".
	"VN63-08,female_provincial_committee_share,term:2020-2025,29.2,,,EXACT,PUBLISHED,src-pub,q,\n" +
	"VN63-08,female_provincial_committee_share,term:2020-2025,28,,,EXACT,PUBLISHED,src-early,q,\n" +
	"VN63-44,female_provincial_committee_share,term:2020-2025,10,,,UPPER_BOUND,PUBLISHED,src-pub,q,\n" +
	"VN63-92,female_provincial_committee_share,term:2020-2025,10,,,UPPER_BOUND,PUBLISHED,src-pub,q,\n" +
	"VN63-80,female_provincial_committee_share,term:2020-2025,10,,,UPPER_BOUND,PUBLISHED,src-pub,q,\n" +
	"VN63-68,female_provincial_committee_share,term:2020-2025,10,,,UPPER_BOUND,PUBLISHED,src-pub,q,\n" +
	"VN63-92,female_provincial_committee_share,term:2015-2020,15,,,EXACT,PUBLISHED,src-pub,q,\n" +
	// National Assembly: a true tie in term XIV, and term XV against "> 35 %".
	"VN,female_na_share,term:2016-2021,26.72,,,EXACT,PUBLISHED,src-vnp,q,\n" +
	"VN,female_na_share,term:2016-2021,26.8,,,EXACT,PUBLISHED,src-undp,q,\n" +
	"VN,female_na_share,term:2021-2026,30.26,151,499,EXACT,PUBLISHED,src-pub,q,\n" +
	// Tây Ninh: two yearly staff cuts and a cumulative 2015-2021 figure.
	"VN63-72,staff_cut,2016,10,,,EXACT,PUBLISHED,src-pub,q,\n" +
	"VN63-72,staff_cut,2017,12,,,EXACT,PUBLISHED,src-pub,q,\n" +
	"VN63-72,staff_cut,range:2015-2021,107,,,EXACT,PUBLISHED,src-pub,q,\n" +
	// A group's own figure against its own target.
	"group:unnamed-002,female_committee_share_all_levels,term:2020-2025,24.01,,,EXACT,PUBLISHED,src-pub,q,\n" +
	// VN34 Cần Thơ in 2020 = VN63 Cần Thơ + Hậu Giang (synthetic) + Sóc Trăng.
	"VN63-92,female_pc_provincial_share,2020,23.64,13,55,EXACT,PUBLISHED,src-pub,q,\n" +
	"VN63-93,female_pc_provincial_share,2020,20,10,50,EXACT,SYNTHETIC,synthetic,,\n" +
	"VN63-94,female_pc_provincial_share,2020,25,12,48,EXACT,PUBLISHED,src-pub,q,\n"

func newFiguresServer(t *testing.T) *httptest.Server {
	t.Helper()
	var files []ingest.File
	for _, f := range data.Files() {
		switch f.Name {
		case "data/provinces.csv", "data/province-lineage.csv", "data/groups.csv", "data/metrics.csv":
			files = append(files, f)
		}
	}
	files = append(files, ingest.File{Name: "sources.csv", Data: []byte(figSources)}, ingest.File{Name: "targets.csv", Data: []byte(figTargets)},
		ingest.File{Name: "observations.csv", Data: []byte(figObs)})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := service.New(testenv.Store(t), log)
	rep, err := svc.Load(context.Background(), files)
	if err != nil || !rep.OK() {
		t.Fatalf("load: %v %+v", err, rep)
	}
	ts := httptest.NewServer(wired(svc, server.Defaults(), log))
	t.Cleanup(ts.Close)
	return ts
}

func gql(t *testing.T, ts *httptest.Server, q string, out any) {
	t.Helper()
	res := post(t, ts, q, nil)
	if len(res.Errors) > 0 {
		t.Fatalf("%s: %+v", q, res.Errors)
	}
	for _, v := range res.Data {
		if err := json.Unmarshal(v, out); err != nil {
			t.Fatal(err)
		}
	}
}

type figRow struct {
	Rank         *int
	RankRange    *struct{ Best, Worst int }
	RankOf       int
	GroupRank    *int
	Province     struct{ ID string }
	Value        *float64
	Qualifier    *string
	Display      string
	Change       *float64
	ChangeNote   string
	GapToTarget  *float64
	TargetStatus string
	Contested    bool
}

const rowFields = `rank rankRange { best worst } rankOf groupRank province { id } value qualifier display change changeNote gapToTarget targetStatus contested`

func TestBoundsRankAsIntervalsAmongAllUnits(t *testing.T) {
	ts := newFiguresServer(t)
	var c struct {
		RankOf int
		Rows   []figRow
	}
	gql(t, ts, `{ compare(metric: "female_provincial_committee_share", year: 2020) { rankOf rows { `+rowFields+` } } }`, &c)
	by := map[string]figRow{}
	for _, r := range c.Rows {
		by[r.Province.ID] = r
	}
	// By hand: five units have a figure. Tuyên Quang 29.2 is first for sure (each "<10" is
	// at most 10); each "<10" is behind it and may be 2nd to 5th. Cần Thơ's earlier figure
	// (15, 2015) is exact but its 2020 one is a bound: no change.
	tq, ct := by["VN63-08"], by["VN63-92"]
	if c.RankOf != 5 || tq.Rank == nil || *tq.Rank != 1 || tq.RankRange.Best != 1 || tq.RankRange.Worst != 1 || tq.RankOf != 5 {
		t.Fatalf("Tuyên Quang: %+v (rankOf %d)", tq, c.RankOf)
	}
	if *tq.Value != 29.2 || *tq.GapToTarget != 14.2 || tq.TargetStatus != "MET" { // the later of two sources; a surplus is positive
		t.Fatalf("Tuyên Quang: %+v", tq)
	}
	if ct.Rank != nil || ct.RankRange.Best != 2 || ct.RankRange.Worst != 5 || ct.Display != "<10" || *ct.Qualifier != "UPPER_BOUND" {
		t.Fatalf("Cần Thơ: %+v", ct)
	}
	if ct.TargetStatus != "BELOW" || ct.GapToTarget != nil || ct.Change != nil || !strings.Contains(ct.ChangeNote, "<10") {
		t.Fatalf("Cần Thơ against ≥ 15: %+v", ct)
	}
	// A filter shows fewer rows, never other ranks.
	var one struct{ Rows []figRow }
	gql(t, ts, `{ compare(metric: "female_provincial_committee_share", year: 2020, provinces: ["VN63-92"]) { rows { `+rowFields+` } } }`, &one)
	if len(one.Rows) != 1 || one.Rows[0].Rank != nil || one.Rows[0].RankRange.Best != 2 || one.Rows[0].RankOf != 5 {
		t.Fatalf("filtered: %+v", one.Rows)
	}
	// The CSV says the same: display "<10", ranks 2–5, no change.
	resp, err := http.Get(ts.URL + "/export/compare.csv?metric=female_provincial_committee_share&year=2020&provinces=VN63-92")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))).ReadAll()
	// The unit's row, then the national and regional rows (row_kind).
	if err != nil || len(rows) < 3 || rows[2][slices.Index(rows[0], "row_kind")] != "national" {
		t.Fatalf("csv: %v %v", err, rows)
	}
	col := map[string]string{}
	for i, h := range rows[0] {
		col[h] = rows[1][i]
	}
	// A bound has no value, only its upper end.
	if col["value"] != "" || col["upper"] != "10" || col["lower"] != "" || col["row_kind"] != "unit" {
		t.Fatalf("csv bound: %v", col)
	}
	if col["rank"] != "" || col["display"] != "<10" || col["qualifier"] != "UPPER_BOUND" || col["rank_best"] != "2" || col["rank_worst"] != "5" || col["change"] != "" || col["target"] != "≥ 15 % by 2020 (directive)" {
		t.Fatalf("csv row: %v", col)
	}
}

func TestGroupRankAndContestedCell(t *testing.T) {
	ts := newFiguresServer(t)
	// Mekong Delta members with a figure: Cần Thơ and Long An, both "<10": two members are
	// too few for a group rank (service.MinRanked); 2–5 on the map.
	var c struct {
		GroupRankOf int
		Rows        []struct {
			figRow
			GroupRankRange *struct{ Best, Worst int }
		}
	}
	gql(t, ts, `{ compare(metric: "female_provincial_committee_share", year: 2020, group: "region:VN63:mekong_delta") { groupRankOf rows { `+rowFields+` groupRankRange { best worst } } } }`, &c)
	if c.GroupRankOf != 2 || len(c.Rows) != 13 || c.Rows[0].GroupRankRange != nil || c.Rows[0].RankRange.Best != 2 {
		t.Fatalf("group ranks: %d of, first %+v", c.GroupRankOf, c.Rows[0])
	}
	// NA term XIV: two undated press figures, 26.72 and 26.8: a true tie, flagged.
	var n struct {
		National struct{ Figure struct{ Contested bool } }
	}
	gql(t, ts, `{ compare(metric: "female_na_share", period: "term:2016-2021") { national { figure { contested } } } }`, &n)
	if !n.National.Figure.Contested {
		t.Fatal("the NA term XIV cell is not flagged contested")
	}
}

func TestNationalAndGroupTargetsAreDecided(t *testing.T) {
	ts := newFiguresServer(t)
	type scope struct {
		Unit         struct{ ID string }
		Figure       struct{ Value float64 }
		TargetStatus string
		GapToTarget  *float64
		Target       struct{ Label string }
	}
	var a struct {
		National scope
		Groups   []scope
	}
	// By hand: 30.26 against "> 35 %" is BELOW by 4.74.
	gql(t, ts, `{ targetAttainment(metric: "female_na_share", year: 2021) { national { unit { id } figure { value } targetStatus gapToTarget target { label } } } }`, &a)
	if a.National.Figure.Value != 30.26 || a.National.TargetStatus != "BELOW" || *a.National.GapToTarget != -4.74 || a.National.Target.Label != "> 35 %" {
		t.Fatalf("national: %+v", a.National)
	}
	// The unnamed province of source 002: 24.01 against 20–25 % is MET, 0.99 from 25.
	gql(t, ts, `{ targetAttainment(metric: "female_committee_share_all_levels", period: "term:2020-2025") { groups { unit { id } figure { value } targetStatus gapToTarget target { label } } } }`, &a)
	if len(a.Groups) != 1 || a.Groups[0].Unit.ID != "unnamed-002" || a.Groups[0].TargetStatus != "MET" || *a.Groups[0].GapToTarget != 0.99 {
		t.Fatalf("groups: %+v", a.Groups)
	}
}

func TestRangesKeepTheirKind(t *testing.T) {
	ts := newFiguresServer(t)
	var ser []struct {
		Points []struct {
			Year   int
			Value  float64
			Period struct{ Kind, Label string }
		}
	}
	gql(t, ts, `{ series(metric: "staff_cut", provinces: ["Tây Ninh"], from: 2010, to: 2025) { points { year value period { kind label } } } }`, &ser)
	var got []string
	for _, p := range ser[0].Points {
		got = append(got, fmt.Sprintf("%s=%v", p.Period.Label, p.Value))
	}
	// 2015 has no yearly point: the range is its own point, not a 2015 value.
	if fmt.Sprint(got) != "[range:2015-2021=107 2016=10 2017=12]" || ser[0].Points[0].Period.Kind != "RANGE" {
		t.Fatalf("points %v", got)
	}
	var c struct{ Rows []figRow }
	gql(t, ts, `{ compare(metric: "staff_cut", year: 2015, provinces: ["VN63-72"]) { rows { `+rowFields+` } } }`, &c)
	if c.Rows[0].Value != nil {
		t.Fatalf("the 2015-2021 range compared as 2015: %+v", c.Rows[0])
	}
	gql(t, ts, `{ compare(metric: "staff_cut", period: "range:2015-2021", provinces: ["VN63-72"]) { rows { `+rowFields+` } } }`, &c)
	if c.Rows[0].Value == nil || *c.Rows[0].Value != 107 || c.Rows[0].Rank != nil || c.Rows[0].RankOf != 1 { // one unit: no rank
		t.Fatalf("compared on the range: %+v", c.Rows[0])
	}
	var tr struct {
		PeriodKind string
		Slope      float64
		Points     []struct{ Year int }
		LeftOut    []struct{ Period struct{ Label string } }
		Why        string
	}
	gql(t, ts, `{ trend(metric: "staff_cut", province: "VN63-72", from: 2010, to: 2025) { periodKind slope points { year } leftOut { period { label } } why } }`, &tr)
	if tr.PeriodKind != "YEAR" || len(tr.Points) != 2 || tr.Slope != 2 || len(tr.LeftOut) != 1 || !strings.Contains(tr.Why, "1 figure(s) of other period kinds") {
		t.Fatalf("trend %+v", tr)
	}
}

func TestProjectionWithSyntheticPartIsSynthetic(t *testing.T) {
	ts := newFiguresServer(t)
	type figure struct {
		Value  *float64
		Status *string
		Parts  []struct {
			Status   string
			Citation string
		}
	}
	var c struct {
		Rows []struct {
			Province struct{ ID string }
			Figure   figure
		}
	}
	q := `{ compare(metric: "female_pc_provincial_share", year: 2020, map: VN34, provinces: ["Cần Thơ"], includeSynthetic: %v) { rows { province { id } figure { value status parts { status citation } } } } }`
	gql(t, ts, fmt.Sprintf(q, true), &c)
	f := c.Rows[0].Figure
	// By hand: (13 + 10 + 12) / (55 + 50 + 48) = 35/153 = 22.8758…%.
	if f.Value == nil || fmt.Sprintf("%.4f", *f.Value) != "22.8758" || *f.Status != "SYNTHETIC" || len(f.Parts) != 3 || f.Parts[0].Citation == "" {
		t.Fatalf("projected Cần Thơ: %+v", f)
	}
	gql(t, ts, fmt.Sprintf(q, false), &c)
	if c.Rows[0].Figure.Value != nil || c.Rows[0].Figure.Status != nil {
		t.Fatalf("without synthetic rows: %+v", c.Rows[0].Figure)
	}
}

func TestNamesAliasesAndMapMismatch(t *testing.T) {
	ts := newFiguresServer(t)
	for in, want := range map[string]string{"Hanoi": "VN63-01", "HCMC": "VN63-79", "TP Hồ Chí Minh": "VN63-79", "TP Cần Thơ": "VN63-92", "ba ria vung tau": "VN63-77"} {
		var p struct{ ID string }
		gql(t, ts, fmt.Sprintf(`{ province(id: %q, map: VN63) { id } }`, in), &p)
		if p.ID != want {
			t.Errorf("%q: %q, want %s", in, p.ID, want)
		}
	}
	var hits []struct{ ID, Name string }
	gql(t, ts, `{ searchProvinces(text: "giang", map: VN63) { id name } }`, &hits)
	if len(hits) != 6 { // Hà, Bắc, Tiền, An, Kiên and Hậu Giang
		t.Fatalf("search: %v", hits)
	}
	gql(t, ts, `{ searchProvinces(text: "can", map: VN34) { id name } }`, &hits)
	if len(hits) == 0 || hits[0].ID != "VN34-92" { // a name starting with it comes first
		t.Fatalf("search: %v", hits)
	}
	res := post(t, ts, `{ province(id: "VN34-92", map: VN63) { id } }`, nil)
	if len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || !strings.Contains(res.Errors[0].Message, "is on map VN34, not VN63") {
		t.Fatalf("mismatch: %+v", res.Errors)
	}
	// VN34 Cần Thơ's figures before the merger are its predecessors'.
	var conn struct{ TotalCount int }
	gql(t, ts, `{ observations(filter: {metrics: ["female_pc_provincial_share"], provinces: ["VN34-92"], includePredecessors: true}) { totalCount } }`, &conn)
	if conn.TotalCount != 2 { // the synthetic one stays hidden
		t.Fatalf("with predecessors: %d", conn.TotalCount)
	}
}

// Benchmarks carry their Vietnamese name beside the English one (the explorer's Vietnamese
// page prints it): every region of both maps, and the nation.
func TestBenchmarkNamesInVietnamese(t *testing.T) {
	ts := newFiguresServer(t)
	for _, mp := range []string{"VN63", "VN34"} {
		var c struct {
			National   struct{ Name, NameVi string }
			Benchmarks []struct{ Unit, Name, NameVi string }
		}
		gql(t, ts, `{ compare(metric: "voter_turnout", year: 2021, map: `+mp+`) { national { name nameVi } benchmarks { unit name nameVi } } }`, &c)
		if c.National.NameVi != "Việt Nam" || len(c.Benchmarks) == 0 {
			t.Fatalf("%s: national %+v, %d benchmarks", mp, c.National, len(c.Benchmarks))
		}
		for _, b := range c.Benchmarks {
			if b.NameVi == "" || b.NameVi == b.Name || !strings.ContainsAny(b.NameVi, "ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵĐ") {
				t.Errorf("%s %s: name %q, nameVi %q", mp, b.Unit, b.Name, b.NameVi)
			}
		}
	}
}
