package ingest

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/cadrestat/cadrestat/warehouse"
)

// refs is what rows may refer to: the warehouse's catalogue plus this load's own rows.
type refs struct {
	provinces map[string]bool
	groups    map[string]bool
	metrics   map[string]*warehouse.Metric
	sources   map[string]string // ID -> kind (seed, official, press, user, synthetic)
	langs     map[string]string // ID -> language of the source (its page's)
}

func newRefs(cat *warehouse.Catalog) *refs {
	r := &refs{provinces: map[string]bool{}, groups: map[string]bool{}, metrics: map[string]*warehouse.Metric{}, sources: map[string]string{}, langs: map[string]string{}}
	if cat != nil {
		for _, p := range cat.Provinces {
			r.provinces[p.ID] = true
		}
		for _, g := range cat.Groups {
			r.groups[g.ID] = true
		}
		for i := range cat.Metrics {
			r.metrics[cat.Metrics[i].ID] = &cat.Metrics[i]
		}
		for _, s := range cat.Sources {
			r.sources[s.ID] = s.Kind
			r.langs[s.ID] = s.Language
		}
	}
	return r
}

func (r *refs) hasSource(id string) bool {
	_, ok := r.sources[id]
	return ok
}

type converter struct {
	today string // retrieval dates after it are in the future (see today)
	refs  *refs
	batch *warehouse.Batch
	probs []Problem
	file  string
	seen  map[string]int // duplicate detection: key -> first line
}

func (c *converter) bad(r record, field, format string, args ...any) {
	c.probs = append(c.probs, Problem{File: c.file, Line: r.line, Field: field, Reason: fmt.Sprintf(format, args...)})
}

// badCode is bad with a code a program may act on.
func (c *converter) badCode(r record, field, code, format string, args ...any) {
	c.probs = append(c.probs, Problem{File: c.file, Line: r.line, Field: field, Code: code, Reason: fmt.Sprintf(format, args...)})
}

func (c *converter) dup(r record, kind FileKind, key string) bool {
	k := string(kind) + "\x00" + key
	if first, ok := c.seen[k]; ok {
		c.bad(r, "", "duplicate of line %d (same %s)", first, dupWhat[kind])
		return true
	}
	c.seen[k] = r.line
	return false
}

var dupWhat = map[FileKind]string{
	FileProvinces: "map and code", FileLineage: "VN63 code", FileGroups: "id", FileMetrics: "id",
	FileSources: "id", FileTargets: "id", FileObservations: "subject, metric, period and source",
}

func (c *converter) required(r record, fields ...string) bool {
	ok := true
	for _, f := range fields {
		if r.get(f) == "" {
			c.bad(r, f, "is required")
			ok = false
		}
	}
	return ok
}

func oneOf[T ~string](v T, allowed ...T) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

var (
	idRE   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,127}$`)
	codeRE = regexp.MustCompile(`^[0-9]{2}$`)
	dateRE = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?$`)
)

// Dimension rows are converted first (in this order) so observations can refer to them.
func (c *converter) provinces(p parsed) {
	for _, r := range p.records {
		if !c.required(r, "map", "code", "name", "name_ascii", "kind", "region") || !c.texts(r, FileProvinces) {
			continue
		}
		m := warehouse.Map(r.get("map"))
		if m != warehouse.VN63 && m != warehouse.VN34 {
			c.bad(r, "map", "must be VN63 or VN34, not %q", r.get("map"))
			continue
		}
		if !codeRE.MatchString(r.get("code")) {
			c.bad(r, "code", "must be a two-digit administrative code, not %q", r.get("code"))
			continue
		}
		if !oneOf(r.get("kind"), "province", "city") {
			c.bad(r, "kind", "must be province or city, not %q", r.get("kind"))
			continue
		}
		if f, d := badDate(r, "valid_from", "valid_to"); f != "" {
			c.bad(r, f, "must be a valid date written YYYY-MM-DD, not %q", d)
			continue
		}
		id := string(m) + "-" + r.get("code")
		if c.dup(r, FileProvinces, id) {
			continue
		}
		c.refs.provinces[id] = true
		c.batch.Provinces = append(c.batch.Provinces, warehouse.Province{ID: id, Map: m, Code: r.get("code"), Name: r.get("name"), NameASCII: r.get("name_ascii"),
			Kind: r.get("kind"), Region: r.get("region"), ValidFrom: r.get("valid_from"), ValidTo: r.get("valid_to")})
	}
}

// badDate returns the first of fields that is given but is not a real YYYY-MM-DD date.
func badDate(r record, fields ...string) (field, value string) {
	for _, f := range fields {
		if d := r.get(f); d != "" && !validDate("2006-01-02", d) {
			return f, d
		}
	}
	return "", ""
}

