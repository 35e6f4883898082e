package ingest

import (
	"strings"
	"testing"
)

// TestCitationRules shows what a curator sees when a row breaks a citation rule: the file,
// line, field, a reason that says what to do instead, and a code.
func TestCitationRules(t *testing.T) {
	at(t, "2026-12-08 12:00")
	src := func(row string) File {
		return File{Name: "s.csv", Data: []byte(srcHeaderURL[:len(srcHeaderURL)-1] + ",date_precision\n" + row + "\n")}
	}
	good := "p,Tiêu đề,Báo Cần Thơ,,2020-10-30,vi,baocantho.com.vn,press,,https://baocantho.com.vn/a-1.html,2026-12-08,day"
	cases := []struct{ name, row, code, want string }{
		{"ErrSearchPage", "p,T,I,,2026-03-15,vi,x,press,,https://dantri.com.vn/tim-kiem/ngày+bầu+cử+15%2f3.htm,2026-12-08,day", CodeNotPublication,
			`s.csv:2: url: "https://dantri.com.vn/tim-kiem/ngày+bầu+cử+15%2f3.htm" is a search-result page, not the page that published the figure; cite the original outlet's article`},
		{"ErrTagPage", "p,T,I,,2026-03,vi,x,press,,https://doanhnghiephoinhap.vn/tag/cao-bang-6107.tag,2026-12-08,month", CodeNotPublication,
			`s.csv:2: url: "https://doanhnghiephoinhap.vn/tag/cao-bang-6107.tag" is a tag page, not the page that published the figure; cite the original outlet's article`},
		{"ErrTopicPage", "p,T,I,,2026,vi,x,official,,https://x.vn/chu-de/bau-cu.htm,2026-12-08,", CodeNotPublication,
			`s.csv:2: url: "https://x.vn/chu-de/bau-cu.htm" is a topic page, not the page that published the figure; cite the original outlet's article`},
		{"ErrAggregator", "p,T,I,,2025,vi,x,press,,https://baomoi.net.vn/a-c52484679.epi,2026-12-08,", CodeNotPublication,
			`s.csv:2: url: "https://baomoi.net.vn/a-c52484679.epi" is an aggregator (Báo Mới republishes other outlets), not the page that published the figure; cite the original outlet's article`},
		{"ErrAggregatorSubdomain", "p,T,I,,2025,vi,x,press,,https://m.thegioithao.com/a.htm,2026-12-08,", CodeNotPublication,
			`s.csv:2: url: "https://m.thegioithao.com/a.htm" is an aggregator (it republishes other outlets), not the page that published the figure; cite the original outlet's article`},
		{"ErrTranslation", "p,T,I,,2020-10,fr,x,press,,https://fr.vietnamplus.vn/400-femmes/150511.vnp,2026-12-08,", CodeTranslation,
			`s.csv:2: url: "https://fr.vietnamplus.vn/400-femmes/150511.vnp" is VietnamPlus's French edition (a translation), not the page that published the figure; cite the original outlet's article`},
		{"ErrEnglishPath", "p,T,I,,2025,en,x,press,,https://www.vietnam.vn/en/khanh-hoa,2026-12-08,", CodeTranslation,
			`s.csv:2: url: "https://www.vietnam.vn/en/khanh-hoa" is an English translation of a Vietnamese article, not the page that published the figure; cite the original outlet's article`},
		{"ErrPrecision", "p,T,I,,2020-10,vi,x,press,,https://x.vn/a,2026-12-08,day", CodeDatePrecision,
			`s.csv:2: date_precision: must be month for the date 2020-10 (day for YYYY-MM-DD, month for YYYY-MM, year for YYYY), not "day"`},
		{"ErrPrecisionWithoutDate", "u,T,I,,,vi,x,user,,,,year", CodeDatePrecision, `s.csv:2: date_precision: is "year" but there is no date`},
		{"ErrSeedURL", "seed-9,T,I,,2023,vi,009_x.txt,seed,,https://x.vn/a,,year", "",
			`s.csv:2: url: "https://x.vn/a": a seed document is cited by the link the server serves it at, /documents/seed-9`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, probs := Prepare([]File{src(tc.row)}, catalog())
			if b != nil || len(probs) != 1 || probs[0].String() != tc.want || probs[0].Code != tc.code {
				t.Fatalf("got batch=%v problems=%q (code %q); want only %q (%s)", b != nil, probs, codeOf(probs), tc.want, tc.code)
			}
		})
	}
	t.Run("OKWithoutPrecisionColumnAndUnknownRetrieved", func(t *testing.T) {
		// Files from before the column load; "unknown" says the read day is not known.
		data := srcHeaderURL + "p,T,I,,2020-10-30,vi,x,press,,https://baocantho.com.vn/a-1.html,unknown\nseed-7,T,I,,2023-12-20,vi,007_x.txt,seed,,/documents/seed-7,\n"
		b, probs := Prepare([]File{{Name: "s.csv", Data: []byte(data)}}, catalog())
		if len(probs) > 0 || b.Sources[0].Retrieved != "" || b.Sources[1].URL != "/documents/seed-7" {
			t.Fatalf("problems %q, sources %+v", probs, b.Sources)
		}
	})
	obs := func(quote, value string) []File {
		return []File{src(good), {Name: "o.csv", Data: []byte(obsHeader + "VN63-92,female_share,2020," + value + ",,,,PUBLISHED,p,\"" + quote + "\",\n")}}
	}
	quoteCases := []struct{ name, quote, value, code, want string }{
		{"ErrEnglishQuote", "the total number of people with decisions to leave was 94,402", "20", CodeQuoteLanguage,
			`o.csv:2: quote: "the total number of people with decisions to leave was 94,402" is not Vietnamese (no letter with a Vietnamese diacritic); quote the Vietnamese page's own words, not a translation`},
		{"ErrFrenchQuote", "Tuyen Quang compte le plus grand nombre de femmes, représentant 29%", "29", CodeQuoteLanguage,
			`o.csv:2: quote: "Tuyen Quang compte le plus grand nombre de femmes, représentant 29%" reads as English or French, not Vietnamese; quote the Vietnamese page's own words, not a translation`},
		{"ErrFrenchWithCircumflex", "Hô Chi Minh-Ville a la plus forte proportion de jeunes (23%)", "23", CodeQuoteLanguage,
			`o.csv:2: quote: "Hô Chi Minh-Ville a la plus forte proportion de jeunes (23%)" reads as English or French, not Vietnamese; quote the Vietnamese page's own words, not a translation`},
		{"ErrNoFigure", "2/34 địa phương đạt tỉ lệ 100% cử tri đi bầu", "99.99", CodeQuoteFigure,
			`o.csv:2: quote: "2/34 địa phương đạt tỉ lệ 100% cử tri đi bầu" does not print the figure it is quoted for (99.99); quote the words around the figure as the page prints them`},
	}
	for _, tc := range quoteCases {
		t.Run(tc.name, func(t *testing.T) {
			b, probs := Prepare(obs(tc.quote, tc.value), catalog())
			if b != nil || len(probs) != 1 || probs[0].String() != tc.want || probs[0].Code != tc.code {
				t.Fatalf("got batch=%v problems=%q (code %q); want only %q (%s)", b != nil, probs, codeOf(probs), tc.want, tc.code)
			}
		})
	}
	for _, ok := range []struct{ quote, value string }{
		{"Gia Lai 99,02%", "99.02"},
		{"trên 98,4%", "98.4"},
		{"Sơn La có 35,2% đại biểu nữ", "35.2"},
		{"có duy nhất một đồng chí", "1"},
	} {
		if _, probs := Prepare(obs(ok.quote, ok.value), catalog()); len(probs) > 0 {
			t.Errorf("%q: %q", ok.quote, probs)
		}
	}
}

func codeOf(p []Problem) string {
	var out []string
	for _, x := range p {
		out = append(out, x.Code)
	}
	return strings.Join(out, ",")
}

func TestQuoteLanguageOnlyChecksVietnamese(t *testing.T) {
	if QuoteLanguageProblem("en", "the rate is 24.6 percent") != "" {
		t.Fatal("an English page's quote is in English")
	}
	if QuoteLanguageProblem("vi", "2.269.715/2.270.554") != "" {
		t.Fatal("a quote of numbers only is in every language")
	}
}
