package main

import (
	"fmt"
	"strings"
)

// printTables prints, per scale, the loading and serving figures, the scenarios and the
// targets, with -before's figures beside -bin's.
func printTables(reports []scaleReport, bins []*binary) {
	for _, b := range bins {
		if len(b.Missing) > 0 {
			fmt.Printf("\n%s (%s) lacks, so the harness did without: %s\n", b.Label, b.Path, strings.Join(b.Missing, "; "))
		}
	}
	for _, r := range reports {
		runs := []*runReport{&r.runReport}
		if r.Before != nil {
			runs = append(runs, r.Before)
		}
		fmt.Printf("\nscale %s: %d observations (observation CSV %.0f MiB); engine alone, no validation: %.0f rows/s; raw warehouse compare p50 %.1f ms; %s → %s\n",
			r.Scale, r.Observations, float64(r.CSVBytes)/(1<<20), r.RawInsertRPS, r.RawCompareMs, r.LoadAvg[0], strings.TrimPrefix(r.LoadAvg[len(r.LoadAvg)-1], "load average "))
		row := func(name string, f func(*runReport) string) {
			fmt.Printf("%-44s", name)
			for _, x := range runs {
				fmt.Printf(" | %-36s", f(x))
			}
			fmt.Println()
		}
		row("", func(x *runReport) string { return x.Binary })
		row("ingest rows/s (% of engine alone)", func(x *runReport) string {
			return fmt.Sprintf("%.0f (%.0f %%) in %.1f s", x.IngestRowsPS, 100*x.IngestRowsPS/r.RawInsertRPS, x.IngestS)
		})
		row("ingest peak RSS", func(x *runReport) string { return fmt.Sprintf("%.0f MiB", x.IngestPeakRSSMiB) })
		row("serve ready / cache warm (from start)", func(x *runReport) string {
			return fmt.Sprintf("%.0f ms / %.1f s", x.ReadyMs, x.WarmMs/1000)
		})
		row("metric-cache warm-up (logged)", func(x *runReport) string { return fmt.Sprintf("%.1f s", x.WarmupMs/1000) })
		row("serve peak RSS (before the hand-off)", func(x *runReport) string { return fmt.Sprintf("%.0f MiB", x.PeakRSSMiB) })
		for i := range r.Handoff {
			row("hand-off "+r.Handoff[i].Mode, func(x *runReport) string {
				if i >= len(x.Handoff) {
					return "—"
				}
				h := x.Handoff[i]
				if h.Error != "" {
					return "failed"
				}
				return fmt.Sprintf("%.1f s; client %.0f, server +%.0f MiB", h.Seconds, h.ClientMiB, h.ServerGrowthMiB)
			})
		}
		fmt.Println()
		row("scenario (req/s, p50 / p99 ms, vs bare)", func(x *runReport) string { return x.Binary })
		for i, res := range r.Results {
			row(res.Scenario, func(x *runReport) string {
				if i >= len(x.Results) {
					return "—"
				}
				y, bare := x.Results[i], x.Results[0].RPS
				return fmt.Sprintf("%6.0f %7.1f / %7.1f %6.1f%% %s", y.RPS, y.P50ms, y.P99ms, 100*y.RPS/bare, errs(y.Errors))
			})
		}
		if p := r.Peer; p != nil {
			fmt.Printf("peer: PostGraphile %s, Node %s, PostgreSQL %s; %d rows loaded and indexed in %.1f s; checked: %s\n",
				p.PostGraphile, p.Node, p.PostgreSQL, p.Rows, p.LoadS, p.Verified)
		}
		fmt.Printf("\ntargets, scale %s\n", r.Scale)
		fmt.Printf("%-62s", "target")
		for _, x := range runs {
			fmt.Printf(" | %-8s %-50s", x.Binary, "figure")
		}
		fmt.Println()
		for i, t := range r.Targets {
			fmt.Printf("%-62s", t.Name)
			for _, x := range runs {
				if i >= len(x.Targets) {
					fmt.Printf(" | %-8s %-50s", "—", "")
					continue
				}
				fmt.Printf(" | %-8s %-50s", verdict(x.Targets[i].Met), x.Targets[i].Figure)
			}
			fmt.Println()
		}
	}
}

func verdict(m *bool) string {
	switch {
	case m == nil:
		return "n/a"
	case *m:
		return "met"
	}
	return "MISSED"
}

func errs(n int64) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("(%d errors)", n)
}
