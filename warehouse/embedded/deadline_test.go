package embedded

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cadrestat/cadrestat/warehouse/chsql"
	"github.com/cadrestat/cadrestat/warehouse/embedded/chdb"
)

// deadlineOnly has a deadline but never ends by itself, so the executor always waits for
// the engine's answer (as it does when the answer and the deadline arrive together) and the
// engine's own time limit is what stops the statement.
type deadlineOnly struct {
	context.Context
	dl time.Time
}

func (d deadlineOnly) Deadline() (time.Time, bool) { return d.dl, true }

// A read under a deadline is whole or an error: chDB can end a statement at
// max_execution_time with the rows produced so far and no error (about 1 in 100 here), and
// the executor must never hand such a result on. 300 reads of 101,000 rows under deadlines
// of 2–20 ms, from four goroutines: every result that arrives has every row.
func TestDeadlineNeverGivesPartialRows(t *testing.T) {
	conn, err := chdb.OpenN(t.TempDir(), 4)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	e := &executor{conn: conn, shared: true}
	const rows = 101000
	type tally struct{ whole, failed, partial int }
	res := make(chan tally, 4)
	for g := range 4 {
		go func() {
			var n tally
			for i := range 75 {
				ctx := deadlineOnly{context.Background(), time.Now().Add(time.Duration(2+(g*75+i)%19) * time.Millisecond)}
				out, err := e.run(ctx, "SELECT number FROM numbers(101000) SETTINGS max_block_size=1000", chsql.Query{}, "TabSeparated")
				switch {
				case err != nil:
					n.failed++
				case strings.Count(string(out), "\n") == rows:
					n.whole++
				default:
					n.partial++
				}
			}
			res <- n
		}()
	}
	var all tally
	for range 4 {
		n := <-res
		all.whole, all.failed, all.partial = all.whole+n.whole, all.failed+n.failed, all.partial+n.partial
	}
	t.Logf("%d whole, %d refused at the deadline, %d partial", all.whole, all.failed, all.partial)
	if all.partial > 0 {
		t.Fatalf("%d results came back short of their rows without an error", all.partial)
	}
	if all.failed == 0 {
		t.Fatalf("no read met its deadline: the test shows nothing (%d whole)", all.whole)
	}
}

// cutShort trusts a result only when it arrived before the deadline.
func TestCutShort(t *testing.T) {
	dl := time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		now  time.Time
		want bool
	}{{dl.Add(-time.Millisecond), false}, {dl, true}, {dl.Add(time.Microsecond), true}} {
		if got := cutShort(dl, c.now); got != c.want {
			t.Errorf("cutShort at %v: %v, want %v", c.now.Sub(dl), got, c.want)
		}
	}
}