func (c *converter) lineage(p parsed) {
	for _, r := range p.records {
		from, to := "VN63-"+r.get("vn63_code"), "VN34-"+r.get("vn34_code")
		if !c.refs.provinces[from] {
			c.bad(r, "vn63_code", "unknown VN63 province code %q", r.get("vn63_code"))
			continue
		}
		if !c.refs.provinces[to] {
			c.bad(r, "vn34_code", "unknown VN34 province code %q", r.get("vn34_code"))
			continue
		}
		if c.dup(r, FileLineage, from) {
			continue
		}
		c.batch.Lineage = append(c.batch.Lineage, warehouse.LineageLink{From: from, To: to})
	}
}

func (c *converter) sources(p parsed) {
	today := c.today
	for _, r := range p.records {
		if !c.required(r, "id", "title", "issuer", "language", "location", "kind") || !c.texts(r, FileSources) {
			continue
		}
		if !idRE.MatchString(r.get("id")) {
			c.bad(r, "id", "must be letters, digits and _ . : - (at most 128), not %q", r.get("id"))
			continue
		}
		kind := r.get("kind")
		if !oneOf(kind, "seed", "official", "press", "user", "synthetic") {
			c.bad(r, "kind", "must be seed, official, press, user or synthetic, not %q", kind)
			continue
		}
		date, u, ret := r.get("date"), r.get("url"), r.get("retrieved")
		if date != "" && !dateRE.MatchString(date) {
			c.bad(r, "date", "must be YYYY, YYYY-MM or YYYY-MM-DD, not %q", date)
			continue
		} else if date != "" && !validDate(dateLayout(date), date) {
			c.bad(r, "date", "%q is not a valid date", date)
			continue
		}
		if !c.citable(r, kind, date, u) {
			continue
		}
		retUnknown := ret == RetrievedUnknown && (kind == "official" || kind == "press")
		if retUnknown {
			ret = ""
		}
		if ret != "" {
			switch {
			case !validDate("2006-01-02", ret):
				c.bad(r, "retrieved", "must be the date the page was read, a real date written YYYY-MM-DD, not %q", ret)
				continue
			case date != "" && ret[:len(date)] < date:
				c.bad(r, "retrieved", "%s is before the publication date %s", ret, date)
				continue
			case ret > today:
				c.bad(r, "retrieved", "%s is in the future (today is %s)", ret, today)
				continue
			}
		}
		// A reader must be able to open an official or press source, and see when it was
		// published and when it was read; seeds are files of the project, user sources are
		// the user's own.
		if kind == "official" || kind == "press" {
			ok, a := true, "a"
			if kind == "official" {
				a = "an"
			}
			for _, f := range []struct{ name, v, what string }{
				{"url", u, "the page's http(s) address"},
				{"date", date, "the publication date (YYYY-MM-DD, or YYYY-MM or YYYY when that is all that is known)"},
				{"retrieved", ret, "the date the page was read (YYYY-MM-DD), or unknown when that day is not known"},
			} {
				if f.v == "" && (f.name != "retrieved" || !retUnknown) {
					c.bad(r, f.name, "is required for %s %s source: %s", a, kind, f.what)
					ok = false
				}
			}
			if !ok {
				continue
			}
		}
		// priority: the declared tie-breaker of the preference rule, a whole number from -100
		// to 100 (higher first; empty is 0).
		prio := 0
		if p := r.get("priority"); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil || n < -100 || n > 100 || strings.HasPrefix(p, "+") {
				c.bad(r, "priority", "must be a whole number from -100 to 100 (higher is preferred on a tie), not %q", p)
				continue
			}
			prio = n
		}
		if c.dup(r, FileSources, r.get("id")) {
			continue
		}
		c.refs.sources[r.get("id")] = kind
		c.refs.langs[r.get("id")] = r.get("language")
		c.batch.Sources = append(c.batch.Sources, warehouse.Source{ID: r.get("id"), Title: r.get("title"), Issuer: r.get("issuer"), DocNumber: r.get("doc_number"),
			Date: date, Language: r.get("language"), Location: r.get("location"), Kind: kind, Licence: r.get("licence"), URL: u, Retrieved: ret, Priority: prio})
	}
}

// MaxLocatorWords bounds the quote of a figure from an official or press source: a locator,
// a few words of the page around the figure (containing it) for finding it at the source's
// URL, never the page's prose.
const MaxLocatorWords = 12

