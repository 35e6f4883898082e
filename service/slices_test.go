package service_test

import (
	"context"
	"testing"

	"github.com/cadrestat/cadrestat/data"
	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/internal/testenv"
	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/warehouse"
)

func TestWarmSlicesAnswerWithoutTheWarehouse(t *testing.T) {
	ctx := context.Background()
	cs := &testenv.Counting{Store: testenv.Store(t)}
	svc := service.New(cs, nil)
	if rep, err := svc.LoadBundled(ctx, data.Files(), data.Digest()); err != nil || !rep.OK() {
		t.Fatalf("%v %+v", err, rep)
	}
	if err := svc.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	before := cs.Calls.Load()
	args := service.CompareArgs{Metric: "female_provincial_committee_share", Year: 2015, Map: warehouse.VN63}
	c, err := svc.Compare(ctx, args)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Series(ctx, service.SeriesArgs{Metric: "female_pc_provincial_share", Provinces: []string{"VN63-02"}, From: 2010, To: 2025, Map: warehouse.VN63}); err != nil {
		t.Fatal(err)
	}
	if calls := cs.Calls.Load() - before; calls != 0 {
		t.Fatalf("%d warehouse queries after warming; want 0", calls)
	}
	// The warm answer is the answer: a service that never warmed computes the same rows.
	coldSvc := service.New(cs.Store, nil)
	if err := coldSvc.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	cold, err := coldSvc.Compare(ctx, args)
	if err != nil {
		t.Fatal(err)
	}
	withFigure := 0
	for i, r := range c.Rows {
		if (r.Fig.Value == nil) != (cold.Rows[i].Fig.Value == nil) || r.Fig.Value != nil && *r.Fig.Value != *cold.Rows[i].Fig.Value ||
			r.Province.ID != cold.Rows[i].Province.ID || (r.RankRange == nil) != (cold.Rows[i].RankRange == nil) {
			t.Fatalf("row %d from the cache %+v differs from a cold computation %+v", i, r, cold.Rows[i])
		}
		if r.Fig.Value != nil {
			withFigure++
		}
	}
	if withFigure < 12 {
		t.Fatalf("%d provinces with a 2015-term figure from the cache; the bundle has at least 12", withFigure)
	}
	// A load changes the data version: the next comparison reads the new data.
	file := "subject,metric,period,value,numerator,denominator,qualifier,status,source,quote,note\n" +
		"VN63-01,female_provincial_committee_share,term:2015-2020,30,,,EXACT,PUBLISHED,seed-000,q,\n"
	if rep, err := svc.Load(ctx, []ingest.File{{Name: "o.csv", Data: []byte(file)}}); err != nil || !rep.OK() {
		t.Fatalf("%v %+v", err, rep)
	}
	before = cs.Calls.Load()
	c, err = svc.Compare(ctx, args)
	if err != nil || cs.Calls.Load()-before != 1 {
		t.Fatalf("after a load: %v, %d queries; want 1", err, cs.Calls.Load()-before)
	}
	served := false
	for _, r := range c.Rows {
		if r.Province.ID == "VN63-01" && r.Fig.Observation != nil && r.Fig.Observation.SourceID == "seed-000" && *r.Fig.Value == 30 {
			served = true
		}
	}
	if !served {
		t.Fatal("the new figure for VN63-01 is not served after the load")
	}
}
