package ingest

import (
	"math/rand/v2"
	"testing"
)

func TestKeySetAgreesWithMap(t *testing.T) {
	var s keySet
	m := map[uint64]uint64{}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200000; i++ {
		k := r.Uint64() % 150000 // many repeats
		if i%1000 == 0 {
			k = 0 // the key kept aside
		}
		first, dup := s.add(k, uint64(i))
		want, wantDup := m[k]
		if !wantDup {
			m[k], want = uint64(i), uint64(i)
		}
		if first != want || dup != wantDup {
			t.Fatalf("add(%d, %d) = %d, %v; map says %d, %v", k, i, first, dup, want, wantDup)
		}
	}
}

// randomKeys are a million observation-key-like values (FNV outputs look uniform).
func randomKeys() []uint64 {
	r := rand.New(rand.NewPCG(1, 2))
	keys := make([]uint64, 1<<20)
	for i := range keys {
		keys[i] = r.Uint64()
	}
	return keys
}

func BenchmarkKeySet(b *testing.B) {
	keys := randomKeys()
	b.ReportAllocs()
	for b.Loop() {
		var s keySet
		for i, k := range keys {
			s.add(k, uint64(i))
		}
	}
}

// BenchmarkGoMap is the same work on Go's map, for comparison.
func BenchmarkGoMap(b *testing.B) {
	keys := randomKeys()
	b.ReportAllocs()
	for b.Loop() {
		m := map[uint64]uint64{}
		for i, k := range keys {
			if _, ok := m[k]; !ok {
				m[k] = uint64(i)
			}
		}
	}
}
