package synth

import (
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
)

func TestCountIsWhatEachMakes(t *testing.T) {
	cat := &warehouse.Catalog{
		Provinces: []warehouse.Province{
			{ID: "VN63-01", Map: warehouse.VN63, Code: "01", Name: "A"},
			{ID: "VN63-02", Map: warehouse.VN63, Code: "02", Name: "B"},
			{ID: "VN34-01", Map: warehouse.VN34, Code: "01", Name: "A"},
		},
		Metrics: []warehouse.Metric{{ID: "m1", Kind: warehouse.MetricCount}, {ID: "m2", Kind: warehouse.MetricCount}},
	}
	cat.Index()
	for _, o := range []Options{{Seed: 1, From: 2020, To: 2028}, {Seed: 1, From: 2024, To: 2024, Replicas: 3}, {Seed: 1, From: 2030, To: 2030}} {
		made := 0
		Each(cat, o, func(warehouse.Observation) { made++ })
		if got := Count(cat, o); got != made || made == 0 {
			t.Errorf("%+v: Count %d, Each made %d", o, got, made)
		}
	}
}
