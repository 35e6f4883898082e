package warehouse

import (
	"strconv"
)

// Label renders a target's bounds as people write them: "≥ 10", "20–25", "> 35".
func (t *Target) Label() string {
	num := func(f *float64) string { return strconv.FormatFloat(*f, 'f', -1, 64) }
	switch {
	case t.Lower != nil && t.Upper != nil:
		return num(t.Lower) + "–" + num(t.Upper)
	case t.Lower != nil && t.LowerInclusive:
		return "≥ " + num(t.Lower)
	case t.Lower != nil:
		return "> " + num(t.Lower)
	case t.Upper != nil && t.UpperInclusive:
		return "≤ " + num(t.Upper)
	case t.Upper != nil:
		return "< " + num(t.Upper)
	}
	return ""
}
