package ingest

import (
	"strings"
	"testing"
	"time"

	"github.com/cadrestat/cadrestat/warehouse"
)

const srcHeaderURL = "id,title,issuer,doc_number,date,language,location,kind,licence,url,retrieved\n"

// at is the clock reading retrieval dates are checked against in one test.
func at(t *testing.T, day string) time.Time {
	t.Helper()
	d, err := time.Parse("2006-01-02 15:04", day)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestSourcesAReaderCanOpen: official and press sources carry a URL, a publication date and
// a retrieval date, each checked, with file:line:field problems; seeds and user sources
// need none of them.
func TestSourcesAReaderCanOpen(t *testing.T) {
	now := at(t, "2026-11-22 12:00")
	cases := []struct{ name, row, want string }{
		{"ErrPressNoURL", "p,T,I,,2020-10-30,vi,x,press,,,2026-11-01", `f.csv:2: url: is required for a press source: the page's http(s) address`},
		{"ErrOfficialNoDate", "p,T,I,,,vi,x,official,,https://x.vn/a,2026-11-01", `f.csv:2: date: is required for an official source: the publication date (YYYY-MM-DD, or YYYY-MM or YYYY when that is all that is known)`},
		{"ErrPressNoRetrieved", "p,T,I,,2020,vi,x,press,,https://x.vn/a,", `f.csv:2: retrieved: is required for a press source: the date the page was read (YYYY-MM-DD), or unknown when that day is not known`},
		{"ErrScheme", "p,T,I,,2020,vi,x,press,,ftp://x.vn/a,2026-11-01", `f.csv:2: url: "ftp://x.vn/a" must be an http:// or https:// address`},
		{"ErrNoScheme", "p,T,I,,2020,vi,x,press,,x.vn/a,2026-11-01", `f.csv:2: url: "x.vn/a" must be an http:// or https:// address`},
		{"ErrJavascript", "p,T,I,,2020,vi,x,press,,javascript:alert(1),2026-11-01", `f.csv:2: url: "javascript:alert(1)" must be an http:// or https:// address`},
		{"ErrNoHost", "p,T,I,,2020,vi,x,press,,https:///a,2026-11-01", `f.csv:2: url: "https:///a" has no host`},
		{"ErrSpace", "p,T,I,,2020,vi,x,press,,\"https://x.vn/a b\",2026-11-01", `f.csv:2: url: "https://x.vn/a b" must not contain spaces or control characters (percent-encode them: %20)`},
		{"ErrControl", "p,T,I,,2020,vi,x,press,,\"https://x.vn/a\tb\",2026-11-01", `f.csv:2: url: "https://x.vn/a\tb" must not contain spaces or control characters (percent-encode them: %20)`},
		{"ErrUnparsable", "p,T,I,,2020,vi,x,press,,https://x.vn/%zz,2026-11-01", `f.csv:2: url: "https://x.vn/%zz" is not a valid URL`},
		{"ErrUserInfo", "p,T,I,,2020,vi,x,press,,https://u:pw@x.vn/a,2026-11-01", `f.csv:2: url: "https://u:pw@x.vn/a" must not carry a user name or password`},
		{"ErrRetrievedNotADate", "p,T,I,,2020,vi,x,press,,https://x.vn/a,2026-02-30", `f.csv:2: retrieved: must be the date the page was read, a real date written YYYY-MM-DD, not "2026-02-30"`},
		{"ErrRetrievedMonth", "p,T,I,,2020,vi,x,press,,https://x.vn/a,2026-11", `f.csv:2: retrieved: must be the date the page was read, a real date written YYYY-MM-DD, not "2026-11"`},
		{"ErrRetrievedBeforeDate", "p,T,I,,2020-10-30,vi,x,press,,https://x.vn/a,2020-10-29", `f.csv:2: retrieved: 2020-10-29 is before the publication date 2020-10-30`},
		{"ErrRetrievedBeforeMonth", "p,T,I,,2020-10,vi,x,press,,https://x.vn/a,2020-09-30", `f.csv:2: retrieved: 2020-09-30 is before the publication date 2020-10`},
		{"ErrRetrievedBeforeYear", "p,T,I,,2021,vi,x,press,,https://x.vn/a,2020-12-31", `f.csv:2: retrieved: 2020-12-31 is before the publication date 2021`},
		{"ErrRetrievedFuture", "p,T,I,,2020,vi,x,press,,https://x.vn/a,2026-11-24", `f.csv:2: retrieved: 2026-11-24 is in the future (today is 2026-11-23)`},
		{"ErrUserBadURL", "u,T,I,,,vi,x,user,,mailto:a@b.vn,", `f.csv:2: url: "mailto:a@b.vn" must be an http:// or https:// address`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, probs := prepareAt([]File{{Name: "f.csv", Data: []byte(srcHeaderURL + tc.row + "\n")}}, catalog(), now)
			if b != nil || len(probs) != 1 || probs[0].String() != tc.want {
				t.Fatalf("got batch=%v problems=%q; want only %q", b != nil, probs, tc.want)
			}
		})
	}
	t.Run("EveryMissingFieldIsReported", func(t *testing.T) {
		_, probs := prepareAt([]File{{Name: "f.csv", Data: []byte(srcHeaderURL + "p,T,I,,,vi,x,press,,,\n")}}, catalog(), now)
		if len(probs) != 3 || probs[0].Field != "url" || probs[1].Field != "date" || probs[2].Field != "retrieved" {
			t.Fatalf("problems: %q", probs)
		}
	})
	t.Run("OldHeaderStillLoadsSeedsAndUserSources", func(t *testing.T) {
		b, probs := prepareAt([]File{{Name: "f.csv", Data: []byte("id,title,issuer,doc_number,date,language,location,kind,licence\ns,T,I,,,vi,000_x.txt,seed,\nu,T,I,,,vi,x,user,\n")}}, catalog(), now)
		if len(probs) > 0 || len(b.Sources) != 2 || b.Sources[0].URL != "" {
			t.Fatalf("problems %q", probs)
		}
	})
	t.Run("OK", func(t *testing.T) {
		// Retrieved today in the furthest time zone (UTC+14) is not in the future.
		data := srcHeaderURL +
			"p1,T,I,,2020-10-30,vi,x,press,,https://hoilhpn.org.vn/tin-chi-tiet/-/chi-tiet/ty-le-nu-%C4%91at-16--32451-5201.html,2026-11-23\n" +
			"p2,T,I,,2020-10,vi,x,official,,http://x.vn/a?b=1&c=đ#f,2020-10-01\n" +
			"p3,T,I,,2020,vi,x,press,,HTTPS://X.VN/A,2020-01-01\n" +
			"u1,T,I,,,vi,x,user,,,\n" +
			"u2,T,I,,,vi,x,user,,https://x.vn/u,2026-01-01\n"
		b, probs := prepareAt([]File{{Name: "f.csv", Data: []byte(data)}}, catalog(), now)
		if len(probs) > 0 {
			t.Fatalf("problems %q", probs)
		}
		if s := b.Sources[0]; s.URL != "https://hoilhpn.org.vn/tin-chi-tiet/-/chi-tiet/ty-le-nu-%C4%91at-16--32451-5201.html" || s.Retrieved != "2026-11-23" {
			t.Fatalf("source %+v", s)
		}
	})
	t.Run("JSON", func(t *testing.T) {
		doc := `{"sources": [{"id": "p", "title": "T", "issuer": "I", "date": "2020", "language": "vi", "location": "x", "kind": "press", "url": "https://x.vn/a", "retrieved": "2026-11-01"}]}`
		b, probs := prepareAt([]File{{Name: "s.json", Data: []byte(doc)}}, catalog(), now)
		if len(probs) > 0 || b.Sources[0].URL != "https://x.vn/a" || b.Sources[0].Retrieved != "2026-11-01" {
			t.Fatalf("problems %q", probs)
		}
	})
}

