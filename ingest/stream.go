package ingest

import (
	"fmt"
	"runtime"
	"sort"
	"strconv"
	"sync/atomic"

	"github.com/cadrestat/cadrestat/warehouse"
)

// obsInput is one file's observations: JSON records already read, a CSV body still to be
// read in chunks, or rows a program built (File.Rows, checked by built).
type obsInput struct {
	file    string
	records []record
	body    *csvBody
	built   []warehouse.Observation
}

// job is one piece of observation work for a core; result is what came of it.
type job struct {
	in      int
	ch      chunk
	recs    []record
	built   []warehouse.Observation
	first   int // the index of built[0] in its input
	readErr error
	out     chan result
}

type result struct {
	in    int
	obs   []warehouse.Observation
	keys  []uint64
	lines []int32
	probs []Problem
	stop  bool // a malformed CSV: ignore the rest of this file
	size  int  // the bytes of the CSV chunk (progress)
}

// recordsPerJob splits JSON observations into pieces of work.
const recordsPerJob = 1 << 15

// observations reads, converts and checks every observation input on every core and calls
// yield (when not nil) with each chunk of valid rows, in file order. After the first
// problem it yields nothing more but reads on, so that every problem is reported at once.
// Problems land in p.c.probs; p.rows counts the rows accepted. It returns yield's error.
func (p *plan) observations(yield func([]warehouse.Observation) error) error {
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan job, workers)
	order := make(chan chan result, 2*workers)
	done := make(chan struct{})
	defer close(done)
	stopped := make([]atomic.Bool, len(p.inputs))

	go func() { // reads the inputs in order, handing out work
		defer close(order)
		defer close(jobs)
		send := func(j job) bool {
			j.out = make(chan result, 1)
			select {
			case order <- j.out:
			case <-done:
				return false
			}
			select {
			case jobs <- j:
				return true
			case <-done:
				return false
			}
		}
		for i, in := range p.inputs {
			if in.built != nil {
				for lo := 0; lo < len(in.built); lo += recordsPerJob {
					if !send(job{in: i, built: in.built[lo:min(lo+recordsPerJob, len(in.built))], first: lo}) {
						return
					}
				}
				continue
			}
			if in.body == nil {
				for lo := 0; lo < len(in.records); lo += recordsPerJob {
					if !send(job{in: i, recs: in.records[lo:min(lo+recordsPerJob, len(in.records))]}) {
						return
					}
				}
				continue
			}
			ok := true
			err := in.body.chunks(func(ch chunk) bool {
				p.track.queued(len(ch.data))
				ok = send(job{in: i, ch: ch})
				return ok
			}, func() bool { return stopped[i].Load() })
			if err != nil && ok {
				ok = send(job{in: i, readErr: err})
			}
			if !ok {
				return
			}
		}
	}()
	for w := 0; w < workers; w++ {
		go func() {
			for j := range jobs {
				j.out <- p.convert(j)
			}
		}()
	}

	var seen keySet // observation key -> the position (lines.at) of its first row
	var lines lineCount
	for out := range order {
		r := <-out
		p.track.checked(r.size)
		inputIdx := r.in
		if stopped[inputIdx].Load() {
			continue // after a malformed record, the rest of the file is not read
		}
		p.c.probs = append(p.c.probs, r.probs...)
		if r.stop {
			stopped[inputIdx].Store(true)
		}
		keep := r.obs[:0]
		for i := range r.obs {
			if first, dup := seen.add(r.keys[i], lines.at(inputIdx, r.lines[i])); dup {
				in, line := lines.find(first)
				where := "line " + strconv.Itoa(line)
				if in != inputIdx {
					where = p.inputs[in].file + " " + where
				}
				p.c.probs = append(p.c.probs, Problem{File: p.inputs[inputIdx].file, Line: int(r.lines[i]),
					Reason: fmt.Sprintf("duplicate of %s (same %s)", where, dupWhat[FileObservations])})
				continue
			}
			keep = append(keep, r.obs[i])
		}
		p.rows += len(keep)
		p.track.validated(len(keep))
		if yield != nil && len(p.c.probs) == 0 && len(keep) > 0 {
			if err := yield(keep); err != nil {
				return err
			}
			p.track.written(len(keep))
		}
	}
	return nil
}

// convert parses (for a CSV chunk) and converts one piece of work. It only reads shared
// state (the reference maps), so pieces run on every core.
func (p *plan) convert(j job) result {
	in := p.inputs[j.in]
	res := result{in: j.in, size: len(j.ch.data)}
	if j.readErr != nil {
		res.probs, res.stop = []Problem{readProblem(in.file, j.readErr)}, true
		return res
	}
	sub := &converter{refs: p.c.refs, file: in.file}
	if j.built != nil {
		res.grow(len(j.built))
		for i, o := range j.built {
			line := j.first + i + 1
			if o, ok := sub.built(record{line: line}, o); ok {
				res.add(o, line)
			}
		}
		res.probs = sub.probs
		return res
	}
	recs := j.recs
	if in.body != nil {
		recs, res.probs, res.stop = in.body.records(j.ch)
	}
	res.grow(len(recs))
	var layout *[nObsCols]int
	if in.body != nil {
		layout = in.body.layout
	}
	for _, r := range recs {
		l := layout
		if l == nil { // a JSON record names its own fields
			l = obsLayout(r.cols)
		}
		f := obsFields(r, l)
		if o, ok := sub.observation(r, &f); ok {
			res.add(o, r.line)
		}
	}
	res.probs = append(res.probs, sub.probs...)
	return res
}

func (res *result) grow(n int) {
	res.obs = make([]warehouse.Observation, 0, n)
	res.keys = make([]uint64, 0, n)
	res.lines = make([]int32, 0, n)
}

// add keeps a valid row with its key (which is also its ID) and its line.
func (res *result) add(o warehouse.Observation, line int) {
	key := warehouse.ObservationKey(&o)
	o.ID = strconv.FormatUint(key, 16)
	res.obs = append(res.obs, o)
	res.keys = append(res.keys, key)
	res.lines = append(res.lines, int32(line))
}

// lineCount numbers the lines of a load's inputs one after the other (inputs come in order,
// and lines in order within one), so a row's position fits in 32 bits for keySet.
type lineCount struct {
	starts []inputStart
	next   uint64 // one past the last position given
}

type inputStart struct {
	in   int
	base uint64 // the position of the input's line 0
}

// at gives line of input in its position.
func (c *lineCount) at(in int, line int32) uint64 {
	if n := len(c.starts); n == 0 || c.starts[n-1].in != in {
		c.starts = append(c.starts, inputStart{in, c.next})
	}
	at := c.starts[len(c.starts)-1].base + uint64(line)
	c.next = max(c.next, at+1)
	return at
}

// find turns a position back into its input and line.
func (c *lineCount) find(at uint64) (int, int) {
	i := sort.Search(len(c.starts), func(i int) bool { return c.starts[i].base > at }) - 1
	return c.starts[i].in, int(at - c.starts[i].base)
}
