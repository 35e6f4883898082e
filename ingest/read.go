// Package ingest reads, validates and loads data files (CSV and JSON) into the warehouse.
// A file with any bad row loads nothing; every problem is reported with file, line and reason.
package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// Problem is one reason a file (or one of its rows) cannot be loaded.
type Problem struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc = fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	if p.Field != "" {
		return fmt.Sprintf("%s: %s: %s", loc, p.Field, p.Reason)
	}
	return fmt.Sprintf("%s: %s", loc, p.Reason)
}

// record is one row of a file, whatever its format: field values, the column each belongs
// to, and where it came from. A CSV file's records share one column list, so a row costs
// no map of its own; looking a name up in a dozen columns is faster than hashing it.
type record struct {
	line int
	vals []string
	cols []string
}

func (r record) get(k string) string {
	for i, c := range r.cols {
		if c == k {
			return strings.TrimSpace(r.vals[i])
		}
	}
	return ""
}

// FileKind is the kind of rows a file holds, recognised from its header (CSV) or key (JSON).
type FileKind string

const (
	FileProvinces    FileKind = "provinces"
	FileLineage      FileKind = "lineage"
	FileGroups       FileKind = "groups"
	FileMetrics      FileKind = "metrics"
	FileSources      FileKind = "sources"
	FileTargets      FileKind = "targets"
	FileObservations FileKind = "observations"
)

// columns lists each kind's columns; the first ones up to required are mandatory.
var columns = map[FileKind]struct {
	all      []string
	required int
}{
	FileProvinces:    {[]string{"map", "code", "name", "name_ascii", "kind", "region", "valid_from", "valid_to"}, 6},
	FileLineage:      {[]string{"vn63_code", "vn34_code"}, 2},
	FileGroups:       {[]string{"id", "kind", "name", "name_vi", "map", "members", "source", "note"}, 6},
	FileMetrics:      {[]string{"id", "name_en", "name_vi", "unit", "kind", "body", "level", "better", "aggregation", "description"}, 9},
	FileSources:      {[]string{"id", "title", "issuer", "doc_number", "date", "language", "location", "kind", "licence", "url", "retrieved", "priority"}, 8},
	FileTargets:      {[]string{"id", "metric", "scope", "lower", "upper", "lower_inclusive", "upper_inclusive", "deadline", "directive", "source", "quote", "note", "applies"}, 11},
	FileObservations: {[]string{"subject", "metric", "period", "value", "numerator", "denominator", "qualifier", "status", "source", "quote", "note"}, 10},
}

var kindOrder = []FileKind{FileTargets, FileObservations, FileMetrics, FileSources, FileGroups, FileProvinces, FileLineage}

// kindOf recognises a kind from a set of column names: the kind whose required columns are
// all present and which has no unknown column.
func kindOf(names []string) (FileKind, []string) {
	have := map[string]bool{}
	for _, n := range names {
		have[n] = true
	}
	var best FileKind
	for _, k := range kindOrder {
		c := columns[k]
		ok := true
		for _, col := range c.all[:c.required] {
			if !have[col] {
				ok = false
				break
			}
		}
		if ok {
			best = k
			break
		}
	}
	if best == "" {
		return "", nil
	}
	known := map[string]bool{}
	for _, c := range columns[best].all {
		known[c] = true
	}
	var unknown []string
	for _, n := range names {
		if !known[n] {
			unknown = append(unknown, n)
		}
	}
	return best, unknown
}

// parsed is the raw content of one file, before validation: its records, or, for a CSV
// file of observations, its body, read and converted in chunks by the load (stream.go).
type parsed struct {
	file    string
	kind    FileKind
	records []record
	body    *csvBody
}

