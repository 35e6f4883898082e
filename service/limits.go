package service

import (
	"github.com/cadrestat/cadrestat/warehouse"
)

// Limits of every list argument. A list longer than its limit is refused with
// BAD_USER_INPUT naming the argument and the limit; duplicates are removed first (a
// dashboard that sends the same province twice is answered once), so the limit counts
// distinct entries. Measured before the limits: 95,000 province IDs in one compare answered
// 54 MB and left the process 1.3 GB larger; 90,000 in an observation filter reached
// ClickHouse and failed on its maximum query size.
const (
	// MaxUnits bounds the provinces of compare and series: every unit of the larger map
	// (VN63) and "VN".
	MaxUnits = 64
	// MaxFilterProvinces bounds observations(filter:{provinces}): every unit of both maps
	// and "VN".
	MaxFilterProvinces = 100
	// MaxFilterMetrics bounds observations(filter:{metrics}).
	MaxFilterMetrics = 200
	// MaxFilterPeriods bounds observations(filter:{periods}).
	MaxFilterPeriods = 100
	// MaxFilterSources bounds observations(filter:{sources}).
	MaxFilterSources = 500
	// MaxFilterStatuses bounds observations(filter:{statuses}): there are four statuses.
	MaxFilterStatuses = 4
	// MaxTableMetrics bounds table(metrics): each metric is a column per year, compared
	// among every unit of the map.
	MaxTableMetrics = 20
	// MaxTableYears bounds table(years): a table is at most MaxUnits × 20 × 20 cells, and
	// the complexity limit bounds it further by the fields asked for.
	MaxTableYears = 20
	// MaxCoverageMetrics bounds coverage(metrics): every metric of the catalogue and more.
	MaxCoverageMetrics = 200
)

// distinct returns list without duplicates (first occurrence kept), or a BAD_USER_INPUT
// error when more than max distinct entries remain. It stops reading as soon as the limit
// is passed, so a list of a million entries costs no more than one of max+1.
func distinct[T ~string](arg string, list []T, max int) ([]T, error) {
	if len(list) == 0 {
		return list, nil
	}
	seen := make(map[T]struct{}, min(len(list), max+1))
	out := make([]T, 0, min(len(list), max+1))
	for _, s := range list {
		if _, dup := seen[s]; dup {
			continue
		}
		if len(out) == max {
			return nil, warehouse.Errorf(warehouse.ErrInvalid, "%s lists more than %d distinct entries; the limit is %d", arg, max, max)
		}
		seen[s] = struct{}{}
		out = append(out, s)
	}
	return out, nil
}
