package chdb

import "strings"

// EscapeParam renders a string as the escaped text chdb_query_with_params_n expects for a
// String parameter: the engine reads each value with the type's TSV deserializer and
// requires all of it to be consumed, so a backslash must be doubled and a tab or newline
// (which would end the field) written as an escape. Everything else, NUL and non-UTF-8
// bytes included, passes as is. Arrays and numbers are sent in their ordinary text form
// (array elements are quoted literals, read with one level of unescaping).
func EscapeParam(s string) string {
	if !strings.ContainsAny(s, "\\\t\n\r\x00") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b.WriteString(`\\`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case 0:
			b.WriteString(`\0`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