// TestLocatorsAreShort: a figure from an official or press source is cited by a locator of
// at most 12 words (observations and targets alike), whether the source is in the same
// load or already in the warehouse; seeds and user sources keep whole passages.
func TestLocatorsAreShort(t *testing.T) {
	now := at(t, "2026-11-22 12:00")
	cat := catalog()
	cat.Sources = append(cat.Sources, warehouse.Source{ID: "loaded-press", Kind: "press"}, warehouse.Source{ID: "loaded-seed", Kind: "seed"})
	cat.Index()
	src := srcHeaderURL + "p,T,I,,2020,vi,x,press,,https://x.vn/a,2026-11-01\nu,T,I,,,vi,x,user,,,\n"
	twelve := "một hai ba bốn năm sáu bảy tám chín mười mười-một 29,2%"
	thirteen := twelve + " thêm"
	obs := func(source, quote string) string {
		return obsHeader + "VN63-92,female_share,2020,29.2,,,,PUBLISHED," + source + ",\"" + quote + "\",\n"
	}
	for _, tc := range []struct {
		name, source, quote string
		ok                  bool
	}{
		{"Twelve", "p", twelve, true},
		{"TwelveWithExtraSpaces", "p", "  " + strings.ReplaceAll(twelve, " ", " \t "), true},
		{"Thirteen", "p", thirteen, false},
		{"ThirteenLoadedPress", "loaded-press", thirteen, false},
		{"LongUser", "u", thirteen + " " + thirteen, true},
		{"LongSeed", "loaded-seed", thirteen + " " + thirteen, true},
		{"LongUnmarkedCatalogue", "src", thirteen, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, probs := prepareAt([]File{{Name: "s.csv", Data: []byte(src)}, {Name: "o.csv", Data: []byte(obs(tc.source, tc.quote))}}, cat, now)
			if tc.ok != (len(probs) == 0) {
				t.Fatalf("problems %q", probs)
			}
			if !tc.ok && (len(probs) != 1 || probs[0].String() != "o.csv:2: quote: a press source is cited by a locator of at most 12 words of the page around the figure, not 13 words") {
				t.Fatalf("problems %q", probs)
			}
		})
	}
	t.Run("Target", func(t *testing.T) {
		tg := "id,metric,scope,lower,upper,lower_inclusive,upper_inclusive,deadline,directive,source,quote,note\nt1,female_share,VN,15,,true,false,2030,D,p,\"" + thirteen + "\",\n"
		_, probs := prepareAt([]File{{Name: "s.csv", Data: []byte(src)}, {Name: "t.csv", Data: []byte(tg)}}, cat, now)
		if len(probs) != 1 || probs[0].String() != "t.csv:2: quote: a press source is cited by a locator of at most 12 words of the page around the figure, not 13 words" {
			t.Fatalf("problems %q", probs)
		}
	})
}

