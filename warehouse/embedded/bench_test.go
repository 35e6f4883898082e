package embedded

import (
	"testing"

	"github.com/cadrestat/cadrestat/warehouse/chsql"
	"github.com/cadrestat/cadrestat/warehouse/embedded/chdb"
)

// BenchmarkDecodeRows measures decoding 1,000 observation-shaped rows.
func BenchmarkDecodeRows(b *testing.B) {
	c, err := chdb.Open(":memory:")
	if err != nil {
		b.Skip(err)
	}
	defer c.Close()
	out, err := c.Query(`SELECT toString(number) AS id, 'province', 'VN63-92', 'female_provincial_committee_share', 'YEAR', toUInt64(2020), toUInt64(2020), '2020',
		CAST(15.79 AS Nullable(Float64)), CAST(NULL AS Nullable(Float64)), CAST(57 AS Nullable(Float64)), 'EXACT', 'SYNTHETIC', 'synthetic', '', 'synthetic (seed 1)', toUInt64(3), 'abcd'
		FROM numbers(1000)`, "RowBinaryWithNamesAndTypes")
	if err != nil {
		b.Fatal(err)
	}
	var (
		id, sk, sid, mid, pk, pl, q, st, src, quote, note, load string
		ps, pe, rev                                             uint64
		v, n, d                                                 *float64
	)
	b.ReportAllocs()
	for b.Loop() {
		err := decodeRowBinary(out, func(r chsql.Row) error {
			return r.Scan(&id, &sk, &sid, &mid, &pk, &ps, &pe, &pl, &v, &n, &d, &q, &st, &src, &quote, &note, &rev, &load)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
