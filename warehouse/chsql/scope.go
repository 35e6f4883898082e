package chsql

import "sort"

// scope is the metrics and start years of the observations in a file: their current
// revisions lie within them, found through the table's sorting key instead of a second
// parse of the file for its ids (which tripled the engine's time of a load). The zero
// scope is empty: the comparison then falls back to the file's ids.
type scope struct {
	metrics  map[string]bool
	from, to uint16
}

func (s *scope) open() {
	if s.metrics == nil {
		s.metrics, s.from, s.to = map[string]bool{}, 65535, 0
	}
}

func (s *scope) addMetric(metric string) {
	s.open()
	s.metrics[metric] = true
}

func (s *scope) addYear(start int) {
	s.open()
	y := uint16(start)
	s.from, s.to = min(s.from, y), max(s.to, y)
}

// sql restricts the comparison with current rows to the scope ("" when it is empty).
func (s *scope) sql() (string, []Param) {
	if s.metrics == nil {
		return "", nil
	}
	ms := make([]string, 0, len(s.metrics))
	for m := range s.metrics {
		ms = append(ms, m)
	}
	sort.Strings(ms)
	// Bound as parameters like every other value: the metric IDs come from the loaded file.
	return "metric_id IN {scope_metrics:Array(String)} AND period_start BETWEEN {scope_from:UInt16} AND {scope_to:UInt16}",
		[]Param{{"scope_metrics", ms}, {"scope_from", uint64(s.from)}, {"scope_to", uint64(s.to)}}
}