// locator checks the quote of a row citing a source of the given kind.
func (c *converter) locator(r record, field, kind, quote string) bool {
	if kind != "official" && kind != "press" {
		return true
	}
	if n := words(quote); n > MaxLocatorWords {
		a := "a"
		if kind == "official" {
			a = "an"
		}
		c.bad(r, field, "%s %s source is cited by a locator of at most %d words of the page around the figure, not %d words", a, kind, MaxLocatorWords, n)
		return false
	}
	return true
}

// words counts space-separated words without allocating (observation rows are many).
func words(s string) int {
	n, in := 0, false
	for _, r := range s {
		if unicode.IsSpace(r) {
			in = false
		} else if !in {
			in = true
			n++
		}
	}
	return n
}

// badURL says why u is not an address a reader can open, or "".
func badURL(u string) string {
	if len(u) > 2048 {
		return "is longer than 2048 bytes"
	}
	for _, r := range u {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return "must not contain spaces or control characters (percent-encode them: %20)"
		}
	}
	p, err := url.Parse(u)
	if err != nil {
		return "is not a valid URL"
	}
	switch {
	case p.Scheme != "http" && p.Scheme != "https":
		return "must be an http:// or https:// address"
	case p.Host == "" || p.Hostname() == "":
		return "has no host"
	case p.User != nil:
		return "must not carry a user name or password"
	}
	return ""
}

// today is the latest date it is anywhere on Earth (UTC+14) at now: a page read today in
// any time zone is not "in the future".
func today(now time.Time) string { return now.UTC().Add(14 * time.Hour).Format("2006-01-02") }

func (c *converter) metrics(p parsed) {
	for _, r := range p.records {
		if !c.required(r, "id", "name_en", "name_vi", "unit", "kind", "body", "better", "aggregation") || !c.texts(r, FileMetrics) {
			continue
		}
		if !idRE.MatchString(r.get("id")) {
			c.bad(r, "id", "must be letters, digits and _ . : -, not %q", r.get("id"))
			continue
		}
		kind := warehouse.MetricKind(strings.ToUpper(r.get("kind")))
		agg := warehouse.Aggregation(strings.ToUpper(r.get("aggregation")))
		better := warehouse.Direction(strings.ToUpper(r.get("better")))
		switch {
		case !oneOf(kind, warehouse.MetricShare, warehouse.MetricCount, warehouse.MetricAmount):
			c.bad(r, "kind", "must be SHARE, COUNT or AMOUNT, not %q", r.get("kind"))
		case !oneOf(agg, warehouse.AggRatio, warehouse.AggSum, warehouse.AggNone):
			c.bad(r, "aggregation", "must be RATIO, SUM or NONE, not %q", r.get("aggregation"))
		case kind == warehouse.MetricShare && agg == warehouse.AggSum:
			c.bad(r, "aggregation", "a share cannot be summed across provinces; use RATIO (numerators over denominators) or NONE")
		case !oneOf(better, warehouse.HigherIsBetter, warehouse.LowerIsBetter, warehouse.NoDirection):
			c.bad(r, "better", "must be HIGHER, LOWER or NONE, not %q", r.get("better"))
		case c.dup(r, FileMetrics, r.get("id")):
		default:
			m := warehouse.Metric{ID: r.get("id"), NameEN: r.get("name_en"), NameVI: r.get("name_vi"), Unit: r.get("unit"), Kind: kind, Body: r.get("body"),
				Level: r.get("level"), Better: better, Aggregation: agg, Description: r.get("description")}
			c.batch.Metrics = append(c.batch.Metrics, m)
		}
	}
	// Point refs at the final slice only now: append may move it while the loop runs.
	for i := range c.batch.Metrics {
		c.refs.metrics[c.batch.Metrics[i].ID] = &c.batch.Metrics[i]
	}
}

func (c *converter) groups(p parsed) {
	for _, r := range p.records {
		if !c.required(r, "id", "kind", "name", "map") || !c.texts(r, FileGroups) {
			continue
		}
		if !idRE.MatchString(r.get("id")) {
			c.bad(r, "id", "must be letters, digits and _ . : -, not %q", r.get("id"))
			continue
		}
		m := warehouse.Map(r.get("map"))
		if m != warehouse.VN63 && m != warehouse.VN34 {
			c.bad(r, "map", "must be VN63 or VN34, not %q", r.get("map"))
			continue
		}
		var members []string
		ok := true
		// Members may be empty: some sources report for an area or an unnamed province
		// whose members are not printed; such groups are never used for aggregation.
		for _, mem := range strings.FieldsFunc(r.get("members"), func(c rune) bool { return c == ';' }) {
			mem = strings.TrimSpace(mem)
			if !c.refs.provinces[mem] || !strings.HasPrefix(mem, string(m)+"-") {
				c.bad(r, "members", "unknown province %q on map %s", mem, m)
				ok = false
				break
			}
			members = append(members, mem)
		}
		if src := r.get("source"); src != "" && !c.refs.hasSource(src) {
			c.bad(r, "source", "unknown source %q", src)
			ok = false
		}
		if !ok || c.dup(r, FileGroups, r.get("id")) {
			continue
		}
		c.refs.groups[r.get("id")] = true
		c.batch.Groups = append(c.batch.Groups, warehouse.Group{ID: r.get("id"), Kind: r.get("kind"), Name: r.get("name"), NameVI: r.get("name_vi"),
			Map: m, Members: members, SourceID: r.get("source"), Note: r.get("note")})
	}
}

