package synth

import "github.com/cadrestat/cadrestat/warehouse"

// Count is how many observations Each calls fn with (and Generate returns), without making
// them: what a progress bar counts towards.
func Count(cat *warehouse.Catalog, o Options) int {
	n := 0
	for year := o.From; year <= o.To; year++ {
		n += len(cat.ProvincesOn(warehouse.MapInForce(year))) * len(cat.Metrics) * max(o.Replicas, 1)
	}
	return n
}