// parse reads a CSV or JSON file; the format is chosen by the file name's extension
// (.json) or the first non-space byte ('{'). A CSV file of observations is not read beyond
// its header here: it can be far larger than memory should hold.
func parse(f File) ([]parsed, []Problem) {
	name := f.Name
	rc, err := f.open()
	if err != nil {
		return nil, []Problem{{File: name, Reason: "cannot read the file: " + err.Error()}}
	}
	closeIt := true
	defer func() {
		if closeIt {
			rc.Close()
		}
	}()
	// A byte-order mark is dropped once, here, before anything is read.
	r := bufio.NewReaderSize(rc, 64<<10)
	if b, _ := r.Peek(len(bom)); bytes.Equal(b, bom) {
		r.Discard(len(bom))
	}
	raw, start, skipped, err := readHead(r)
	if err != nil {
		return nil, []Problem{{File: name, Reason: "cannot read the file: " + err.Error()}}
	}
	head := raw[start:]
	if len(bytes.TrimSpace(head)) == 0 {
		return nil, []Problem{{File: name, Reason: "file is empty"}}
	}
	if strings.HasSuffix(strings.ToLower(name), ".json") || head[0] == '{' {
		rest, err := io.ReadAll(r)
		if err != nil {
			return nil, []Problem{{File: name, Reason: "cannot read the file: " + err.Error()}}
		}
		data := append(raw, rest...)
		if p := invalidUTF8(name, data, 1); p != nil {
			return nil, []Problem{*p}
		}
		return parseJSON(name, data)
	}
	p, probs := parseCSV(name, head, 1+skipped, r, rc)
	if p == nil {
		return nil, probs
	}
	if p.body != nil {
		closeIt = false // the body is read, and closed, by the load
	}
	return []parsed{*p}, probs
}

var bom = []byte("\xef\xbb\xbf")

// readHead reads the start of a file up to the end of its first record that is not blank,
// or all of a shorter file. It returns where that record starts in raw and how many blank
// lines came before it.
func readHead(r io.Reader) (raw []byte, start, skipped int, err error) {
	raw = make([]byte, 0, 64<<10)
	for {
		for {
			end, ok := recordEnd(raw[start:], 0)
			if !ok {
				break
			}
			if len(bytes.TrimSpace(raw[start:start+end])) > 0 {
				return raw, start, skipped, nil
			}
			skipped += bytes.Count(raw[start:start+end], []byte("\n"))
			start += end
		}
		if len(raw) == cap(raw) {
			raw = slices.Grow(raw, cap(raw))
		}
		n, rerr := r.Read(raw[len(raw):cap(raw)])
		raw = raw[:len(raw)+n]
		if errors.Is(rerr, io.EOF) {
			return raw, start, skipped, nil
		}
		if rerr != nil {
			return nil, 0, 0, rerr
		}
	}
}

// recordEnd finds the end (just past the newline) of the first CSV record in b, given the
// quote parity before b; a newline inside quotes does not end a record.
func recordEnd(b []byte, quotes int) (int, bool) {
	from := 0
	for {
		i := bytes.IndexByte(b[from:], '\n')
		if i < 0 {
			return 0, false
		}
		quotes += bytes.Count(b[from:from+i], []byte{'"'})
		from += i + 1
		if quotes%2 == 0 {
			return from, true
		}
	}
}

// invalidUTF8 reports the first invalid UTF-8 in data, which starts on line.
func invalidUTF8(name string, data []byte, line int) *Problem {
	if utf8.Valid(data) {
		return nil
	}
	line += bytes.Count(data[:firstInvalid(data)], []byte("\n"))
	return &Problem{File: name, Line: line, Reason: "file is not valid UTF-8 (save it as UTF-8; Vietnamese text in other encodings is garbled)"}
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// parseCSV reads the header from head; the rest of the file is head's remainder followed by
// rest, and closer closes the file. Observations keep the rest as a body for the load to
// read in chunks; other kinds (small reference tables) are read into records now.
func parseCSV(name string, head []byte, headerLine int, rest io.Reader, closer io.Closer) (*parsed, []Problem) {
	end, ok := recordEnd(head, 0)
	if !ok {
		end = len(head)
	}
	if p := invalidUTF8(name, head[:end], headerLine); p != nil {
		return nil, []Problem{*p}
	}
	if bytes.IndexByte(head[:end], 0) >= 0 {
		return nil, []Problem{{File: name, Line: headerLine, Reason: "the header " + nulReason}}
	}
	header, err := csv.NewReader(bytes.NewReader(head[:end])).Read()
	if err != nil {
		return nil, []Problem{{File: name, Line: headerLine, Reason: "cannot read the header: " + csvReason(err)}}
	}
	for i := range header {
		header[i] = strings.ToLower(strings.TrimSpace(header[i]))
	}
	kind, unknown := kindOf(header)
	if kind == "" {
		return nil, []Problem{{File: name, Line: headerLine, Reason: "unrecognised header " + strings.Join(header, ",") + "; expected the columns of one of: " + kindList()}}
	}
	var probs []Problem
	if len(unknown) > 0 {
		probs = append(probs, Problem{File: name, Line: headerLine, Reason: fmt.Sprintf("unknown column(s) %s for a %s file", strings.Join(unknown, ", "), kind)})
	}
	body := &csvBody{file: name, ncols: len(header), cols: header, layout: obsLayout(header), r: io.MultiReader(bytes.NewReader(head[end:]), rest), line: headerLine + bytes.Count(head[:end], []byte("\n"))}
	body.closer = closer
	p := &parsed{file: name, kind: kind}
	if kind == FileObservations {
		p.body = body
		return p, probs
	}
	err = body.chunks(func(ch chunk) bool {
		recs, pr, stop := body.records(ch)
		p.records = append(p.records, recs...)
		probs = append(probs, pr...)
		return !stop
	}, nil)
	if err != nil {
		probs = append(probs, Problem{File: name, Reason: "cannot read the file: " + err.Error()})
	}
	return p, probs
}

func csvReason(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return "malformed CSV: " + pe.Err.Error()
	}
	return err.Error()
}

