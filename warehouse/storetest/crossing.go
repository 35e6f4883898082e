package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cadrestat/cadrestat/warehouse"
)

// crossingBatch is a load large enough that some reads outlive a few-millisecond deadline:
// years × units × metrics observations, each value unique to its row.
func crossingBatch(units, years int) *warehouse.Batch {
	b := Fixture()
	b.Observations = nil
	for _, m := range []string{"female_share", "staff_cut"} {
		for y := range years {
			for u := range units {
				subj := b.Provinces[u%len(b.Provinces)].ID
				v := float64(y*units+u) + 0.5
				b.Observations = append(b.Observations, warehouse.Observation{
					SubjectKind: warehouse.SubjectProvince, SubjectID: subj, MetricID: m,
					Period: warehouse.Period{Kind: warehouse.PeriodYear, Start: 1900 + y, End: 1900 + y, Label: fmt.Sprint(1900 + y)},
					Value:  f(v), Qualifier: warehouse.QualExact, Status: warehouse.StatusPublished,
					SourceID: []string{"src-a", "src-b"}[u%2], Quote: fmt.Sprintf("%s %d %d", m, y, u),
				})
			}
		}
	}
	return b
}

// crossingQuery is one read of the stress test with the answer a serial run gave.
type crossingQuery struct {
	name   string
	filter warehouse.ObservationFilter
	count  bool
	want   string // the serial answer, rendered
}

func (q crossingQuery) run(ctx context.Context, s warehouse.Store) (string, error) {
	if q.count {
		n, err := s.CountObservations(ctx, q.filter)
		return fmt.Sprint(n), err
	}
	obs, err := s.Observations(ctx, q.filter)
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	for _, o := range obs {
		// every row must lie inside its filter, whatever else is compared below
		if o.Period.Start < q.filter.YearFrom || (q.filter.YearTo > 0 && o.Period.Start > q.filter.YearTo) ||
			(len(q.filter.MetricIDs) > 0 && o.MetricID != q.filter.MetricIDs[0]) {
			return "", fmt.Errorf("row %s (%s %d) is outside the filter", o.ID, o.MetricID, o.Period.Start)
		}
		fmt.Fprintf(&sb, "%s|%s|%d|%g|%s\n", o.ID, o.MetricID, o.Period.Start, *o.Value, o.Quote)
	}
	return sb.String(), nil
}

// testResultsNeverCross runs reads of many shapes from many goroutines, a part of them with
// deadlines of a few milliseconds so the engine stops them mid-way, and checks that every
// answer that arrives is the one a serial run gave: a query only ever receives its own
// result, whatever timed out beside it.
func testResultsNeverCross(t *testing.T, s warehouse.Store) {
	ctx := context.Background()
	mustLoad(t, s, crossingBatch(4, 1500))
	var queries []crossingQuery
	for i, m := range []string{"female_share", "staff_cut"} {
		for _, span := range [][2]int{{1900, 1900}, {1900, 1950}, {1900, 3399}, {2000, 2600}} {
			fl := warehouse.ObservationFilter{MetricIDs: []string{m}, YearFrom: span[0], YearTo: span[1], IncludeSynthetic: i == 0}
			queries = append(queries,
				crossingQuery{name: fmt.Sprintf("count %s %v", m, span), filter: fl, count: true},
				crossingQuery{name: fmt.Sprintf("rows %s %v", m, span), filter: fl})
			paged := fl
			paged.Limit = 500
			queries = append(queries, crossingQuery{name: fmt.Sprintf("page %s %v", m, span), filter: paged})
		}
	}
	for i := range queries {
		got, err := queries[i].run(ctx, s)
		if err != nil {
			t.Fatalf("serial %s: %v", queries[i].name, err)
		}
		queries[i].want = got
	}
	var (
		wg               sync.WaitGroup
		mu               sync.Mutex
		exact, timedOut  int
		crossed, errored []string
	)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 7))
			for range 30 {
				q := queries[r.IntN(len(queries))]
				qctx, cancel := context.Background(), func() {}
				if r.IntN(2) == 0 {
					qctx, cancel = context.WithTimeout(ctx, time.Duration(1+r.IntN(20))*time.Millisecond)
				}
				got, err := q.run(qctx, s)
				cancel()
				mu.Lock()
				switch {
				case err != nil && qctx.Err() != nil && warehouse.KindOf(err) == warehouse.ErrTimeout:
					timedOut++
				case err != nil:
					errored = append(errored, fmt.Sprintf("%s: %v (%v)", q.name, err, errors.Unwrap(err)))
				case got != q.want:
					crossed = append(crossed, fmt.Sprintf("%s: %d bytes, want %d", q.name, len(got), len(q.want)))
				default:
					exact++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	t.Logf("%d exact answers, %d timed out, %d other errors, %d not their query's", exact, timedOut, len(errored), len(crossed))
	if len(crossed) > 0 || len(errored) > 0 {
		t.Fatalf("answers not their query's:\n%s\nerrors that are not the deadline's:\n%s",
			strings.Join(crossed[:min(10, len(crossed))], "\n"), strings.Join(errored[:min(10, len(errored))], "\n"))
	}
	if exact == 0 {
		t.Fatal("no read succeeded: the test shows nothing")
	}
	// after the storm, serial answers are still exact
	for _, q := range queries {
		if got, err := q.run(ctx, s); err != nil || got != q.want {
			t.Fatalf("after the concurrent run, %s: %v, answer differs: %v", q.name, err, got != q.want)
		}
	}
}
