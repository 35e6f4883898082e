package ingest

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
)

// obsRow is an observation row with the given subject-to-period prefix and value, numerator
// and denominator, the rest valid.
func obsRow(metric, period, value, num, den string) string {
	return fmt.Sprintf("VN63-92,%s,%s,%s,%s,%s,,PUBLISHED,src,q,", metric, period, value, num, den)
}

// TestStrictValues shows, for each value ingest refuses, the exact problem a user sees.
func TestStrictValues(t *testing.T) {
	cases := []struct{ name, row, want string }{
		// Dates are real calendar dates.
		{"ErrNoSuchDay", obsRow("staff_cut", "asof:2023-02-31", "5", "", ""), `a.csv:2: period: "asof:2023-02-31" is not a valid date`},
		{"ErrNotALeapYear", obsRow("staff_cut", "asof:2023-02-29", "5", "", ""), `a.csv:2: period: "asof:2023-02-29" is not a valid date`},
		{"ErrApril31", obsRow("staff_cut", "asof:2023-04-31", "5", "", ""), `a.csv:2: period: "asof:2023-04-31" is not a valid date`},
		{"ErrMonth13", obsRow("staff_cut", "asof:2023-13-01", "5", "", ""), `a.csv:2: period: "asof:2023-13-01" is not a valid date`},
		{"ErrDay00", obsRow("staff_cut", "asof:2023-01-00", "5", "", ""), `a.csv:2: period: "asof:2023-01-00" is not a valid date`},
		// Numbers are plain decimals.
		{"ErrUnderscore", obsRow("staff_cut", "2020", "1_000", "", ""), `a.csv:2: value: "1_000" is not a number; write digits without separators (1000, not 1_000)`},
		{"ErrInnerSpace", obsRow("staff_cut", "2020", "1 000", "", ""), `a.csv:2: value: "1 000" is not a number; write digits without separators (1000, not 1_000)`},
		{"ErrThousandsComma", `VN63-92,staff_cut,2020,"1,098",,,,PUBLISHED,src,q,`, `a.csv:2: value: "1,098" is not a number; write decimals with a point (24.01), without thousands separators`},
		{"ErrHexFloat", obsRow("staff_cut", "2020", "0x1p3", "", ""), `a.csv:2: value: "0x1p3" is not a number; write decimal digits, not hexadecimal`},
		{"ErrHexInt", obsRow("staff_cut", "2020", "0X10", "", ""), `a.csv:2: value: "0X10" is not a number; write decimal digits, not hexadecimal`},
		{"ErrInf", obsRow("female_share", "2020", "Inf", "", ""), `a.csv:2: value: "Inf" is not a number; infinity and NaN are not figures`},
		{"ErrMinusInfinity", obsRow("female_share", "2020", "-infinity", "", ""), `a.csv:2: value: "-infinity" is not a number; infinity and NaN are not figures`},
		{"ErrNaN", obsRow("female_share", "2020", "NaN", "", ""), `a.csv:2: value: "NaN" is not a number; infinity and NaN are not figures`},
		{"ErrPlusSign", obsRow("staff_cut", "2020", "+5", "", ""), `a.csv:2: value: "+5" is not a number; write it without "+"`},
		{"ErrLeadingPoint", obsRow("female_share", "2020", ".5", "", ""), `a.csv:2: value: ".5" is not a number; write a plain decimal such as 1967, -3.5, 24.01 or 1e3`},
		{"ErrTrailingPoint", obsRow("staff_cut", "2020", "5.", "", ""), `a.csv:2: value: "5." is not a number; write a plain decimal such as 1967, -3.5, 24.01 or 1e3`},
		{"ErrBareExponent", obsRow("staff_cut", "2020", "1e", "", ""), `a.csv:2: value: "1e" is not a number; write a plain decimal such as 1967, -3.5, 24.01 or 1e3`},
		{"ErrTwoPoints", obsRow("staff_cut", "2020", "1.2.3", "", ""), `a.csv:2: value: "1.2.3" is not a number; write a plain decimal such as 1967, -3.5, 24.01 or 1e3`},
		{"ErrMinusOnly", obsRow("staff_cut", "2020", "-", "", ""), `a.csv:2: value: "-" is not a number; write a plain decimal such as 1967, -3.5, 24.01 or 1e3`},
		{"ErrNonASCIIDigits", obsRow("staff_cut", "2020", "١٢", "", ""), `a.csv:2: value: "١٢" is not a number; write a plain decimal such as 1967, -3.5, 24.01 or 1e3`},
		{"ErrUnderflowToZero", obsRow("female_share", "2020", "1e-400", "", ""), `a.csv:2: value: "1e-400" is too close to zero to be stored (a non-zero figure must be at least 2.2e-308 in magnitude)`},
		{"ErrDenormal", obsRow("female_share", "2020", "0.0000001e-310", "", ""), `a.csv:2: value: "0.0000001e-310" is too close to zero to be stored (a non-zero figure must be at least 2.2e-308 in magnitude)`},
		{"ErrOverflow", obsRow("staff_cut", "2020", "1e309", "", ""), `a.csv:2: value: "1e309" is too large to be a figure (the largest is about 1.8e308)`},
		{"ErrNegativeOverflow", obsRow("staff_cut", "2020", "-1e309", "", ""), `a.csv:2: value: "-1e309" is too large to be a figure (the largest is about 1.8e308)`},
		{"ErrNumeratorUnderscore", obsRow("female_share", "2020", "", "1_0", "50"), `a.csv:2: numerator: "1_0" is not a number; write digits without separators (1000, not 1_000)`},
		{"ErrDenominatorUnderflow", obsRow("female_share", "2020", "", "1", "1e-999"), `a.csv:2: denominator: "1e-999" is too close to zero to be stored (a non-zero figure must be at least 2.2e-308 in magnitude)`},
		// Counts are whole numbers.
		{"ErrFractionalCount", obsRow("staff_cut", "2020", "2.5", "", ""), "a.csv:2: value: a count must be a whole number, not 2.5"},
		{"ErrFractionalCountExponent", obsRow("staff_cut", "2020", "25e-1", "", ""), "a.csv:2: value: a count must be a whole number, not 2.5"},
		{"ErrFractionalNumerator", obsRow("female_share", "2020", "", "8.5", "53"), "a.csv:2: numerator: must be a whole number (a count), not 8.5"},
		{"ErrFractionalDenominator", obsRow("female_share", "2020", "", "8", "53.5"), "a.csv:2: denominator: must be a whole number (a count), not 53.5"},
		// NUL bytes, quoted (encoding/csv) or not (the fast split), in any field.
		{"ErrNULInQuotedQuote", "VN63-92,staff_cut,2020,5,,,,PUBLISHED,src,\"tr\x00ích\",", `a.csv:2: quote: contains a NUL byte (\x00), which no field may hold`},
		{"ErrNULInQuotedSubject", "\"VN63-92\x00\",staff_cut,2020,5,,,,PUBLISHED,src,q,", `a.csv:2: subject: contains a NUL byte (\x00), which no field may hold`},
		{"ErrNULInQuotedMultilineNote", "VN63-92,staff_cut,2020,5,,,,PUBLISHED,src,q,\"a\nb\x00\"", `a.csv:2: note: contains a NUL byte (\x00), which no field may hold`},
		{"ErrNULUnquoted", "VN63-92,staff_cut,2020,5,,,,PUBLISHED,src,q,note\x00", `a.csv:2: note: contains a NUL byte (\x00), which no field may hold`},
		{"ErrNULOnly", "VN63-92,staff_cut,2020,5,,,,PUBLISHED,src,q,\x00", `a.csv:2: note: contains a NUL byte (\x00), which no field may hold`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, probs := Prepare([]File{{Name: "a.csv", Data: []byte(obsHeader + tc.row + "\n")}}, catalog())
			if b != nil || len(probs) != 1 || probs[0].String() != tc.want {
				t.Fatalf("got batch=%v problems=%q; want only %q", b != nil, probs, tc.want)
			}
		})
	}
}

