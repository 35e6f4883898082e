package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"reflect"
	"sort"
	"testing"

	"github.com/cadrestat/cadrestat/data"
	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/internal/testenv"
	"github.com/cadrestat/cadrestat/server"
	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/synth"
	"github.com/cadrestat/cadrestat/warehouse"
)

// A client cache (Apollo InMemoryCache, urql Graphcache) stores every object with an id
// once, under __typename:id, and answers later queries from that one entry. So the schema's
// rule is: two objects with the same __typename and id are equal in every field they both
// carry, across every answer of one data version. This test fetches a sample a client would
// (two years of a comparison on both maps, with and without synthetic figures, two briefs,
// an observation with an earlier revision) and fails on the first id that names two
// different contents.

// The queries select __typename wherever they select id (as a client cache adds it), and
// only fields the schema had before ids were made unique, so the same test ran against the
// old code reports the clashes rather than unknown fields.
const idsFigure = `figure { display value qualifier status note
    parts { __typename id value note revision } observation { __typename id value note } }`

const idsCompareQ = `query($m: ID!, $y: Int!, $map: Map, $p: [ID!], $syn: Boolean) {
  compare(metric: $m, year: $y, map: $map, provinces: $p, includeSynthetic: $syn) {
    year rows { display province { __typename id map name kind region } ` + idsFigure + ` }
    national { __typename id name ` + idsFigure + ` }
    benchmarks { __typename id name ` + idsFigure + ` }
    target { __typename id label deadline } } }`

const idsBriefQ = `query($p: ID!) { brief(province: $p) { year province { __typename id name }
  region { __typename id name }
  sections { __typename id nameEn items { metric { __typename id nameEn } year row { display }
    region { __typename id name ` + idsFigure + ` } national { __typename id name ` + idsFigure + ` } } } } }`

const idsObservationsQ = `query($m: [ID!], $p: [ID!]) { observations(filter: {metrics: $m, provinces: $p}, first: 50) {
  edges { node { __typename id value note revision revisions { __typename id value note revision } } } } }`

// seenObject is the first object met under one __typename:id, and where.
type seenObject struct {
	fields map[string]any
	where  string
}

// idIndex collects every object with an id in a set of answers.
type idIndex struct {
	t     *testing.T
	seen  map[string]seenObject
	count map[string]int // objects met per __typename
	again int            // objects met a second time with equal content
}

// add walks an answer; where names the query it came from, path the place in it.
func (ix *idIndex) add(v any, where, path string) {
	switch v := v.(type) {
	case []any:
		for i, e := range v {
			ix.add(e, where, fmt.Sprintf("%s[%d]", path, i))
		}
	case map[string]any:
		if id, ok := v["id"]; ok {
			tn, ok := v["__typename"].(string)
			if !ok {
				ix.t.Fatalf("%s %s: an object with an id but no __typename (the query must select it)", where, path)
			}
			key := tn + ":" + fmt.Sprint(id)
			ix.count[tn]++
			if first, ok := ix.seen[key]; ok {
				if diff := firstDifference(first.fields, v, key); diff != "" {
					ix.t.Errorf("%s names two different objects: %s\n  first in %s\n  then in %s at %s", key, diff, first.where, where, path)
				} else {
					ix.again++
				}
			} else {
				ix.seen[key] = seenObject{v, where + " at " + path}
			}
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ix.add(v[k], where, path+"."+k)
		}
	}
}

// firstDifference compares the fields two objects both carry (queries select different
// fields of one object; a cache merges them), lists element by element; "" when equal.
func firstDifference(a, b any, path string) string {
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: %v vs %v", path, a, b)
		}
		keys := make([]string, 0, len(a))
		for k := range a {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if bv, ok := bm[k]; ok {
				if d := firstDifference(a[k], bv, path+"."+k); d != "" {
					return d
				}
			}
		}
		return ""
	case []any:
		bl, ok := b.([]any)
		if !ok || len(a) != len(bl) {
			return fmt.Sprintf("%s: %d items vs %v", path, len(a), b)
		}
		for i := range a {
			if d := firstDifference(a[i], bl[i], fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
		return ""
	}
	if !reflect.DeepEqual(a, b) {
		return fmt.Sprintf("%s: %v vs %v", path, a, b)
	}
	return ""
}

