package ingest

// keySet remembers, for each observation key of a load, where it was first seen: an
// open-addressing table of uint64s. A load of ten million rows checks every key once; Go's
// general map took 2.5 times as long (BenchmarkKeySet, BenchmarkGoMap: 117 vs 289 ns a key).
type keySet struct {
	keys, vals []uint64 // key 0 marks a free slot; the key 0 itself is kept aside
	n          int
	shift      uint
	zero       bool
	zeroVal    uint64
}

// add records key at v unless it is there; it returns the first position and whether the
// key was there already.
func (s *keySet) add(key, v uint64) (uint64, bool) {
	if key == 0 {
		if s.zero {
			return s.zeroVal, true
		}
		s.zero, s.zeroVal = true, v
		return v, false
	}
	if 4*(s.n+1) > 3*len(s.keys) { // at most three quarters full
		s.grow()
	}
	mask := uint64(len(s.keys) - 1)
	for i := (key * 0x9e3779b97f4a7c15) >> s.shift; ; i = (i + 1) & mask {
		switch s.keys[i] {
		case key:
			return s.vals[i], true
		case 0:
			s.keys[i], s.vals[i] = key, v
			s.n++
			return v, false
		}
	}
}

func (s *keySet) grow() {
	size := max(1024, 2*len(s.keys))
	old, oldVals := s.keys, s.vals
	s.keys, s.vals, s.n = make([]uint64, size), make([]uint64, size), 0
	s.shift = 64
	for x := size; x > 1; x >>= 1 {
		s.shift--
	}
	for i, k := range old {
		if k != 0 {
			s.add(k, oldVals[i])
		}
	}
}
