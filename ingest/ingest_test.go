package ingest

import (
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
)

func catalog() *warehouse.Catalog {
	c := &warehouse.Catalog{
		Provinces: []warehouse.Province{{ID: "VN63-92", Map: warehouse.VN63, Code: "92", Name: "Cần Thơ"}},
		Metrics: []warehouse.Metric{
			{ID: "female_share", Kind: warehouse.MetricShare, Aggregation: "RATIO"},
			{ID: "staff_cut", Kind: warehouse.MetricCount, Aggregation: "SUM"},
		},
		Sources: []warehouse.Source{{ID: "src"}},
		Groups:  []warehouse.Group{{ID: "cluster5"}},
	}
	c.Index()
	return c
}

const obsHeader = "subject,metric,period,value,numerator,denominator,qualifier,status,source,quote,note\n"

func TestPrepareObservations(t *testing.T) {
	cases := []struct {
		name, file, row, want string
	}{
		{"ErrUnknownProvince", "a.csv", "VN63-99,female_share,2020,20,,,,PUBLISHED,src,q,", `a.csv:2: subject: unknown province "VN63-99"`},
		{"ErrUnknownMetric", "a.csv", "VN63-92,nope,2020,20,,,,PUBLISHED,src,q,", `a.csv:2: metric: unknown metric "nope"`},
		{"ErrUnknownSource", "a.csv", "VN63-92,female_share,2020,20,,,,PUBLISHED,nosrc,q,", `a.csv:2: source: unknown source "nosrc"`},
		{"ErrUnknownGroup", "a.csv", "group:nogroup,female_share,2020,20,,,,PUBLISHED,src,q,", `a.csv:2: subject: unknown group "nogroup"`},
		{"ErrShareAbove100", "a.csv", "VN63-92,female_share,2020,120,,,,PUBLISHED,src,q,", "a.csv:2: value: share 120 is outside 0–100"},
		{"ErrShareNegative", "a.csv", "VN63-92,female_share,2020,-1,,,,PUBLISHED,src,q,", "a.csv:2: value: share -1 is outside 0–100"},
		{"ErrNumeratorAboveDenominator", "a.csv", "VN63-92,female_share,2020,,60,50,,PUBLISHED,src,q,", "a.csv:2: numerator: 60 is larger than the denominator 50"},
		{"ErrValueDisagreesWithRatio", "a.csv", "VN63-92,female_share,2020,40,10,50,,PUBLISHED,src,q,", "a.csv:2: value: 40 does not match numerator/denominator (20.00%)"},
		{"ErrZeroDenominator", "a.csv", "VN63-92,female_share,2020,,0,0,,PUBLISHED,src,q,", "a.csv:2: denominator: must not be zero"},
		{"ErrBadPeriod", "a.csv", "VN63-92,female_share,2020-2025,20,,,,PUBLISHED,src,q,", `a.csv:2: period: "2020-2025" must be a year (2020), term:2020-2025`},
		{"ErrYearOutOfRange", "a.csv", "VN63-92,female_share,1800,20,,,,PUBLISHED,src,q,", `a.csv:2: period: "1800" year 1800 is outside 1945–2100`},
		{"ErrTermBackwards", "a.csv", "VN63-92,female_share,term:2025-2020,20,,,,PUBLISHED,src,q,", `a.csv:2: period: "term:2025-2020" ends before it starts`},
		{"ErrDecimalComma", "a.csv", `VN63-92,female_share,2020,"24,01",,,,PUBLISHED,src,q,`, `a.csv:2: value: "24,01" is not a number; write decimals with a point`},
		{"ErrMissingQuote", "a.csv", "VN63-92,female_share,2020,20,,,,PUBLISHED,src,,", "a.csv:2: quote: a non-synthetic figure needs the quoted passage"},
		{"ErrBadStatus", "a.csv", "VN63-92,female_share,2020,20,,,,GUESSED,src,q,", `a.csv:2: status: must be PUBLISHED, DERIVED, PROVISIONAL or SYNTHETIC, not "GUESSED"`},
		{"ErrBadQualifier", "a.csv", "VN63-92,female_share,2020,20,,,ABOUT,PUBLISHED,src,q,", `a.csv:2: qualifier: must be EXACT`},
		{"ErrMissingValue", "a.csv", "VN63-92,staff_cut,2020,,,,,PUBLISHED,src,q,", "a.csv:2: value: is required"},
		{"ErrNegativeCount", "a.csv", "VN63-92,staff_cut,2020,-5,,,,PUBLISHED,src,q,", "a.csv:2: value: a count must not be negative"},
		{"ErrWrongFieldCount", "a.csv", "VN63-92,staff_cut,2020", "a.csv:2: has 3 fields, the header has 11"},
		{"ErrInjectionIsJustAnUnknownID", "a.csv", "VN63-92' OR 1=1 --,staff_cut,2020,5,,,,PUBLISHED,src,q,", `a.csv:2: subject: unknown province "VN63-92' OR 1=1 --"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, probs := Prepare([]File{{Name: tc.file, Data: []byte(obsHeader + tc.row + "\n")}}, catalog())
			if b != nil || len(probs) != 1 || !strings.HasPrefix(probs[0].String(), tc.want) {
				t.Fatalf("got batch=%v problems=%v; want one problem starting %q", b != nil, probs, tc.want)
			}
		})
	}
}

func TestPrepareAcceptsGoodRows(t *testing.T) {
	file := obsHeader +
		"VN63-92,female_share,term:2020-2025,,8,53,,PUBLISHED,src,\"8 nữ, 15%\",\n" +
		"VN63-92,female_share,term:2020-2025,98.4,,,LOWER_BOUND,PUBLISHED,cat2,\"trên 98,4%\",\n" +
		"group:cluster5,staff_cut,range:2015-2021,4085,,,,PUBLISHED,src,q,\n" +
		"VN,staff_cut,asof:2023-12-10,7151,,,,PUBLISHED,src,q,\n"
	src := "id,title,issuer,doc_number,date,language,location,kind,licence,url,retrieved\ncat2,T,I,,2021,vi,x,press,,https://example.vn/a,2021-06-01\n"
	b, probs := Prepare([]File{{Name: "o.csv", Data: []byte(file)}, {Name: "s.csv", Data: []byte(src)}}, catalog())
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	if len(b.Observations) != 4 || len(b.Sources) != 1 {
		t.Fatalf("batch: %d observations, %d sources", len(b.Observations), len(b.Sources))
	}
	o := b.Observations[0]
	if o.Value == nil || *o.Value < 15.09 || *o.Value > 15.1 || o.Period.Kind != "TERM" || o.Period.Start != 2020 {
		t.Fatalf("share computed from numerator/denominator: %+v", o)
	}
	if b.Observations[1].Qualifier != warehouse.QualLowerBound || b.Observations[2].SubjectKind != warehouse.SubjectGroup || b.Observations[3].SubjectKind != warehouse.SubjectNational {
		t.Fatalf("qualifier/subject kinds: %+v", b.Observations)
	}
}

func TestPrepareFileProblems(t *testing.T) {
	cases := []struct{ name, data, want string }{
		{"ErrWrongEncoding", obsHeader + "VN63-92,female_share,2020,20,,,,PUBLISHED,src,C\xe1n Th\xf4,\n", "f.csv:2: file is not valid UTF-8"},
		{"ErrUnknownHeader", "a,b,c\n1,2,3\n", "f.csv:1: unrecognised header (3 columns, none of them a known column name); expected the columns of one of: groups, lineage, metrics, observations, provinces, sources, targets"},
		{"ErrHeaderCloseToAKind", "subject,metric,period,value,x\n1,2,3,4,5\n", "f.csv:1: unrecognised header (5 columns); the closest kind, observations, also needs the column(s) numerator, denominator, qualifier, status, source, quote"},
		{"ErrEmpty", "  \n", "f.csv: file is empty"},
		{"ErrMalformedCSV", obsHeader + "VN63-92,\"unterminated\n", "f.csv:2: malformed CSV"},
		{"ErrUnknownColumn", strings.TrimSuffix(obsHeader, "\n") + ",extra\n", `f.csv:1: unknown column(s) "extra"`},
		{"ErrHeaderOnly", obsHeader, "f.csv: no rows to load"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, probs := Prepare([]File{{Name: "f.csv", Data: []byte(tc.data)}}, catalog())
			if len(probs) == 0 || !strings.HasPrefix(probs[0].String(), tc.want) {
				t.Fatalf("problems = %v; want first starting %q", probs, tc.want)
			}
		})
	}
}

func TestPrepareReportsEveryProblemAndDuplicates(t *testing.T) {
	file := obsHeader +
		"VN63-92,staff_cut,2020,5,,,,PUBLISHED,src,q,\n" +
		"VN63-92,staff_cut,2020,6,,,,PUBLISHED,src,q,\n" +
		"VN63-99,staff_cut,2020,6,,,,PUBLISHED,src,q,\n"
	_, probs := Prepare([]File{{Name: "d.csv", Data: []byte(file)}}, catalog())
	if len(probs) != 2 || probs[0].String() != "d.csv:3: duplicate of line 2 (same subject, metric, period and source)" || probs[1].Line != 4 {
		t.Fatalf("problems = %v", probs)
	}
}

func TestPrepareJSON(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		doc := `{"observations": [
  {"subject": "VN63-92", "metric": "female_share", "period": "2020", "numerator": 8, "denominator": 53, "status": "PUBLISHED", "source": "src", "quote": "q"}
]}`
		b, probs := Prepare([]File{{Name: "o.json", Data: []byte(doc)}}, catalog())
		if len(probs) > 0 || len(b.Observations) != 1 {
			t.Fatalf("problems %v", probs)
		}
	})
	t.Run("ErrLineOfBadRecord", func(t *testing.T) {
		doc := "{\"observations\": [\n  {\"subject\": \"VN63-92\", \"metric\": \"staff_cut\", \"period\": \"2020\", \"value\": 1, \"status\": \"PUBLISHED\", \"source\": \"src\", \"quote\": \"q\"},\n  {\"subject\": \"VN63-92\", \"metric\": \"staff_cut\", \"period\": \"2021\", \"value\": -1, \"status\": \"PUBLISHED\", \"source\": \"src\", \"quote\": \"q\"}\n]}"
		_, probs := Prepare([]File{{Name: "o.json", Data: []byte(doc)}}, catalog())
		if len(probs) != 1 || probs[0].String() != "o.json:3: value: a count must not be negative" {
			t.Fatalf("problems %v", probs)
		}
	})
	t.Run("ErrMalformed", func(t *testing.T) {
		_, probs := Prepare([]File{{Name: "o.json", Data: []byte("{\"observations\": [\n{\"subject\": }")}}, catalog())
		if len(probs) != 1 || !strings.HasPrefix(probs[0].String(), "o.json:2: malformed JSON") {
			t.Fatalf("problems %v", probs)
		}
	})
	t.Run("ErrUnknownKey", func(t *testing.T) {
		_, probs := Prepare([]File{{Name: "o.json", Data: []byte(`{"rows": []}`)}}, catalog())
		if len(probs) != 1 || probs[0].String() != "o.json:1: unknown key; the keys of a JSON file are kinds of rows: groups, lineage, metrics, observations, provinces, sources, targets" {
			t.Fatalf("problems %v", probs)
		}
	})
}