// number parses a decimal number (parseNumber); a Vietnamese decimal comma ("24,01") is
// refused with a clear message rather than guessed at, since "1.098" means 1098 in
// Vietnamese text.
func (c *converter) number(r record, field string) (*float64, bool) {
	return c.numberText(r, field, r.get(field))
}

// numberText reads s, the (trimmed) text of field, as a number; empty is absent.
func (c *converter) numberText(r record, field, s string) (*float64, bool) {
	if s == "" {
		return nil, true
	}
	v, why := parseNumber(s)
	if why != "" {
		c.bad(r, field, "%q %s", s, why)
		return nil, false
	}
	return &v, true
}

func (c *converter) targets(p parsed) {
	for _, r := range p.records {
		if !c.required(r, "id", "metric", "scope", "deadline", "directive", "source", "quote") || !c.texts(r, FileTargets) {
			continue
		}
		lo, ok1 := c.number(r, "lower")
		hi, ok2 := c.number(r, "upper")
		if !ok1 || !ok2 {
			continue
		}
		applies, ok3 := c.targetPeriods(r)
		if !ok3 {
			continue
		}
		m := c.refs.metrics[r.get("metric")]
		dl, isYear := plainYear(r.get("deadline"))
		switch {
		case m == nil:
			c.bad(r, "metric", "unknown metric %q", r.get("metric"))
		case r.get("scope") != warehouse.NationalID && !c.refs.provinces[r.get("scope")] && !c.refs.groups[strings.TrimPrefix(r.get("scope"), "group:")]:
			c.bad(r, "scope", "must be VN, a province ID such as VN63-51 or group:<id>, not %q", r.get("scope"))
		case lo == nil && hi == nil:
			c.bad(r, "lower", "a target needs a lower or an upper bound")
		case lo != nil && hi != nil && *lo > *hi:
			c.bad(r, "lower", "lower bound %g is above upper bound %g", *lo, *hi)
		case !isYear || dl < 2000 || dl > 2100:
			c.bad(r, "deadline", "must be a year between 2000 and 2100, not %q", r.get("deadline"))
		case !c.refs.hasSource(r.get("source")):
			c.bad(r, "source", "unknown source %q", r.get("source"))
		case !c.locator(r, "quote", c.refs.sources[r.get("source")], r.get("quote")):
		case !c.quoteRules(r, "quote", r.get("source"), r.get("quote"), lo, hi):
		case c.dup(r, FileTargets, r.get("id")):
		default:
			c.batch.Targets = append(c.batch.Targets, warehouse.Target{ID: r.get("id"), MetricID: m.ID, Scope: r.get("scope"), Lower: lo, Upper: hi,
				LowerInclusive: truthy(r.get("lower_inclusive")), UpperInclusive: truthy(r.get("upper_inclusive")), Deadline: dl,
				Directive: r.get("directive"), SourceID: r.get("source"), Quote: r.get("quote"), Note: r.get("note"), Applies: applies})
		}
	}
}

// targetPeriods reads a target's applies column: the terms or ranges it judges, separated
// by ";" ("term:2020-2025; term:2025-2030"). A year or a date is refused: a target judges a
// term's committees or a span of years, and a single year is written range:2025-2025.
func (c *converter) targetPeriods(r record) ([]string, bool) {
	var out []string
	for _, part := range strings.Split(r.get("applies"), ";") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		p, msg := ParsePeriod(part)
		switch {
		case msg != "":
			c.bad(r, "applies", "%q %s", part, msg)
			return nil, false
		case p.Kind != warehouse.PeriodTerm && p.Kind != warehouse.PeriodRange:
			c.bad(r, "applies", "%q must be a term (term:2020-2025) or a range (range:2022-2026)", part)
			return nil, false
		}
		out = append(out, p.Label)
	}
	return out, true
}

func truthy(s string) bool { return oneOf(strings.ToLower(s), "true", "1", "yes") }
