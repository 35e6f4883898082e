package chsql

import "strconv"

// fstr is how the first version formatted a number for hashing (the reference the hasher is
// checked against).
func fstr(p *float64) string {
	if p == nil {
		return "null"
	}
	return strconv.FormatFloat(*p, 'g', -1, 64)
}
