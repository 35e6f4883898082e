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
	"strconv"
	"strings"
	"unicode/utf8"
)

// Problem is one reason a file (or one of its rows) cannot be loaded.
type Problem struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
	// Code, when set, names the kind of problem for programs (the Code* constants); the
	// reason is for people.
	Code string `json:"code,omitempty"`
}

// Problem codes: problems a program may want to tell apart (retry later, fix the file).
const (
	CodeRecordTooLong      = "RECORD_TOO_LONG"
	CodeJSONTooLarge       = "JSON_TOO_LARGE"
	CodeFileChanged        = "FILE_CHANGED"
	CodeNotRegular         = "NOT_A_REGULAR_FILE"
	CodeUnrecognisedHeader = "UNRECOGNISED_HEADER"
	CodeTextTooLong        = "TEXT_TOO_LONG"
	CodeForbiddenCharacter = "FORBIDDEN_CHARACTER"
)

// problemError is a failed read that is a problem of the file itself (too long a record,
// a file that changed), reported as such rather than as "cannot read the file".
type problemError struct {
	line         int
	code, reason string
}

func (e *problemError) Error() string { return e.reason }

// readProblem is the problem a failed read of file reports.
func readProblem(file string, err error) Problem {
	if pe, ok := errors.AsType[*problemError](err); ok {
		return Problem{File: file, Line: pe.line, Reason: pe.reason, Code: pe.code}
	}
	return Problem{File: file, Reason: "cannot read the file: " + err.Error()}
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
	FileSources:      {[]string{"id", "title", "issuer", "doc_number", "date", "language", "location", "kind", "licence", "url", "retrieved", "priority", "date_precision"}, 8},
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
		return nil, []Problem{openProblem(name, err)}
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
		_, _ = r.Discard(len(bom)) // peeked: it cannot fail
	}
	skipped, empty, err := skipBlank(r)
	if err != nil {
		return nil, []Problem{readProblem(name, err)}
	}
	if empty {
		return nil, []Problem{{File: name, Reason: "file is empty"}}
	}
	if first, _ := r.Peek(1); strings.HasSuffix(strings.ToLower(name), ".json") || first[0] == '{' {
		return readJSON(name, r, skipped)
	}
	head, err := readHead(r, 1+skipped)
	if err != nil {
		return nil, []Problem{readProblem(name, err)}
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

// openProblem is the problem of a file that cannot be opened.
func openProblem(name string, err error) Problem {
	if pe, ok := errors.AsType[*problemError](err); ok {
		return Problem{File: name, Reason: pe.reason, Code: pe.code}
	}
	return Problem{File: name, Reason: "cannot read the file: " + err.Error()}
}

var bom = []byte("\xef\xbb\xbf")

// MaxRecordBytes bounds one CSV record, the header included. A record with no end (an
// unbalanced quote, a file without newlines) is refused when it reaches it, so reading a
// file never holds more than a couple of chunks whatever the file holds. The longest
// legitimate record, every text field at its bound (text.go), is a few tens of KB.
const MaxRecordBytes = 1 << 20

// errTooLong is a record longer than MaxRecordBytes starting on line.
func errTooLong(line int) error {
	return &problemError{line: line, code: CodeRecordTooLong, reason: "record longer than 1 MiB (unbalanced quote?)"}
}

// MaxJSONBytes bounds a JSON file, which is decoded whole in memory; bulk data goes as CSV,
// which is read in chunks.
const MaxJSONBytes = 64 << 20

// skipBlank consumes the whitespace before the first record (blank lines, and spaces
// before the first field, which the header's trimming would drop anyway) without holding
// it, and counts the newlines in it. empty: the file holds nothing else.
func skipBlank(r *bufio.Reader) (newlines int, empty bool, err error) {
	for {
		c, err := r.ReadByte()
		if errors.Is(err, io.EOF) {
			return newlines, true, nil
		}
		if err != nil {
			return 0, false, err
		}
		switch c {
		case '\n':
			newlines++
		case ' ', '\t', '\r', '\v', '\f':
		default:
			_ = r.UnreadByte() // right after ReadByte: it cannot fail
			return newlines, false, nil
		}
	}
}

// readJSON reads a JSON file whole (after skipped blank lines), up to MaxJSONBytes.
func readJSON(name string, r io.Reader, skipped int) ([]parsed, []Problem) {
	rest, err := io.ReadAll(io.LimitReader(r, MaxJSONBytes+1))
	if err != nil {
		return nil, []Problem{readProblem(name, err)}
	}
	if len(rest) > MaxJSONBytes {
		return nil, []Problem{{File: name, Code: CodeJSONTooLarge, Reason: "a JSON file is limited to 64 MiB (it is read whole into memory); write larger data as CSV"}}
	}
	// The blank lines skipped still count in line numbers.
	data := append(bytes.Repeat([]byte("\n"), skipped), rest...)
	if p := invalidUTF8(name, data, 1); p != nil {
		return nil, []Problem{*p}
	}
	return parseJSON(name, data)
}

// readHead reads the start of a file (at its first record) up to the end of that record,
// or all of a shorter file; the record is at most MaxRecordBytes, so raw stays under twice
// that. line is the record's line, for the refusal.
func readHead(r io.Reader, line int) (raw []byte, err error) {
	raw = make([]byte, 0, 64<<10)
	for {
		if end, ok := recordEnd(raw, 0); ok || len(raw) > MaxRecordBytes {
			if !ok || end > MaxRecordBytes {
				return nil, errTooLong(line)
			}
			return raw, nil
		}
		if len(raw) == cap(raw) {
			raw = slices.Grow(raw, cap(raw))
		}
		n, rerr := r.Read(raw[len(raw):cap(raw)])
		raw = raw[:len(raw)+n]
		if errors.Is(rerr, io.EOF) {
			if len(raw) > MaxRecordBytes {
				return nil, errTooLong(line)
			}
			return raw, nil
		}
		if rerr != nil {
			return nil, rerr
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
		return nil, []Problem{{File: name, Line: headerLine, Code: CodeUnrecognisedHeader, Reason: unrecognised(header)}}
	}
	var probs []Problem
	if len(unknown) > 0 {
		for i, u := range unknown {
			unknown[i] = clip(u)
		}
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
		probs = append(probs, readProblem(name, err))
	}
	return p, probs
}

// unrecognised says why a first line is no known header without repeating it: the file
// may be anything the server can read (/etc/shadow), and problems are answered, logged and
// kept in the rejections table. It names only known column names: how many columns there
// are, and which kind comes closest and what it lacks.
func unrecognised(header []string) string {
	var best FileKind
	var bestHave int
	for _, k := range kindOrder {
		have := 0
		for _, c := range columns[k].all[:columns[k].required] {
			if slices.Contains(header, c) {
				have++
			}
		}
		if have > bestHave {
			best, bestHave = k, have
		}
	}
	n := fmt.Sprintf("%d columns", len(header))
	if len(header) == 1 {
		n = "1 column"
	}
	if best == "" {
		return fmt.Sprintf("unrecognised header (%s, none of them a known column name); expected the columns of one of: %s", n, kindList())
	}
	var missing []string
	for _, c := range columns[best].all[:columns[best].required] {
		if !slices.Contains(header, c) {
			missing = append(missing, c)
		}
	}
	return fmt.Sprintf("unrecognised header (%s); the closest kind, %s, also needs the column(s) %s", n, best, strings.Join(missing, ", "))
}

// clip quotes text from a file for a message, shortened: a problem names the value at
// fault, but must not carry a megabyte of it.
func clip(s string) string {
	const most = 64
	if utf8.RuneCountInString(s) <= most {
		return strconv.Quote(s)
	}
	r := []rune(s)
	return strconv.Quote(string(r[:most])) + "…"
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
	lines := lineCounter{data: data}
	lineAt := lines.at
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	fail := func(err error) ([]parsed, []Problem) {
		line := lineAt(dec.InputOffset())
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line = lineAt(se.Offset)
		}
		return nil, []Problem{{File: name, Line: line, Reason: jsonReason(err)}}
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
			return nil, append(probs, Problem{File: name, Line: lineAt(dec.InputOffset()), Code: CodeUnrecognisedHeader, Reason: "unknown key; the keys of a JSON file are kinds of rows: " + kindList()})
		}
		if t, err := dec.Token(); err != nil {
			return fail(err)
		} else if d, ok := t.(json.Delim); !ok || d != '[' {
			return nil, append(probs, Problem{File: name, Line: lineAt(dec.InputOffset()), Reason: fmt.Sprintf("%s must be an array of objects", key)})
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

// lineCounter gives the line of a byte offset in data, counting newlines only past the
// offset it was last asked for: the decoder's offsets only grow, so a file's newlines are
// counted once, not once per record (which made a JSON load quadratic in its records).
type lineCounter struct {
	data []byte
	off  int // offset of the last answer
	line int // newlines before off
}

func (c *lineCounter) at(off int64) int {
	o := min(max(int(off), 0), len(c.data))
	if o < c.off { // an earlier offset (a syntax error's): count from the start again
		c.off, c.line = 0, 0
	}
	c.line += bytes.Count(c.data[c.off:o], []byte("\n"))
	c.off = o
	return 1 + c.line
}

// jsonReason says what is wrong with a JSON file without its bytes: encoding/json's
// messages quote the character at fault, and the file may be anything the server can read.
func jsonReason(err error) string {
	if _, ok := errors.AsType[*json.SyntaxError](err); ok {
		return "malformed JSON: invalid syntax"
	}
	if _, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		return "malformed JSON: a record must be an object"
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "malformed JSON: the file ends in the middle of it"
	}
	return "malformed JSON"
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
