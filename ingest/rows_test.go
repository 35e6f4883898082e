package ingest

import (
	"math"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
)

func num(v float64) *float64 { return &v }

func builtRow() warehouse.Observation {
	return warehouse.Observation{SubjectKind: warehouse.SubjectProvince, SubjectID: "VN63-92", MetricID: "female_share",
		Period: warehouse.Period{Kind: "YEAR", Start: 2020, End: 2020, Label: "2020"}, Value: num(20), Numerator: num(10), Denominator: num(50),
		Status: warehouse.StatusSynthetic, SourceID: "src", Note: "n"}
}

// A built row loads as the same row written as CSV would: same fields, same ID.
func TestBuiltRowsLoadLikeTheirText(t *testing.T) {
	o := builtRow()
	fromRows, probs := Prepare([]File{{Name: "gen", Rows: []warehouse.Observation{o}}}, catalog())
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	fromText, probs := Prepare([]File{{Name: "a.csv", Data: []byte(obsHeader + "VN63-92,female_share,2020,20,10,50,,SYNTHETIC,src,,n\n")}}, catalog())
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	a, b := fromRows.Observations[0], fromText.Observations[0]
	if a.ID == "" || a.ID != b.ID || a.Qualifier != b.Qualifier || a.Period != b.Period || *a.Value != *b.Value || a.Status != b.Status {
		t.Fatalf("built %+v\ntext  %+v", a, b)
	}
}

// Every check of a parsed row that is not about text applies to a built one.
func TestBuiltRowsAreChecked(t *testing.T) {
	cases := []struct {
		name   string
		change func(*warehouse.Observation)
		want   string
	}{
		{"ErrUnknownProvince", func(o *warehouse.Observation) { o.SubjectID = "VN63-99" }, `gen:2: subject: unknown province "VN63-99"`},
		{"ErrUnknownMetric", func(o *warehouse.Observation) { o.MetricID = "nope" }, `gen:2: metric: unknown metric "nope"`},
		{"ErrUnknownSource", func(o *warehouse.Observation) { o.SourceID = "nosrc" }, `gen:2: source: unknown source "nosrc"`},
		{"ErrPeriodUnlikeItsLabel", func(o *warehouse.Observation) { o.Period.Start = 2019 }, `gen:2: period: `},
		{"ErrBadStatus", func(o *warehouse.Observation) { o.Status = "GUESSED" }, `gen:2: status: must be PUBLISHED`},
		{"ErrMissingQuote", func(o *warehouse.Observation) { o.Status = warehouse.StatusPublished }, `gen:2: quote: a non-synthetic figure`},
		{"ErrShareAbove100", func(o *warehouse.Observation) { o.Value, o.Numerator, o.Denominator = num(120), nil, nil }, "gen:2: value: share 120 is outside 0–100"},
		{"ErrValueDisagreesWithRatio", func(o *warehouse.Observation) { o.Value = num(40) }, "gen:2: value: 40 does not match"},
		{"ErrNotFinite", func(o *warehouse.Observation) { o.Value = num(math.NaN()) }, "gen:2: value: NaN is not a finite number"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bad := builtRow()
			tc.change(&bad)
			b, probs := Prepare([]File{{Name: "gen", Rows: []warehouse.Observation{builtRow(), bad}}}, catalog())
			if b != nil || len(probs) != 1 || !strings.HasPrefix(probs[0].String(), tc.want) {
				t.Fatalf("got batch=%v problems=%v; want one problem starting %q", b != nil, probs, tc.want)
			}
		})
	}
	// A built row that repeats a row of a file is a duplicate like any other.
	_, probs := Prepare([]File{{Name: "a.csv", Data: []byte(obsHeader + "VN63-92,female_share,2020,20,10,50,,SYNTHETIC,src,,n\n")},
		{Name: "gen", Rows: []warehouse.Observation{builtRow()}}}, catalog())
	if len(probs) != 1 || !strings.Contains(probs[0].String(), "duplicate of a.csv line 2") {
		t.Fatalf("duplicate across a file and built rows: %v", probs)
	}
}