func kindList() string {
	var ks []string
	for k := range columns {
		ks = append(ks, string(k))
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}

// parseJSON reads {"<kind>": [ {column: value, …}, … ], …}. Numbers may be JSON numbers;
// group members may be an array.
func parseJSON(name string, data []byte) ([]parsed, []Problem) {
	lineAt := func(off int64) int { return 1 + bytes.Count(data[:min(int(off), len(data))], []byte("\n")) }
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	fail := func(err error) ([]parsed, []Problem) {
		line := lineAt(dec.InputOffset())
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line = lineAt(se.Offset)
		}
		return nil, []Problem{{File: name, Line: line, Reason: "malformed JSON: " + err.Error()}}
	}
	if t, err := dec.Token(); err != nil {
		return fail(err)
	} else if d, ok := t.(json.Delim); !ok || d != '{' {
		return nil, []Problem{{File: name, Line: 1, Reason: `a JSON file must be an object such as {"observations": [ … ]}`}}
	}
	var out []parsed
	var probs []Problem
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return fail(err)
		}
		key, _ := t.(string)
		kind := FileKind(key)
		if _, ok := columns[kind]; !ok {
			return nil, append(probs, Problem{File: name, Line: lineAt(dec.InputOffset()), Reason: fmt.Sprintf("unknown key %q; expected one of: %s", key, kindList())})
		}
		if t, err := dec.Token(); err != nil {
			return fail(err)
		} else if d, ok := t.(json.Delim); !ok || d != '[' {
			return nil, append(probs, Problem{File: name, Line: lineAt(dec.InputOffset()), Reason: fmt.Sprintf("%q must be an array of objects", key)})
		}
		p := parsed{file: name, kind: kind}
		known := map[string]bool{}
		for _, c := range columns[kind].all {
			known[c] = true
		}
		for dec.More() {
			line := lineAt(dec.InputOffset()) + leadingNewlines(data, dec.InputOffset())
			var obj map[string]any
			if err := dec.Decode(&obj); err != nil {
				return fail(err)
			}
			rec := record{line: line}
			bad := false // a field that cannot be read: the record is not checked further
			for k, v := range obj {
				if !known[k] {
					probs = append(probs, Problem{File: name, Line: line, Field: k, Reason: "unknown field for " + key})
					continue
				}
				s, ok := jsonText(v)
				if !ok {
					probs = append(probs, Problem{File: name, Line: line, Field: k, Reason: "must be a string, number, boolean or list of strings"})
					bad = true
					continue
				}
				if strings.IndexByte(s, 0) >= 0 { // "\u0000" in JSON text
					probs = append(probs, Problem{File: name, Line: line, Field: k, Reason: nulReason})
					bad = true
					continue
				}
				rec.cols = append(rec.cols, k)
				rec.vals = append(rec.vals, s)
			}
			if !bad {
				p.records = append(p.records, rec)
			}
		}
		if _, err := dec.Token(); err != nil {
			return fail(err)
		}
		out = append(out, p)
	}
	return out, probs
}

// leadingNewlines counts newlines between off and the next non-space byte, so a record's
// line is where its '{' is, not where the previous one ended.
func leadingNewlines(data []byte, off int64) int {
	n := 0
	for i := int(off); i < len(data); i++ {
		switch data[i] {
		case '\n':
			n++
		case ' ', '\t', '\r', ',':
		default:
			return n
		}
	}
	return n
}

func jsonText(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		if x {
			return "true", true
		}
		return "false", true
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return "", false
			}
			parts[i] = s
		}
		return strings.Join(parts, ";"), true
	}
	return "", false
}