// TestStrictValuesAccepted: plain decimals still load, as the numbers they spell.
func TestStrictValuesAccepted(t *testing.T) {
	cases := []struct {
		metric, value, num, den string
		want                    float64
	}{
		{"staff_cut", "12", "", "", 12},
		{"staff_cut", "0", "", "", 0},
		{"staff_cut", "0.0", "", "", 0},
		{"staff_cut", "-0", "", "", 0},
		{"staff_cut", "1e3", "", "", 1000},
		{"staff_cut", "1E+3", "", "", 1000},
		{"staff_cut", "2.0", "", "", 2},
		{"staff_cut", "007", "", "", 7},
		{"staff_cut", "0e-400", "", "", 0},
		{"female_share", "29.2", "", "", 29.2},
		{"female_share", "33.33", "20", "60", 33.33},
		{"female_share", "", "8", "53", 100 * 8.0 / 53},
		{"female_share", "2.5e1", "1e1", "4e1", 25},
		{"female_share", "2.2250738585072014e-308", "", "", 2.2250738585072014e-308}, // the smallest normal
	}
	for _, tc := range cases {
		t.Run(tc.metric+"/"+tc.value+"/"+tc.num+"/"+tc.den, func(t *testing.T) {
			b, probs := Prepare([]File{{Name: "a.csv", Data: []byte(obsHeader + obsRow(tc.metric, "2020", tc.value, tc.num, tc.den) + "\n")}}, catalog())
			if len(probs) > 0 || len(b.Observations) != 1 {
				t.Fatalf("problems %v", probs)
			}
			if v := b.Observations[0].Value; v == nil || *v != tc.want || (*v == 0 && fmt.Sprint(*v) != "0") {
				t.Fatalf("value = %v, want %v", v, tc.want)
			}
		})
	}
	t.Run("NegativeAmount", func(t *testing.T) {
		cat := catalog()
		cat.Metrics = append(cat.Metrics, warehouse.Metric{ID: "rate", Kind: warehouse.MetricAmount, Aggregation: "NONE"})
		cat.Index()
		b, probs := Prepare([]File{{Name: "a.csv", Data: []byte(obsHeader + obsRow("rate", "2020", "-3.5", "", "") + "\n")}}, cat)
		if len(probs) > 0 || *b.Observations[0].Value != -3.5 {
			t.Fatalf("problems %v", probs)
		}
	})
	t.Run("LeapDay", func(t *testing.T) {
		b, probs := Prepare([]File{{Name: "a.csv", Data: []byte(obsHeader + obsRow("staff_cut", "asof:2024-02-29", "5", "", "") + "\n")}}, catalog())
		if len(probs) > 0 || b.Observations[0].Period.Kind != "ASOF" {
			t.Fatalf("problems %v", probs)
		}
	})
}

