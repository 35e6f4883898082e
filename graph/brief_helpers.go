package graph

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/cadrestat/cadrestat/service"
)

// tableCSVURL is the export link of a table (served by the binary at /export/table.csv).
func tableCSVURL(t *service.Table) string {
	v := url.Values{}
	ids := make([]string, len(t.Metrics))
	for i, m := range t.Metrics {
		ids[i] = m.ID
	}
	v.Set("metrics", strings.Join(ids, ","))
	ys := make([]string, len(t.Years))
	for i, y := range t.Years {
		ys[i] = strconv.Itoa(y)
	}
	v.Set("years", strings.Join(ys, ","))
	v.Set("map", string(t.Map))
	if len(t.Args.Provinces) > 0 {
		v.Set("provinces", strings.Join(t.Args.Provinces, ","))
	}
	if t.Args.Group != "" {
		v.Set("group", t.Args.Group)
	}
	if t.Args.IncludeSynthetic {
		v.Set("includeSynthetic", "true")
	}
	return "/export/table.csv?" + v.Encode()
}

// expectBrief announces a brief's observations to the request's loaders (one query for
// every alternatives field asked for).
func expectBrief(ctx context.Context, b *service.Brief) {
	for _, sec := range b.Sections {
		for _, it := range sec.Items {
			expectRows(ctx, append([]*service.Row{it.Row}, it.Predecessors...), it.National.Fig.Observation)
			expectPoints(ctx, it.Series)
		}
	}
}
