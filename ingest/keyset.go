package ingest

import "math"

// keySet remembers, for each observation key of a load, where it was first seen: an
// open-addressing table of uint64 keys. A load of ten million rows checks every key once; Go's
// general map took 2.5 times as long (BenchmarkKeySet, BenchmarkGoMap: 117 vs 289 ns a key).
//
// Positions are stored in 32 bits while they fit (a load's line numbers, counted across its
// files, do below four thousand million) and in 64 from the first that does not: at L's
// 11.9 M keys the table is 192 MB instead of 256 MB (288 MB instead of 384 MB while it grows).
type keySet struct {
	keys   []uint64 // key 0 marks a free slot; the key 0 itself is kept aside
	vals   []uint32 // the positions while every one fits in 32 bits
	wide   []uint64 // the positions once one does not (vals is then nil)
	n      int
	shift  uint
	zero   bool
	zeroAt uint64
}

// add records key at v unless it is there; it returns the first position and whether the
// key was there already.
func (s *keySet) add(key, v uint64) (uint64, bool) {
	if key == 0 {
		if s.zero {
			return s.zeroAt, true
		}
		s.zero, s.zeroAt = true, v
		return v, false
	}
	if 4*(s.n+1) > 3*len(s.keys) { // at most three quarters full
		s.grow()
	}
	if v > math.MaxUint32 && s.wide == nil {
		s.widen()
	}
	mask := uint64(len(s.keys) - 1)
	for i := (key * 0x9e3779b97f4a7c15) >> s.shift; ; i = (i + 1) & mask {
		switch s.keys[i] {
		case key:
			return s.at(i), true
		case 0:
			s.keys[i] = key
			if s.wide != nil {
				s.wide[i] = v
			} else {
				s.vals[i] = uint32(v)
			}
			s.n++
			return v, false
		}
	}
}

func (s *keySet) at(i uint64) uint64 {
	if s.wide != nil {
		return s.wide[i]
	}
	return uint64(s.vals[i])
}

// widen moves the positions to 64 bits.
func (s *keySet) widen() {
	s.wide = make([]uint64, len(s.keys))
	for i, v := range s.vals {
		s.wide[i] = uint64(v)
	}
	s.vals = nil
}

func (s *keySet) grow() {
	size := max(1024, 2*len(s.keys))
	old := *s
	s.keys, s.n = make([]uint64, size), 0
	if old.wide != nil {
		s.wide = make([]uint64, size)
	} else {
		s.vals = make([]uint32, size)
	}
	s.shift = 64
	for x := size; x > 1; x >>= 1 {
		s.shift--
	}
	for i, k := range old.keys {
		if k != 0 {
			s.add(k, old.at(uint64(i)))
		}
	}
}