// TestStrictValuesJSON: the same rules hold for JSON files, whose numbers arrive as text.
func TestStrictValuesJSON(t *testing.T) {
	obj := func(fields string) string {
		return "{\"observations\": [\n  {\"subject\": \"VN63-92\", \"status\": \"PUBLISHED\", \"source\": \"src\", " + fields + "}\n]}"
	}
	cases := []struct{ name, doc, want string }{
		{"ErrNoSuchDay", obj(`"metric": "staff_cut", "period": "asof:2023-02-31", "value": 5, "quote": "q"`), `o.json:2: period: "asof:2023-02-31" is not a valid date`},
		{"ErrUnderflowNumber", obj(`"metric": "female_share", "period": "2020", "value": 1e-400, "quote": "q"`), `o.json:2: value: "1e-400" is too close to zero to be stored (a non-zero figure must be at least 2.2e-308 in magnitude)`},
		{"ErrOverflowNumber", obj(`"metric": "staff_cut", "period": "2020", "value": 1E400, "quote": "q"`), `o.json:2: value: "1E400" is too large to be a figure (the largest is about 1.8e308)`},
		{"ErrHexString", obj(`"metric": "staff_cut", "period": "2020", "value": "0x1p3", "quote": "q"`), `o.json:2: value: "0x1p3" is not a number; write decimal digits, not hexadecimal`},
		{"ErrUnderscoreString", obj(`"metric": "staff_cut", "period": "2020", "value": "1_000", "quote": "q"`), `o.json:2: value: "1_000" is not a number; write digits without separators (1000, not 1_000)`},
		{"ErrInfString", obj(`"metric": "staff_cut", "period": "2020", "value": "Inf", "quote": "q"`), `o.json:2: value: "Inf" is not a number; infinity and NaN are not figures`},
		{"ErrFractionalCount", obj(`"metric": "staff_cut", "period": "2020", "value": 2.5, "quote": "q"`), `o.json:2: value: a count must be a whole number, not 2.5`},
		{"ErrNUL", obj(`"metric": "staff_cut", "period": "2020", "value": 5, "quote": "tr\u0000ích"`), `o.json:2: quote: contains a NUL byte (\x00), which no field may hold`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, probs := Prepare([]File{{Name: "o.json", Data: []byte(tc.doc)}}, catalog())
			if b != nil || len(probs) != 1 || probs[0].String() != tc.want {
				t.Fatalf("got batch=%v problems=%q; want only %q", b != nil, probs, tc.want)
			}
		})
	}
	t.Run("OK", func(t *testing.T) {
		b, probs := Prepare([]File{{Name: "o.json", Data: []byte(obj(`"metric": "staff_cut", "period": "asof:2024-02-29", "value": 1e3, "quote": "q"`))}}, catalog())
		if len(probs) > 0 || *b.Observations[0].Value != 1000 {
			t.Fatalf("problems %v", probs)
		}
	})
}

