package warehouse

import (
	"strings"
	"unicode"
)

// Catalog is the small dimension data held in memory and joined in Go.
type Catalog struct {
	Version   uint64
	Provinces []Province
	Groups    []Group
	Metrics   []Metric
	Sources   []Source
	Targets   []Target

	provinceByID map[string]*Province
	groupByID    map[string]*Group
	metricByID   map[string]*Metric
	sourceByID   map[string]*Source
}

// Index builds the lookup maps; call after filling the slices.
func (c *Catalog) Index() {
	c.provinceByID = make(map[string]*Province, len(c.Provinces))
	for i := range c.Provinces {
		c.provinceByID[c.Provinces[i].ID] = &c.Provinces[i]
	}
	c.groupByID = make(map[string]*Group, len(c.Groups))
	for i := range c.Groups {
		c.groupByID[c.Groups[i].ID] = &c.Groups[i]
	}
	c.metricByID = make(map[string]*Metric, len(c.Metrics))
	for i := range c.Metrics {
		c.metricByID[c.Metrics[i].ID] = &c.Metrics[i]
	}
	c.sourceByID = make(map[string]*Source, len(c.Sources))
	for i := range c.Sources {
		c.sourceByID[c.Sources[i].ID] = &c.Sources[i]
	}
}

// Province returns the province with the given ID, or nil.
func (c *Catalog) Province(id string) *Province { return c.provinceByID[id] }

// Group returns the group with the given ID, or nil.
func (c *Catalog) Group(id string) *Group { return c.groupByID[id] }

// Metric returns the metric with the given ID, or nil.
func (c *Catalog) Metric(id string) *Metric { return c.metricByID[id] }

// Source returns the source with the given ID, or nil.
func (c *Catalog) Source(id string) *Source { return c.sourceByID[id] }

// ProvincesOn returns the provinces of one map in code order.
func (c *Catalog) ProvincesOn(m Map) []*Province {
	var out []*Province
	for i := range c.Provinces {
		if c.Provinces[i].Map == m {
			out = append(out, &c.Provinces[i])
		}
	}
	return out
}

// TargetsFor returns the targets of a metric, in the catalogue's order (by target ID);
// which one judges a figure is service's choice (service/target_scope.go).
func (c *Catalog) TargetsFor(metricID string) []*Target {
	var out []*Target
	for i := range c.Targets {
		if c.Targets[i].MetricID == metricID {
			out = append(out, &c.Targets[i])
		}
	}
	return out
}

// FindProvince resolves a province by ID, code on a map, or name with or without
// diacritics and in any case ("Can Tho", "Cần Thơ", "CẦN THƠ").
func (c *Catalog) FindProvince(m Map, ref string) *Province {
	if p := c.provinceByID[ref]; p != nil {
		return p
	}
	key := Fold(ref)
	for i := range c.Provinces {
		p := &c.Provinces[i]
		if m != "" && p.Map != m {
			continue
		}
		if p.Code == ref || Fold(p.Name) == key || Fold(p.NameASCII) == key {
			return p
		}
	}
	return nil
}

// Fold lower-cases and strips Vietnamese diacritics so names compare as people type them,
// whether the text is precomposed (NFC) or decomposed into base letters and combining
// marks (NFD, as some systems produce).
func Fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if f, ok := foldTable[r]; ok {
			b.WriteRune(f)
		} else {
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

var foldTable = func() map[rune]rune {
	groups := map[rune]string{
		'a': "àáảãạăằắẳẵặâầấẩẫậ",
		'e': "èéẻẽẹêềếểễệ",
		'i': "ìíỉĩị",
		'o': "òóỏõọôồốổỗộơờớởỡợ",
		'u': "ùúủũụưừứửữự",
		'y': "ỳýỷỹỵ",
		'd': "đ",
	}
	m := map[rune]rune{}
	for base, chars := range groups {
		for _, r := range chars {
			m[r] = base
		}
	}
	return m
}()
