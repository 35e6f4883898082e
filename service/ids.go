package service

import (
	"strconv"
	"strings"

	"github.com/cadrestat/cadrestat/warehouse"
)

// The GraphQL id of a value computed for a query names everything the value depends on, so
// a client cache that normalises on __typename:id (Apollo InMemoryCache, urql Graphcache)
// never lets one answer's object overwrite another's: two objects with the same type and id
// are equal in every field (within one data version). See the README, "Ids and client caches".

// benchmarkKey is a benchmark's id: the unit, then the arguments of compare its figure
// depends on. The period part is what was asked (the year, or the period label), not what
// it resolved to, so two questions that might be answered with different notes never share
// an id; rows, provinces and group do not change a benchmark's figure and are left out.
func benchmarkKey(unit string, a CompareArgs) string {
	period := a.Period
	if period == "" {
		period = strconv.Itoa(a.Year)
	}
	parts := []string{unit, a.Metric, period, string(a.Map)}
	if a.IncludeSynthetic {
		parts = append(parts, "synthetic")
	}
	return strings.Join(parts, "|")
}

// briefSectionKey is a brief section's id: the unit (whose ID carries its map), the section
// kind and the brief's year; a brief shows published figures only, so nothing else varies.
func briefSectionKey(u *warehouse.Province, kind string, year int) string {
	return u.ID + "|" + kind + "|" + strconv.Itoa(year)
}