// TestStrictDimensionDates: dates in reference files are real dates too, and a NUL byte is
// refused in them and in a header.
func TestStrictDimensionDates(t *testing.T) {
	const srcHeader = "id,title,issuer,doc_number,date,language,location,kind,licence\n"
	const provHeader = "map,code,name,name_ascii,kind,region,valid_from,valid_to\n"
	cases := []struct{ name, data, want string }{
		{"ErrSourceNoSuchDay", srcHeader + "s2,T,I,,2023-02-31,vi,x,user,\n", `f.csv:2: date: "2023-02-31" is not a valid date`},
		{"ErrSourceMonth13", srcHeader + "s2,T,I,,2023-13,vi,x,user,\n", `f.csv:2: date: "2023-13" is not a valid date`},
		{"ErrSourceNUL", srcHeader + "s2,\"T\x00\",I,,2023,vi,x,user,\n", `f.csv:2: title: contains a NUL byte (\x00), which no field may hold`},
		{"ErrProvinceValidFrom", provHeader + "VN34,99,X,X,province,r,2025-06-31,\n", `f.csv:2: valid_from: must be a valid date written YYYY-MM-DD, not "2025-06-31"`},
		{"ErrProvinceValidTo", provHeader + "VN34,99,X,X,province,r,2025-07-01,2025\n", `f.csv:2: valid_to: must be a valid date written YYYY-MM-DD, not "2025"`},
		{"ErrHeaderNUL", "subject,metric,period,value\x00,numerator\n", `f.csv:1: the header contains a NUL byte (\x00), which no field may hold`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, probs := Prepare([]File{{Name: "f.csv", Data: []byte(tc.data)}}, catalog())
			if b != nil || len(probs) != 1 || probs[0].String() != tc.want {
				t.Fatalf("got batch=%v problems=%q; want only %q", b != nil, probs, tc.want)
			}
		})
	}
	b, probs := Prepare([]File{{Name: "s.csv", Data: []byte(srcHeader + "s2,T,I,,2024-02-29,vi,x,user,\ns3,T,I,,2024-02,vi,x,seed,\ns4,T,I,,2024,vi,x,user,\n")},
		{Name: "p.csv", Data: []byte(provHeader + "VN34,99,X,X,province,r,2025-07-01,\n")}}, catalog())
	if len(probs) > 0 || len(b.Sources) != 3 || len(b.Provinces) != 1 {
		t.Fatalf("valid dates refused: %v", probs)
	}
}

// TestStrictValuesLoadNothing: one bad row among many good ones, on any path (the quoted
// and unquoted split of a file of many chunks, read on every core, or a whole-file load
// streamed to the store), loads nothing and is the only problem reported.
func TestStrictValuesLoadNothing(t *testing.T) {
	cat := bigCatalog()
	const n = 30000 // several chunks
	_, lines := bigFile(n, nil)
	at := lines[n-100]
	bad := map[string]struct{ row, want string }{
		"Underscore":   {obsRow("staff_cut", "2020", "1_000", "", ""), fmt.Sprintf(`a.csv:%d: value: "1_000" is not a number; write digits without separators (1000, not 1_000)`, at)},
		"Hex":          {obsRow("staff_cut", "2020", "0x1p3", "", ""), fmt.Sprintf(`a.csv:%d: value: "0x1p3" is not a number; write decimal digits, not hexadecimal`, at)},
		"Underflow":    {obsRow("female_share", "2020", "1e-400", "", ""), fmt.Sprintf(`a.csv:%d: value: "1e-400" is too close to zero to be stored (a non-zero figure must be at least 2.2e-308 in magnitude)`, at)},
		"Count":        {obsRow("staff_cut", "2020", "2.5", "", ""), fmt.Sprintf(`a.csv:%d: value: a count must be a whole number, not 2.5`, at)},
		"Date":         {obsRow("staff_cut", "asof:2023-02-31", "5", "", ""), fmt.Sprintf(`a.csv:%d: period: "asof:2023-02-31" is not a valid date`, at)},
		"NULQuoted":    {"VN63-92,staff_cut,2020,5,,,,PUBLISHED,src,\"tr\x00ích \"\"x\"\"\nnext line\",", fmt.Sprintf(`a.csv:%d: quote: contains a NUL byte (\x00), which no field may hold`, at)},
		"NULUnquoted":  {"VN63-92,staff_cut,2020,5,,,,PUBLISHED,src\x00,q,", fmt.Sprintf(`a.csv:%d: source: contains a NUL byte (\x00), which no field may hold`, at)},
		"InfNumerator": {obsRow("female_share", "2020", "", "Inf", "5"), fmt.Sprintf(`a.csv:%d: numerator: "Inf" is not a number; infinity and NaN are not figures`, at)},
	}
	for name, tc := range bad {
		data, _ := bigFile(n, map[int]string{at: tc.row})
		t.Run(name, func(t *testing.T) {
			b, probs := Prepare([]File{{Name: "a.csv", Data: []byte(data)}}, cat)
			if b != nil || len(probs) != 1 || probs[0].String() != tc.want {
				t.Fatalf("got batch=%v problems=%q; want only %q", b != nil, probs, tc.want)
			}
		})
		t.Run(name+"/Load", func(t *testing.T) {
			s := &fakeStore{cat: cat}
			rep, err := Load(context.Background(), s, []File{{Name: "a.csv", Data: []byte(data)}})
			if err != nil || rep.OK() || len(rep.Problems) != 1 || rep.Problems[0].String() != tc.want {
				t.Fatalf("err %v, report %+v; want only %q", err, rep, tc.want)
			}
			if s.committed != 0 || rep.Rows != 0 {
				t.Fatalf("%d rows committed, %d reported; want none", s.committed, rep.Rows)
			}
		})
	}
	t.Run("GoodFileLoads", func(t *testing.T) { // the fake store does commit a good load
		data, _ := bigFile(n, nil)
		s := &fakeStore{cat: cat}
		rep, err := Load(context.Background(), s, []File{{Name: "a.csv", Data: []byte(data)}})
		if err != nil || !rep.OK() || s.committed != n {
			t.Fatalf("err %v, report %+v, %d committed", err, rep, s.committed)
		}
	})
}

