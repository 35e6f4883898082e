package ingest

import (
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
)

const (
	provHeader   = "map,code,name,name_ascii,kind,region\n"
	metricHeader = "id,name_en,name_vi,unit,kind,body,level,better,aggregation,description\n"
	groupHeader  = "id,kind,name,name_vi,map,members\n"
)

// TestTextBounds: names, titles, quotes and notes are bounded in characters, names refuse
// every invisible or reordering character and other text the controls and bidi
// overrides, each refusal a file:line: field: problem with its code; Vietnamese text, line
// breaks in quotes and the longest allowed text load.
func TestTextBounds(t *testing.T) {
	n := func(k int) string { return strings.Repeat("ầ", k) } // two bytes: counted as one
	cases := []struct {
		name, data, want, code string
	}{
		{"ErrProvinceNameTooLong", provHeader + "VN63,01," + n(201) + ",Ha Noi,city,Red River Delta\n",
			"f.csv:2: name: is 201 characters long; a name is at most 200", CodeTextTooLong},
		{"ProvinceNameAtTheBound", provHeader + "VN63,01," + n(200) + ",Ha Noi,city,Red River Delta\n", "", ""},
		{"ErrZeroWidthInName", provHeader + "VN63,04,Cao \u200bBằng,Cao Bang,province,North East\n",
			"f.csv:2: name: contains U+200B (a zero-width character), which is not allowed in a name", CodeForbiddenCharacter},
		{"ErrRLMInName", provHeader + "VN63,04,Cao \u200fBằng,Cao Bang,province,North East\n",
			"f.csv:2: name: contains U+200F (a bidi mark), which is not allowed in a name", CodeForbiddenCharacter},
		{"ErrOverrideInName", provHeader + "VN63,04,Cao \u202eBằng,Cao Bang,province,North East\n",
			"f.csv:2: name: contains U+202E (a bidi override), which is not allowed in a name", CodeForbiddenCharacter},
		{"ErrIsolateInRegion", provHeader + "VN63,04,Cao Bằng,Cao Bang,province,North \u2067East\n",
			"f.csv:2: region: contains U+2067 (a bidi override), which is not allowed in a name", CodeForbiddenCharacter},
		{"ErrArabicMarkInName", provHeader + "VN63,04,Cao \u061cBằng,Cao Bang,province,North East\n",
			"f.csv:2: name: contains U+061C (a bidi mark), which is not allowed in a name", CodeForbiddenCharacter},
		{"ErrBOMInName", provHeader + "VN63,04,Cao \ufeffBằng,Cao Bang,province,North East\n",
			"f.csv:2: name: contains U+FEFF (a zero-width character), which is not allowed in a name", CodeForbiddenCharacter},
		{"ErrWordJoinerInName", provHeader + "VN63,04,Cao\u2060Bằng,Cao Bang,province,North East\n",
			"f.csv:2: name: contains U+2060 (a zero-width character), which is not allowed in a name", CodeForbiddenCharacter},
		{"ErrSoftHyphenInName", provHeader + "VN63,04,Cao\u00adBằng,Cao Bang,province,North East\n",
			"f.csv:2: name: contains U+00AD (an invisible formatting character), which is not allowed in a name", CodeForbiddenCharacter},
		{"ErrBellInName", provHeader + "VN63,04,Cao\aBằng,Cao Bang,province,North East\n",
			"f.csv:2: name: contains U+0007 (a control character), which is not allowed in a name", CodeForbiddenCharacter},
		{"ErrC1ControlInName", provHeader + "VN63,04,Cao\u0085Bằng,Cao Bang,province,North East\n",
			"f.csv:2: name: contains U+0085 (a control character), which is not allowed in a name", CodeForbiddenCharacter},
		{"ErrLineBreakInName", provHeader + "VN63,04,\"Cao\nBằng\",Cao Bang,province,North East\n",
			"f.csv:2: name: contains U+000A (a tab or line break), which is not allowed in a name", CodeForbiddenCharacter},
		{"ErrLineSeparatorInName", provHeader + "VN63,04,Cao\u2028Bằng,Cao Bang,province,North East\n",
			"f.csv:2: name: contains U+2028 (a line separator), which is not allowed in a name", CodeForbiddenCharacter},
		{"ErrMetricNameTooLong", metricHeader + "m," + n(201) + ",x,%,SHARE,b,,HIGHER,RATIO,\n",
			"f.csv:2: name_en: is 201 characters long; a name is at most 200", CodeTextTooLong},
		{"ErrMetricUnitHidden", metricHeader + "m,x,x,%\u200d,SHARE,b,,HIGHER,RATIO,\n",
			"f.csv:2: unit: contains U+200D (a zero-width character), which is not allowed in a name", CodeForbiddenCharacter},
		{"ErrDescriptionTooLong", metricHeader + "m,x,x,%,SHARE,b,,HIGHER,RATIO," + n(2001) + "\n",
			"f.csv:2: description: is 2001 characters long; a note is at most 2000", CodeTextTooLong},
		{"DescriptionWithJoinerAndLines", metricHeader + "m,x,x,%,SHARE,b,,HIGHER,RATIO,\"a\u200db\n\tc\"\n", "", ""},
		{"ErrGroupNameOverride", groupHeader + "g,cluster,\u202dCụm,Cụm,VN63,\n",
			"f.csv:2: name: contains U+202D (a bidi override), which is not allowed in a name", CodeForbiddenCharacter},
		{"ErrSourceTitleTooLong", srcHeaderURL + "s," + n(501) + ",I,,,vi,x,user,,,\n",
			"f.csv:2: title: is 501 characters long; a title is at most 500", CodeTextTooLong},
		{"SourceTitleAtTheBound", srcHeaderURL + "s," + n(500) + ",I,,,vi,x,user,,,\n", "", ""},
		{"ErrSourceTitleOverride", srcHeaderURL + "s,Báo \u202eNhân Dân,I,,,vi,x,user,,,\n",
			"f.csv:2: title: contains U+202E (a bidi override), which is not allowed in a title", CodeForbiddenCharacter},
		{"SourceTitleWithMark", srcHeaderURL + "s,Báo \u200fNhân Dân,I,,,vi,x,user,,,\n", "", ""},
		{"ErrIssuerHidden", srcHeaderURL + "s,T,Ban \u200bTổ chức,,,vi,x,user,,,\n",
			"f.csv:2: issuer: contains U+200B (a zero-width character), which is not allowed in a name", CodeForbiddenCharacter},
		{"ErrObservationQuoteTooLong", obsHeader + "VN63-92,staff_cut,2020,5,,,,PUBLISHED,src," + n(1001) + ",\n",
			"f.csv:2: quote: is 1001 characters long; a quote is at most 1000", CodeTextTooLong},
		{"ObservationQuoteAtTheBound", obsHeader + "VN63-92,staff_cut,2020,5,,,,PUBLISHED,src,\"" + n(998) + "\n.\",\n", "", ""},
		{"ErrObservationQuoteControl", obsHeader + "VN63-92,staff_cut,2020,5,,,,PUBLISHED,src,q\x1bq,\n",
			"f.csv:2: quote: contains U+001B (a control character), which is not allowed in a quote", CodeForbiddenCharacter},
		{"ErrObservationNoteOverride", obsHeader + "VN63-92,staff_cut,2020,5,,,,PUBLISHED,src,q,n\u2066n\n",
			"f.csv:2: note: contains U+2066 (a bidi override), which is not allowed in a note", CodeForbiddenCharacter},
		{"ErrObservationNoteTooLong", obsHeader + "VN63-92,staff_cut,2020,5,,,,PUBLISHED,src,q," + n(2001) + "\n",
			"f.csv:2: note: is 2001 characters long; a note is at most 2000", CodeTextTooLong},
		{"ErrJSONName", `{"provinces": [{"map": "VN63", "code": "04", "name": "Cao \u200bBằng", "name_ascii": "Cao Bang", "kind": "province", "region": "x"}]}`,
			"f.json:1: name: contains U+200B (a zero-width character), which is not allowed in a name", CodeForbiddenCharacter},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name := "f.csv"
			if strings.HasPrefix(tc.data, "{") {
				name = "f.json"
			}
			_, probs := Prepare([]File{{Name: name, Data: []byte(tc.data)}}, catalog())
			if tc.want == "" {
				if len(probs) != 0 {
					t.Fatalf("problems %v", probs)
				}
				return
			}
			if len(probs) != 1 || probs[0].String() != tc.want || probs[0].Code != tc.code {
				t.Fatalf("problems %.300v (code %q)\nwant only %q (%s)", probs, probs[0].Code, tc.want, tc.code)
			}
		})
	}
}

// TestBuiltRowsTextBounds: rows a program built are bounded like parsed ones.
func TestBuiltRowsTextBounds(t *testing.T) {
	v := 5.0
	o := warehouse.Observation{SubjectKind: warehouse.SubjectProvince, SubjectID: "VN63-92", MetricID: "staff_cut",
		Period: warehouse.Period{Kind: warehouse.PeriodYear, Start: 2020, End: 2020, Label: "2020"}, Value: &v,
		Status: warehouse.StatusPublished, SourceID: "src", Quote: "q\u202eq"}
	_, probs := Prepare([]File{{Name: "synthetic", Rows: []warehouse.Observation{o}}}, catalog())
	want := "synthetic:1: quote: contains U+202E (a bidi override), which is not allowed in a quote"
	if len(probs) != 1 || probs[0].String() != want {
		t.Fatalf("problems %v, want %q", probs, want)
	}
}
