package ingest

import (
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// The rules a citation of an official or press source must meet so a journalist can stand
// behind it. They live here, in one place; the bundled data's tests (data/) apply the same
// functions to every bundled row.
const (
	// CodeNotPublication: the URL is a search-result, tag, topic or aggregator page, not
	// the page that published the figure.
	CodeNotPublication = "CITATION_NOT_PUBLICATION"
	// CodeTranslation: the URL is a foreign-language edition (a translation) of a
	// Vietnamese original, or the source's language is not the page's.
	CodeTranslation = "CITATION_TRANSLATION"
	// CodeQuoteLanguage: the quote is not in the language of the page it cites.
	CodeQuoteLanguage = "QUOTE_NOT_IN_PAGE_LANGUAGE"
	// CodeQuoteFigure: the quote does not print the figure it is quoted for.
	CodeQuoteFigure = "QUOTE_LACKS_FIGURE"
	// CodeDatePrecision: date_precision does not say what the date is (day, month, year).
	CodeDatePrecision = "DATE_PRECISION_MISMATCH"
)

// BarredPage is a kind of page that is never the source of a figure: Host matches the
// host or any subdomain of it (empty: any host); PathContains, when set, must occur in the
// path (compared in lower case); Why completes "… is".
type BarredPage struct {
	Host, PathContains, Code, Why string
}

// BarredPages lists the pages a figure may not cite. Extend it here; ingest and the data
// tests read only this list.
var BarredPages = []BarredPage{
	{PathContains: "/tim-kiem", Code: CodeNotPublication, Why: "a search-result page"},
	{PathContains: "/search/", Code: CodeNotPublication, Why: "a search-result page"},
	{PathContains: "/tag/", Code: CodeNotPublication, Why: "a tag page"},
	{PathContains: "/tags/", Code: CodeNotPublication, Why: "a tag page"},
	{PathContains: ".tag", Code: CodeNotPublication, Why: "a tag page"},
	{PathContains: "/chu-de/", Code: CodeNotPublication, Why: "a topic page"},
	{PathContains: "/topic/", Code: CodeNotPublication, Why: "a topic page"},
	{Host: "baomoi.com", Code: CodeNotPublication, Why: "an aggregator (Báo Mới republishes other outlets)"},
	{Host: "baomoi.net.vn", Code: CodeNotPublication, Why: "an aggregator (Báo Mới republishes other outlets)"},
	{Host: "baomoi.zadn.vn", Code: CodeNotPublication, Why: "an aggregator (Báo Mới republishes other outlets)"},
	{Host: "thegioithao.com", Code: CodeNotPublication, Why: "an aggregator (it republishes other outlets)"},
	{Host: "xe.today", Code: CodeNotPublication, Why: "an aggregator (English rewrites of Vietnamese outlets)"},
	{Host: "vietnam.vn", PathContains: "/en/", Code: CodeTranslation, Why: "an English translation of a Vietnamese article"},
	{Host: "en.vietnamplus.vn", Code: CodeTranslation, Why: "VietnamPlus's English edition (a translation)"},
	{Host: "fr.vietnamplus.vn", Code: CodeTranslation, Why: "VietnamPlus's French edition (a translation)"},
	{Host: "es.vietnamplus.vn", Code: CodeTranslation, Why: "VietnamPlus's Spanish edition (a translation)"},
	{Host: "zh.vietnamplus.vn", Code: CodeTranslation, Why: "VietnamPlus's Chinese edition (a translation)"},
	{Host: "news.laodong.vn", Code: CodeTranslation, Why: "Lao Động's English edition (a translation)"},
	{Host: "vov4.vov.vn", Code: CodeTranslation, Why: "a VOV4 ethnic-language bulletin (a translation of Vietnamese news)"},
	{Host: "en.vietnamnet.vn", Code: CodeTranslation, Why: "VietNamNet's English edition (a translation)"},
	{Host: "e.vnexpress.net", Code: CodeTranslation, Why: "VnExpress's English edition (a translation)"},
}

// Barred returns the rule a URL breaks, or nil.
func Barred(u string) *BarredPage {
	p, err := url.Parse(u)
	if err != nil {
		return nil
	}
	host := strings.TrimPrefix(strings.ToLower(p.Hostname()), "www.")
	path := strings.ToLower(p.EscapedPath())
	if dec, err := url.PathUnescape(path); err == nil {
		path = dec
	}
	for i := range BarredPages {
		b := &BarredPages[i]
		if b.Host != "" && host != b.Host && !strings.HasSuffix(host, "."+b.Host) {
			continue
		}
		if b.PathContains != "" && !strings.Contains(path, b.PathContains) {
			continue
		}
		return b
	}
	return nil
}

// Datable precisions of a source's date, from its form.
var precisions = map[int]string{4: "year", 7: "month", 10: "day"}

// DatePrecision is the precision of a YYYY, YYYY-MM or YYYY-MM-DD date ("" for none).
func DatePrecision(date string) string { return precisions[len(date)] }

// RetrievedUnknown, written in the retrieved column, says honestly that the day the page
// was read is not known; it is stored as no date.
const RetrievedUnknown = "unknown"

// Words that mark a quote as English or French: a locator from a Vietnamese page holding
// two of them, or one and no letter only Vietnamese writes, is a translation.
var foreignWords = map[string]bool{
	"the": true, "of": true, "and": true, "is": true, "are": true, "was": true, "were": true, "has": true,
	"have": true, "with": true, "for": true, "from": true, "cases": true, "people": true, "percent": true,
	"total": true, "number": true, "level": true, "rate": true, "out": true, "over": true, "at": true,
	"a": true, "la": true, "le": true, "de": true, "et": true, "en": true, "ont": true,
	"les": true, "des": true, "du": true, "dont": true, "soit": true, "sont": true, "est": true, "une": true,
	"avec": true, "pour": true, "plus": true, "femmes": true, "membres": true, "compte": true, "représentant": true,
}

// vietnameseOnly reports whether r is a letter Vietnamese writes and English and French do
// not: đ, ă, ơ, ư, ĩ, ũ and the vowels with the hook or dot below (U+1EA0–U+1EF9), among
// them every vowel with two marks.
func vietnameseOnly(r rune) bool {
	switch unicode.ToLower(r) {
	case 'đ', 'ă', 'ơ', 'ư', 'ĩ', 'ũ':
		return true
	}
	return r >= 0x1EA0 && r <= 0x1EF9
}

// marked reports whether r is a letter with a diacritic Vietnamese writes (French shares
// some: â, ê, ô, à, é …).
func marked(r rune) bool {
	return vietnameseOnly(r) || strings.ContainsRune("âêôàáèéìíòóùúýãõÂÊÔÀÁÈÉÌÍÒÓÙÚÝÃÕ", r)
}

// QuoteLanguageProblem says why quote is not in the language lang of the page it cites, or
// "". Only Vietnamese (vi) is checked, and Vietnamese press prints its diacritics: a quote
// without a letter with a Vietnamese diacritic may hold at most three words (a name such
// as "Gia Lai 99,02%") and no English or French function word; one with them may hold one
// such word only beside a letter only Vietnamese writes (ơ, ư, đ, ạ …), never two.
func QuoteLanguageProblem(lang, quote string) string {
	if lang != "vi" {
		return ""
	}
	mark, viet := false, false
	for _, r := range quote {
		mark = mark || marked(r)
		viet = viet || vietnameseOnly(r)
	}
	words := strings.FieldsFunc(strings.ToLower(quote), func(r rune) bool { return !unicode.IsLetter(r) })
	seen := map[string]bool{}
	for _, w := range words {
		if foreignWords[w] {
			seen[w] = true
		}
	}
	switch {
	case !mark && (len(seen) > 0 || len(words) > 3):
		return "is not Vietnamese (no letter with a Vietnamese diacritic); quote the Vietnamese page's own words, not a translation"
	case len(seen) >= 2 || len(seen) == 1 && !viet:
		return "reads as English or French, not Vietnamese; quote the Vietnamese page's own words, not a translation"
	}
	return ""
}

var (
	numberRE    = regexp.MustCompile(`\d+(?:[.,]\d+)*`)
	numberWords = map[string]float64{"một": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9, "mười": 10}
)

// PrintsOneOf reports whether text prints one of the figures, in Vietnamese (thousands
// dots, decimal comma) or English (thousands commas, decimal point) notation, or as a
// number word (một … mười) for a small count.
func PrintsOneOf(text string, figures ...*float64) bool {
	var printed []float64
	for _, m := range numberRE.FindAllString(text, -1) {
		printed = append(printed, readings(m)...)
	}
	lower := strings.ToLower(text)
	for _, w := range strings.FieldsFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if v, ok := numberWords[w]; ok {
			printed = append(printed, v)
		}
	}
	// A count or share of zero is printed as "không có" (there is none): "không có cán bộ
	// nữ trong ban thường vụ" is a share of women of 0.
	if strings.Contains(lower, "không có") {
		printed = append(printed, 0)
	}
	for _, f := range figures {
		for _, p := range printed {
			if f != nil && math.Abs(*f-p) < 1e-9 {
				return true
			}
		}
	}
	return false
}

