package ingest

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// Bounds of text fields, in characters. Loaded text is shown in the explorer, the brief,
// PDFs and tooltips; a name is a label, a title a line, a quote a passage of the source
// (a locator of at most 12 words for official and press sources, longer for seeds and the
// user's own), a note or description a paragraph. The bundled data's longest are 111
// (names), 130 (titles), 135 (quotes) and 237 (notes).
const (
	MaxNameChars  = 200
	MaxTitleChars = 500
	MaxQuoteChars = 1000
	MaxNoteChars  = 2000
)

// textRule is what one kind of text field accepts.
type textRule struct {
	max  int
	what string // "a name", for messages
	name bool   // names refuse every invisible character, not only controls and overrides
}

var (
	nameText  = textRule{MaxNameChars, "a name", true}
	titleText = textRule{MaxTitleChars, "a title", false}
	quoteText = textRule{MaxQuoteChars, "a quote", false}
	noteText  = textRule{MaxNoteChars, "a note", false}
)

type textField struct {
	field string
	rule  textRule
}

// textFields are the free-text fields of each kind (IDs, codes, dates and enumerations
// are checked by their own rules; URLs by badURL). Observations are checked apart, on
// their hot path (observation).
var textFields = map[FileKind][]textField{
	FileProvinces: {{"name", nameText}, {"name_ascii", nameText}, {"region", nameText}},
	FileGroups:    {{"kind", nameText}, {"name", nameText}, {"name_vi", nameText}, {"note", noteText}},
	FileMetrics: {{"name_en", nameText}, {"name_vi", nameText}, {"unit", nameText}, {"body", nameText}, {"level", nameText},
		{"description", noteText}},
	FileSources: {{"title", titleText}, {"issuer", nameText}, {"doc_number", nameText}, {"language", nameText},
		{"location", nameText}, {"licence", nameText}},
	FileTargets: {{"directive", titleText}, {"quote", quoteText}, {"note", noteText}},
}

// texts checks the text fields of a record of kind, reporting each bad one.
func (c *converter) texts(r record, kind FileKind) bool {
	ok := true
	for _, f := range textFields[kind] {
		ok = c.text(r, f.field, r.get(f.field), f.rule) && ok
	}
	return ok
}

// text checks one text field's (trimmed) value s.
func (c *converter) text(r record, field, s string, rule textRule) bool {
	if len(s) > rule.max { // bytes: a cheap first test, as a character is 1 to 4 of them
		if n := utf8.RuneCountInString(s); n > rule.max {
			c.probs = append(c.probs, Problem{File: c.file, Line: r.line, Field: field, Code: CodeTextTooLong,
				Reason: fmt.Sprintf("is %d characters long; %s is at most %d", n, rule.what, rule.max)})
			return false
		}
	}
	if !rule.name && !mayHide(s) { // names are few and short: every character is read
		return true
	}
	for _, ch := range s {
		if what := hidden(ch, rule.name); what != "" {
			c.probs = append(c.probs, Problem{File: c.file, Line: r.line, Field: field, Code: CodeForbiddenCharacter,
				Reason: fmt.Sprintf("contains U+%04X (%s), which is not allowed in %s", ch, what, rule.what)})
			return false
		}
	}
	return true
}

// mayHide reports whether s has a byte that can start a character refused in text other
// than names: an ASCII control, or the first byte of U+0080–U+00BF (C2: the C1 controls)
// or U+2000–U+2FFF (E2: the overrides). Most text has none, and is not decoded.
func mayHide(s string) bool {
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b < 0x20, b == 0x7f, b == 0xc2, b == 0xe2:
			return true
		}
	}
	return false
}

// hidden says what kind of refused character ch is, or "". Every text refuses controls
// (but tab and line breaks outside names) and the bidi embeddings, overrides and isolates,
// which reorder the text shown after them; a name also refuses the marks and every other
// invisible formatting character (zero-width spaces and joiners, soft hyphen, BOM) and
// line separators, with which two different names look the same.
func hidden(ch rune, name bool) string {
	switch {
	case ch == '\t' || ch == '\n' || ch == '\r':
		if name {
			return "a tab or line break"
		}
	case unicode.IsControl(ch):
		return "a control character"
	case ch >= 0x202a && ch <= 0x202e, ch >= 0x2066 && ch <= 0x2069:
		return "a bidi override"
	case !name:
	case ch == 0x200e, ch == 0x200f, ch == 0x061c:
		return "a bidi mark"
	case ch >= 0x200b && ch <= 0x200d, ch == 0x2060, ch == 0xfeff:
		return "a zero-width character"
	case unicode.Is(unicode.Cf, ch):
		return "an invisible formatting character"
	case ch == 0x2028 || ch == 0x2029:
		return "a line separator"
	}
	return ""
}
