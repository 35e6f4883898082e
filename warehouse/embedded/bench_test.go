package embedded

import (
	"encoding/json"
	"testing"
)

// BenchmarkDecodeRow measures decoding one observation row of JSONCompactEachRow output.
func BenchmarkDecodeRow(b *testing.B) {
	line := []byte(`["9a131f4764067950","province","VN63-92","female_provincial_committee_share","YEAR",2020,2020,"2020",15.79,9,57,"EXACT","SYNTHETIC","synthetic","","synthetic (seed 1)","3","abcd"]`)
	var (
		id, sk, sid, mid, pk, pl, q, st, src, quote, note, load string
		ps, pe, rev                                             uint64
		v, n, d                                                 *float64
	)
	b.ReportAllocs()
	for b.Loop() {
		var vals []json.RawMessage
		if err := json.Unmarshal(line, &vals); err != nil {
			b.Fatal(err)
		}
		if err := jsonRow(vals).Scan(&id, &sk, &sid, &mid, &pk, &ps, &pe, &pl, &v, &n, &d, &q, &st, &src, &quote, &note, &rev, &load); err != nil {
			b.Fatal(err)
		}
	}
}