// readings are the values a printed number can have: "1.098" is 1098 in Vietnamese and
// 1.098 in English; "29,2" is 29.2; "1.098,5" is 1098.5; "30.26" is 30.26.
func readings(s string) []float64 {
	var out []float64
	for _, c := range []string{
		strings.ReplaceAll(strings.ReplaceAll(s, ".", ""), ",", "."), // Vietnamese
		strings.ReplaceAll(s, ",", ""),                               // English
	} {
		if v, err := strconv.ParseFloat(c, 64); err == nil {
			out = append(out, v)
		}
	}
	return out
}

// DocumentPath is where the server serves a seed document: its figures cite this link.
func DocumentPath(sourceID string) string { return "/documents/" + sourceID }

// citable checks a source row's URL, language and date precision against the citation
// rules; it reports every problem it finds.
func (c *converter) citable(r record, kind, date, u string) bool {
	ok := true
	switch {
	case u == "":
	case kind == "seed":
		// A seed document is served by the product; it is cited by that link alone.
		if want := DocumentPath(r.get("id")); u != want {
			c.bad(r, "url", "%q: a seed document is cited by the link the server serves it at, %s", u, want)
			ok = false
		}
	default:
		if why := badURL(u); why != "" {
			c.bad(r, "url", "%q %s", u, why)
			return false
		}
		if b := Barred(u); b != nil && (kind == "official" || kind == "press") {
			c.badCode(r, "url", b.Code, "%q is %s, not the page that published the figure; cite the original outlet's article", u, b.Why)
			ok = false
		}
	}
	if kind == "seed" || kind == "official" || kind == "press" {
		for _, f := range []string{"issuer", "title"} {
			if why := NameLanguageProblem(r.get("language"), r.get(f)); why != "" {
				c.badCode(r, f, CodeIssuerLanguage, "%q %s", r.get(f), why)
				ok = false
			}
		}
	}
	if p := r.get("date_precision"); p != "" && p != DatePrecision(date) {
		if date == "" {
			c.badCode(r, "date_precision", CodeDatePrecision, "is %q but there is no date", p)
		} else {
			c.badCode(r, "date_precision", CodeDatePrecision, "must be %s for the date %s (day for YYYY-MM-DD, month for YYYY-MM, year for YYYY), not %q", DatePrecision(date), date, p)
		}
		ok = false
	}
	return ok
}