// fakeStore is a store that serves a catalogue and, like the warehouse, keeps a streamed
// load's rows only if the whole stream succeeds.
type fakeStore struct {
	warehouse.Store
	cat       *warehouse.Catalog
	committed int
}

func (s *fakeStore) Catalog(context.Context) (*warehouse.Catalog, error) { return s.cat, nil }

func (s *fakeStore) Load(_ context.Context, b *warehouse.Batch) (*warehouse.LoadResult, error) {
	staged := len(b.Observations)
	if b.More != nil {
		if err := b.More(func(chunk []warehouse.Observation) error {
			staged += len(chunk)
			return nil
		}); err != nil {
			return nil, err
		}
	}
	s.committed += staged
	return &warehouse.LoadResult{Rows: staged}, nil
}

func TestParseNumberNoAllocations(t *testing.T) {
	var sink float64
	allocs := testing.AllocsPerRun(100, func() {
		for _, s := range []string{"12", "-3.5", "1e3", "29.2", "0.0", "1967"} {
			v, _ := parseNumber(s)
			sink += v
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per run", allocs)
	}
	_ = sink
}

// FuzzParseNumber: parseNumber accepts exactly the plain decimal grammar, gives what
// strconv.ParseFloat gives, and never a value that is not a finite normal number or zero.
func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"12", "-3.5", "1e3", "0", "0.0", "29.2", "1_000", "0x1p3", "1e-400", "1e309", "Inf", "NaN", "+5", ".5", "5.", "-0", "1E+3", "4.9e-324"} {
		f.Add(s)
	}
	grammar := regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)
	f.Fuzz(func(t *testing.T, s string) {
		v, why := parseNumber(s)
		inGrammar := grammar.MatchString(s)
		switch {
		case why == "":
			want, err := strconv.ParseFloat(s, 64)
			if !inGrammar || err != nil || v != want || math.IsInf(v, 0) || (v != 0 && math.Abs(v) < 0x1p-1022) || (v == 0 && math.Signbit(v)) {
				t.Fatalf("%q read as %v (grammar %v; ParseFloat: %v, %v)", s, v, inGrammar, want, err)
			}
		case strings.HasPrefix(why, "is too"): // out of range
			if !inGrammar {
				t.Fatalf("%q: %q, but it is not in the grammar", s, why)
			}
		case inGrammar:
			t.Fatalf("%q refused (%q) though in the grammar", s, why)
		}
	})
}

func BenchmarkParseNumber(b *testing.B) {
	in := []string{"12", "-3.5", "1e3", "29.2", "1967", "33.33"}
	for i := 0; i < b.N; i++ {
		parseNumber(in[i%len(in)])
	}
}