// newIDsServer loads the bundle and synthetic data (seed 1), then revises one published
// observation in a second load, so the store holds an ID with two revisions.
func newIDsServer(t *testing.T) (*httptest.Server, warehouse.Observation) {
	t.Helper()
	ctx := context.Background()
	svc := service.New(testenv.Store(t), discard)
	b, _ := ingest.Prepare(data.Files(), nil)
	var buf bytes.Buffer
	synth.WriteCSV(&buf, synth.Generate(b.Catalog(), synth.Options{Seed: 1, From: 2010, To: 2030}))
	if rep, err := svc.Load(ctx, append(data.Files(), ingest.File{Name: "synthetic.csv", Data: buf.Bytes()})); err != nil || !rep.OK() {
		t.Fatalf("load: %v %+v", err, rep)
	}
	page, err := svc.Observations(ctx, service.FilterArgs{Metrics: []string{"female_provincial_committee_share"}, Provinces: []string{"VN63-01"}}, 1, "")
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("an observation to revise: %v %+v", err, page)
	}
	rev := page.Items[0]
	rev.Note = "revised by TestIDsNameOneContent"
	if rep, err := svc.Load(ctx, []ingest.File{{Name: "revision.csv", Rows: []warehouse.Observation{rev}}}); err != nil || !rep.OK() || rep.Changed == 0 {
		t.Fatalf("revising load: %v %+v", err, rep)
	}
	ts := httptest.NewServer(wired(svc, server.Defaults(), discard))
	t.Cleanup(ts.Close)
	return ts, page.Items[0]
}

func TestIDsNameOneContent(t *testing.T) {
	ts, revised := newIDsServer(t)
	ix := &idIndex{t: t, seen: map[string]seenObject{}, count: map[string]int{}}
	ask := func(name, q string, vars map[string]any) any {
		t.Helper()
		res := post(t, ts, q, vars)
		if len(res.Errors) > 0 {
			t.Fatalf("%s: %+v", name, res.Errors)
		}
		var data any
		raw, _ := json.Marshal(res.Data)
		if err := json.Unmarshal(raw, &data); err != nil {
			t.Fatal(err)
		}
		ix.add(data, name, "data")
		return data
	}
	const share = "female_provincial_committee_share"
	// 2015 has no national figure and 2020 has "16" (issue 25's case); VN63-01 and the
	// nation as rows; both maps; 2012 with and without synthetic figures.
	vn63, vn34 := []string{"VN", "VN63-01"}, []string{"VN", "VN34-01"}
	for _, c := range []struct {
		year int
		mp   string
		rows []string
		syn  bool
	}{{2020, "VN63", vn63, false}, {2015, "VN63", vn63, false}, {2020, "VN34", vn34, false},
		{2012, "VN63", vn63, false}, {2012, "VN63", vn63, true}, {2020, "VN63", vn63, true}} {
		ask(fmt.Sprintf("compare %d %s synthetic=%v", c.year, c.mp, c.syn), idsCompareQ,
			map[string]any{"m": share, "y": c.year, "map": c.mp, "p": c.rows, "syn": c.syn})
	}
	for _, p := range []string{"VN63-01", "VN63-08"} {
		ask("brief "+p, idsBriefQ, map[string]any{"p": p})
	}
	obs := ask("observations of VN63-01", idsObservationsQ, map[string]any{"m": []string{share}, "p": []string{revised.SubjectID}})
	revisions := 0
	for _, e := range obs.(map[string]any)["observations"].(map[string]any)["edges"].([]any) {
		revisions += len(e.(map[string]any)["node"].(map[string]any)["revisions"].([]any))
	}
	if revisions == 0 {
		t.Errorf("the revised observation shows no earlier revision")
	}
	if t.Failed() {
		return
	}
	// The sample must exercise the rule: every kind of id met, and some met twice.
	for _, tn := range []string{"Province", "Observation", "Benchmark", "BriefSection", "Metric", "Target", "Group"} {
		if ix.count[tn] == 0 {
			t.Errorf("no %s with an id in the sample", tn)
		}
	}
	if ix.again == 0 {
		t.Error("no object met twice: the sample checks nothing")
	}
	t.Logf("%d distinct objects with an id, %d met again with equal content, per type %v", len(ix.seen), ix.again, ix.count)
}