// quoteRules checks the quote of a row citing an official or press source: in the page's
// language and printing the figure (one of figures).
func (c *converter) quoteRules(r record, field, source, quote string, figures ...*float64) bool {
	if k := c.refs.sources[source]; k != "official" && k != "press" {
		return true
	}
	if why := QuoteLanguageProblem(c.refs.langs[source], quote); why != "" {
		c.badCode(r, field, CodeQuoteLanguage, "%q %s", quote, why)
		return false
	}
	if !PrintsOneOf(quote, figures...) {
		c.badCode(r, field, CodeQuoteFigure, "%q does not print the figure it is quoted for (%s); quote the words around the figure as the page prints them", quote, figureList(figures))
		return false
	}
	return true
}

func figureList(fs []*float64) string {
	var out []string
	for _, f := range fs {
		if f != nil {
			out = append(out, strconv.FormatFloat(*f, 'f', -1, 64))
		}
	}
	if len(out) == 0 {
		return "no figure given"
	}
	return strings.Join(out, " or ")
}

// englishWords mark an issuer or title written in English; a Vietnamese source names its
// issuer in Vietnamese, with any English gloss in parentheses. Words that are also
// Vietnamese or part of outlets' names (an, a, the, news, in) are not listed.
var englishWords = map[string]bool{
	"of": true, "and": true, "by": true, "for": true, "reporting": true, "quoting": true, "signed": true, "provincial": true, "party": true, "board": true,
	"organisation": true, "organization": true, "committee": true, "department": true, "director": true,
	"deputy": true, "head": true, "city": true, "conference": true, "report": true,
	"province": true, "named": true, "text": true, "not": true, "cluster": true, "sector": true,
	"emulation": true, "central": true, "commission": true, "local": true, "affairs": true, "as": true,
	"published": true, "work": true, "southern": true, "provinces": true,
}

// CodeIssuerLanguage: a Vietnamese source's issuer or title is not in Vietnamese.
const CodeIssuerLanguage = "ISSUER_NOT_IN_VIETNAMESE"

// NameLanguageProblem says why s, the issuer or title of a source in language lang, is not
// in that language, or "". Only Vietnamese is checked: outside parentheses (where an
// English gloss may stand) s holds no English word and, past three words, a letter with a
// Vietnamese diacritic.
func NameLanguageProblem(lang, s string) string {
	if lang != "vi" {
		return ""
	}
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(' || r == '[':
			depth++
		case (r == ')' || r == ']') && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	outside := b.String()
	words := strings.FieldsFunc(strings.ToLower(outside), func(r rune) bool { return !unicode.IsLetter(r) && r != '.' })
	var found []string
	mark := false
	for _, r := range outside {
		mark = mark || marked(r)
	}
	for _, w := range words {
		if englishWords[w] {
			found = append(found, w)
		}
	}
	switch {
	case len(found) > 0:
		return "is in English (" + strings.Join(found, ", ") + "); a Vietnamese source's issuer and title are in Vietnamese, an English gloss may stand beside them in parentheses"
	case !mark && len(words) > 3:
		return "is not Vietnamese (no letter with a Vietnamese diacritic); a Vietnamese source's issuer and title are in Vietnamese, an English gloss may stand beside them in parentheses"
	}
	return ""
}
