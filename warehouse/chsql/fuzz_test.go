package chsql

import (
	"strings"
	"testing"
)

// FuzzInline checks that any string value, inlined as a parameter, stays one literal: the
// rendered SQL contains exactly the statement's own quotes around one escaped value, and
// unescaping it gives back the input.
func FuzzInline(f *testing.F) {
	for _, s := range []string{"", "'", `\`, `\'`, "'; DROP TABLE x; --", "Cần Thơ", "a\x00b", "{x:String}", "\n\r"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := Inline(Query{SQL: "SELECT {v:String}", Params: []Param{{"v", s}}})
		if err != nil {
			t.Fatal(err)
		}
		lit := strings.TrimSuffix(strings.TrimPrefix(out, "SELECT CAST("), " AS String)")
		if got := unquote(t, lit); got != s {
			t.Fatalf("round trip: %q -> %s -> %q", s, lit, got)
		}
	})
}

// unquote parses a ClickHouse string literal the way the server does, failing if the
// literal ends early (which would let the rest of the value escape into the SQL).
func unquote(t *testing.T, lit string) string {
	if len(lit) < 2 || lit[0] != '\'' || lit[len(lit)-1] != '\'' {
		t.Fatalf("not a literal: %s", lit)
	}
	var b strings.Builder
	body := lit[1 : len(lit)-1]
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '\\' && i+1 < len(body):
			i++
			switch body[i] {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case '0':
				b.WriteByte(0)
			default:
				b.WriteByte(body[i])
			}
		case c == '\\' || c == '\'':
			t.Fatalf("unescaped %q inside literal %s", c, lit)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