func TestWords(t *testing.T) {
	for s, n := range map[string]int{"": 0, "  ": 0, "a": 1, " a  b\tc\n": 3, "tỷ lệ 29,2%": 3, "a\u00a0b": 2} {
		if got := words(s); got != n {
			t.Errorf("words(%q) = %d, want %d", s, got, n)
		}
	}
}

// TestSourcePriority: the optional priority column is a whole number from -100 to 100.
func TestSourcePriority(t *testing.T) {
	const header = "id,title,issuer,doc_number,date,language,location,kind,licence,url,retrieved,priority\n"
	for _, tc := range []struct{ value, want string }{
		{"1.5", `f.csv:2: priority: must be a whole number from -100 to 100 (higher is preferred on a tie), not "1.5"`},
		{"101", `f.csv:2: priority: must be a whole number from -100 to 100 (higher is preferred on a tie), not "101"`},
		{"+3", `f.csv:2: priority: must be a whole number from -100 to 100 (higher is preferred on a tie), not "+3"`},
		{"high", `f.csv:2: priority: must be a whole number from -100 to 100 (higher is preferred on a tie), not "high"`},
	} {
		b, probs := Prepare([]File{{Name: "f.csv", Data: []byte(header + "u,T,I,,,vi,x,user,,,," + tc.value + "\n")}}, catalog())
		if b != nil || len(probs) != 1 || probs[0].String() != tc.want {
			t.Errorf("priority %q: %q; want %q", tc.value, probs, tc.want)
		}
	}
	b, probs := Prepare([]File{{Name: "f.csv", Data: []byte(header + "u,T,I,,,vi,x,user,,,,-7\nv,T,I,,,vi,x,user,,,,\n")}}, catalog())
	if len(probs) > 0 || b.Sources[0].Priority != -7 || b.Sources[1].Priority != 0 {
		t.Fatalf("problems %q, sources %+v", probs, b.Sources)
	}
}
