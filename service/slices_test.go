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
	ranked := 0
	for _, r := range c.Rows {
		if r.Rank != nil {
			ranked++
		}
	}
	if ranked != 12 {
		t.Fatalf("%d ranked provinces in the 2015 term from the cache; want 12", ranked)
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
	if top := c.Rows[0]; top.Province.ID != "VN63-01" || *top.Fig.Value != 30 {
		t.Fatalf("new figure not served: %s %v", top.Province.ID, *top.Fig.Value)
	}
}
