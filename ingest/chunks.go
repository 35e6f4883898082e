package ingest

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// csvBody is the part of a CSV file after its header, read in chunks of whole records so
// that chunks can be parsed and validated on every core and the file never has to be in
// memory at once.
type csvBody struct {
	file   string
	ncols  int
	cols   []string // the header
	layout *[nObsCols]int
	r      io.Reader
	closer io.Closer
	line   int // the line the body starts on
}

// chunk is a run of whole CSV records and the line it starts on.
type chunk struct {
	line int
	data []byte
}

// chunkSize is how much of a file one chunk holds: big enough that the per-chunk cost
// vanishes, small enough that a few in flight per core stay cheap. A chunk in flight holds
// its rows several times over (text, parsed rows, converted observations: ~17 MB for 4 MiB
// of L's file), and up to three per core are, so 4 MiB chunks kept ~100 MB of an L load's
// ~300 MB live heap; 1 MiB keeps ~25 MB.
const chunkSize = 1 << 20

// chunks reads the body and calls each with successive chunks, cut after a newline outside
// quotes, until each returns false or the body ends. stop, when not nil, is checked before
// every read so a failed load stops reading. The body is closed at the end.
func (b *csvBody) chunks(each func(chunk) bool, stop func() bool) error {
	if b.closer != nil {
		defer b.closer.Close()
	}
	var carry []byte
	line := b.line
	for {
		if stop != nil && stop() {
			return nil
		}
		buf := make([]byte, len(carry), max(chunkSize, 2*len(carry)))
		copy(buf, carry)
		n, err := io.ReadFull(b.r, buf[len(carry):cap(buf)])
		buf = buf[:len(carry)+n]
		eof := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
		if err != nil && !eof {
			return err
		}
		// A record may straddle chunks, but not grow past MaxRecordBytes: the records
		// before it are handed on, then the file is refused at the line it starts on.
		// Only the record carried over can be longer than the limit and yet end in this
		// buffer: the buffer is at most twice the carry, which has no end in it.
		whole := lastRecordEnd(buf)
		if len(carry) > 0 {
			if first, ok := recordEnd(buf, 0); ok && first > MaxRecordBytes {
				return errTooLong(line)
			}
		}
		tooLong := len(buf)-whole > MaxRecordBytes
		cut := whole
		if eof && !tooLong {
			cut = len(buf)
		}
		if cut > 0 {
			if !each(chunk{line: line, data: buf[:cut]}) {
				return nil
			}
			line += bytes.Count(buf[:cut], []byte("\n"))
		}
		if tooLong {
			return errTooLong(line)
		}
		if eof {
			return nil
		}
		carry = buf[cut:] // at most MaxRecordBytes: the next buffer is at most twice that
	}
}

// lastRecordEnd is the end of the last whole record in b (which starts at a record
// boundary), or 0: the last newline with an even number of quotes before it.
func lastRecordEnd(b []byte) int {
	quotes := bytes.Count(b, []byte{'"'})
	end := len(b)
	for {
		i := bytes.LastIndexByte(b[:end], '\n')
		if i < 0 {
			return 0
		}
		quotes -= bytes.Count(b[i+1:end], []byte{'"'})
		if quotes%2 == 0 {
			return i + 1
		}
		end = i
	}
}

// records parses one chunk. stop reports a malformed CSV, which ends the file as it did
// when files were read in one pass: what follows cannot be trusted to be split right.
// Lines without a quote character are split on commas directly (the same fields
// encoding/csv gives, at a fraction of the cost); a record with quotes goes through
// encoding/csv. A record with a NUL byte in a field, quoted or not, is refused.
func (b *csvBody) records(ch chunk) (recs []record, probs []Problem, stop bool) {
	if p := invalidUTF8(b.file, ch.data, ch.line); p != nil {
		return nil, []Problem{*p}, true
	}
	data, line := ch.data, ch.line
	recs = make([]record, 0, len(data)/64)
	var backing []string // rows' fields, allocated in blocks rather than a slice per row
	// A chunk's rows are searched for NUL bytes only if the chunk holds one: one fast scan.
	nul := bytes.IndexByte(data, 0) >= 0
	add := func(row []string, at int) {
		switch {
		case len(row) == 1 && strings.TrimSpace(row[0]) == "":
		case len(row) != b.ncols:
			probs = append(probs, Problem{File: b.file, Line: at, Reason: fmt.Sprintf("has %d fields, the header has %d", len(row), b.ncols)})
		case nul && nulField(row) >= 0:
			probs = append(probs, Problem{File: b.file, Line: at, Field: b.cols[nulField(row)], Reason: nulReason})
		default:
			recs = append(recs, record{line: at, vals: row, cols: b.cols})
		}
	}
	for pos := 0; pos < len(data); {
		end, next := len(data), len(data)
		if nl := bytes.IndexByte(data[pos:], '\n'); nl >= 0 {
			end, next = pos+nl, pos+nl+1
		}
		raw := data[pos:end]
		if bytes.IndexByte(raw, '"') >= 0 {
			r := csv.NewReader(bytes.NewReader(data[pos:]))
			r.FieldsPerRecord = -1
			row, err := r.Read()
			if err != nil {
				l := 1
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					l = pe.StartLine
				}
				return recs, append(probs, Problem{File: b.file, Line: line - 1 + l, Reason: csvReason(err)}), true
			}
			used := int(r.InputOffset())
			add(row, line)
			line += bytes.Count(data[pos:pos+used], []byte("\n"))
			pos += used
			continue
		}
		raw = bytes.TrimSuffix(raw, []byte("\r"))
		if len(raw) > 0 {
			n := bytes.Count(raw, []byte{','}) + 1
			if cap(backing)-len(backing) < n {
				backing = make([]string, 0, max(n, 4096*b.ncols))
			}
			row := backing[len(backing) : len(backing)+n : len(backing)+n]
			backing = backing[:len(backing)+n]
			splitInto(row, string(raw))
			add(row, line)
		}
		line++
		pos = next
	}
	return recs, probs, false
}

// splitInto splits s at commas into row, which has room for exactly every field.
func splitInto(row []string, s string) {
	for i := 0; i < len(row)-1; i++ {
		j := strings.IndexByte(s, ',')
		row[i], s = s[:j], s[j+1:]
	}
	row[len(row)-1] = s
}
