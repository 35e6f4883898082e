package ingest

import (
	"math/rand/v2"
	"testing"
)

func TestKeySetAgreesWithMap(t *testing.T) {
	for _, wideFrom := range []int{-1, 0, 120000} {
		agreesWithMap(t, wideFrom)
	}
}

// agreesWithMap adds keys at positions that pass 32 bits from the wideFrom-th on (never if
// negative), so positions stored before and after the table widens are both checked.
func agreesWithMap(t *testing.T, wideFrom int) {
	var s keySet
	m := map[uint64]uint64{}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200000; i++ {
		k := r.Uint64() % 150000 // many repeats
		if i%1000 == 0 {
			k = 0 // the key kept aside
		}
		v := uint64(i)
		if wideFrom >= 0 && i >= wideFrom {
			v += 1 << 32
		}
		first, dup := s.add(k, v)
		want, wantDup := m[k]
		if !wantDup {
			m[k], want = v, v
		}
		if first != want || dup != wantDup {
			t.Fatalf("wide from %d: add(%d, %d) = %d, %v; map says %d, %v", wideFrom, k, v, first, dup, want, wantDup)
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

func TestLineCountFindsInputAndLine(t *testing.T) {
	var c lineCount
	type pos struct {
		in   int
		line int32
	}
	seen := map[uint64]pos{}
	for _, p := range []pos{{0, 2}, {0, 3}, {0, 7}, {2, 1}, {2, 2}, {5, 4}, {5, 900}} {
		at := c.at(p.in, p.line)
		if q, ok := seen[at]; ok {
			t.Fatalf("%v and %v share position %d", p, q, at)
		}
		seen[at] = p
	}
	for at, p := range seen {
		if in, line := c.find(at); in != p.in || line != int(p.line) {
			t.Errorf("find(%d) = input %d line %d, want %d line %d", at, in, line, p.in, p.line)
		}
	}
}
