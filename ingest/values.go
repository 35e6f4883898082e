package ingest

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// parseNumber reads s as a plain decimal number, the one spelling the data format allows:
// an optional '-', digits, optionally '.' and digits, optionally 'e' or 'E', a sign and
// digits ("12", "-3.5", "1e3", "0.0"). strconv.ParseFloat alone would take "1_000", "0x1p3",
// "+5", ".5", "Inf" and "NaN", and read "1e-400" as 0; those are refused here, as is any
// value too large for a float64 and any non-zero value too small to be held as a normal
// one (it would be stored as 0 or with lost digits). why is the reason for the refusal,
// "" when s is a number; it follows the quoted text in a problem.
//
// The grammar is checked by hand before ParseFloat: it is on every row's path, and a
// regexp or a copy of the text would cost more than the conversion itself.
func parseNumber(s string) (v float64, why string) {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	i, ok, nonZero := digits(s, i) // nonZero: the mantissa has a digit other than 0
	if ok && i < len(s) && s[i] == '.' {
		var nz bool
		i, ok, nz = digits(s, i+1)
		nonZero = nonZero || nz
	}
	if ok && i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		i, ok, _ = digits(s, i)
	}
	if !ok || i != len(s) {
		return 0, notNumber(s)
	}
	v, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil || math.IsInf(v, 0): // the grammar leaves only a range error
		return 0, "is too large to be a figure (the largest is about 1.8e308)"
	case nonZero && math.Abs(v) < smallestNormal: // read as 0, or as a denormal
		return 0, "is too close to zero to be stored (a non-zero figure must be at least 2.2e-308 in magnitude)"
	case v == 0:
		v = 0 // "-0" is 0
	}
	return v, ""
}

// smallestNormal is the smallest positive float64 held with full precision.
const smallestNormal = 0x1p-1022

// digits skips the decimal digits of s from i: where they end, whether there was at least
// one, and whether one was not 0.
func digits(s string, i int) (end int, ok, nonZero bool) {
	start := i
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if s[i] != '0' {
			nonZero = true
		}
	}
	return i, i > start, nonZero
}

// notNumber says why s, which is not in the number grammar, was refused: the likely
// intent when it is recognisable, the grammar otherwise.
func notNumber(s string) string {
	body := strings.TrimLeft(s, "+-")
	switch {
	case strings.Contains(s, ","):
		return "is not a number; write decimals with a point (24.01), without thousands separators"
	case strings.ContainsAny(s, "_ '"):
		return "is not a number; write digits without separators (1000, not 1_000)"
	case len(body) > 1 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X'):
		return "is not a number; write decimal digits, not hexadecimal"
	case strings.EqualFold(body, "inf") || strings.EqualFold(body, "infinity") || strings.EqualFold(body, "nan"):
		return "is not a number; infinity and NaN are not figures"
	case strings.HasPrefix(s, "+"):
		return `is not a number; write it without "+"`
	}
	return "is not a number; write a plain decimal such as 1967, -3.5, 24.01 or 1e3"
}

// validDate reports whether s is a real calendar date (or month, or year) in the layout:
// "2006-01-02" refuses 2023-02-31 and 2023-13-01, which a pattern of digits lets through.
func validDate(layout, s string) bool {
	_, err := time.Parse(layout, s)
	return err == nil
}

// dateLayout is the time layout of a source's date: YYYY, YYYY-MM or YYYY-MM-DD, by length.
func dateLayout(s string) string {
	switch len(s) {
	case len("2006"):
		return "2006"
	case len("2006-01"):
		return "2006-01"
	}
	return "2006-01-02"
}

// nulField is the index of the first field of row holding a NUL byte, or -1. No text the
// data format carries has one; it is a sign of a binary or mis-encoded file.
func nulField(row []string) int {
	for i, v := range row {
		if strings.IndexByte(v, 0) >= 0 {
			return i
		}
	}
	return -1
}

// nulReason is the problem reported for a field holding a NUL byte.
const nulReason = "contains a NUL byte (\\x00), which no field may hold"
