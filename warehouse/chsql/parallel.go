package chsql

import (
	"runtime"
	"sync"
)

// span is a contiguous range [lo, hi) of a load's rows.
type span struct{ lo, hi int }

// minParallel is the fewest rows worth spreading over the cores: below it, starting
// goroutines costs more than it saves.
const minParallel = 4096

// split cuts n rows into one span per core (one span below minParallel), in order.
func split(n int) []span {
	parts := runtime.GOMAXPROCS(0)
	if n < minParallel {
		parts = 1
	}
	step := max(1, (n+parts-1)/parts)
	out := make([]span, 0, parts)
	for lo := 0; lo < n; lo += step {
		out = append(out, span{lo, min(lo+step, n)})
	}
	return out
}

// inParallel runs f on every span at once and waits for all of them. Loads hash and encode
// rows this way (~0.5 µs a row, most of a big load's time in Go); f gets the span's index
// so each writes only its own output.
func inParallel(spans []span, f func(i int, s span)) {
	if len(spans) == 1 {
		f(0, spans[0])
		return
	}
	var wg sync.WaitGroup
	for i, s := range spans {
		wg.Go(func() { f(i, s) })
	}
	wg.Wait()
}
