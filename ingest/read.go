// Package ingest reads, validates and loads data files (CSV and JSON) into the warehouse.
// A file with any bad row loads nothing; every problem is reported with file, line and reason.
package ingest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

// record is one row of a file, whatever its format: field values and where it came from.
type record struct {
	line   int
	fields map[string]string
}

func (r record) get(k string) string { return strings.TrimSpace(r.fields[k]) }

// Kind is the kind of rows a file holds, recognised from its header (CSV) or key (JSON).
type Kind string

const (
	KindProvinces    Kind = "provinces"
	KindLineage      Kind = "lineage"
	KindGroups       Kind = "groups"
	KindMetrics      Kind = "metrics"
	KindSources      Kind = "sources"
	KindTargets      Kind = "targets"
	KindObservations Kind = "observations"
)

// columns lists each kind's columns; the first ones up to required are mandatory.
var columns = map[Kind]struct {
	all      []string
	required int
}{
	KindProvinces:    {[]string{"map", "code", "name", "name_ascii", "kind", "region", "valid_from", "valid_to"}, 6},
	KindLineage:      {[]string{"vn63_code", "vn34_code"}, 2},
	KindGroups:       {[]string{"id", "kind", "name", "name_vi", "map", "members", "source", "note"}, 6},
	KindMetrics:      {[]string{"id", "name_en", "name_vi", "unit", "kind", "body", "level", "better", "aggregation", "description"}, 9},
	KindSources:      {[]string{"id", "title", "issuer", "doc_number", "date", "language", "location", "kind", "licence"}, 8},
	KindTargets:      {[]string{"id", "metric", "scope", "lower", "upper", "lower_inclusive", "upper_inclusive", "deadline", "directive", "source", "quote", "note"}, 11},
	KindObservations: {[]string{"subject", "metric", "period", "value", "numerator", "denominator", "qualifier", "status", "source", "quote", "note"}, 10},
}

var kindOrder = []Kind{KindTargets, KindObservations, KindMetrics, KindSources, KindGroups, KindProvinces, KindLineage}

// kindOf recognises a kind from a set of column names: the kind whose required columns are
// all present and which has no unknown column.
func kindOf(names []string) (Kind, []string) {
	have := map[string]bool{}
	for _, n := range names {
		have[n] = true
	}
	var best Kind
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

// parsed is the raw content of one file, before validation.
type parsed struct {
	file    string
	kind    Kind
	records []record
}

// parse reads a CSV or JSON file into records; format is chosen by the file name's
// extension (.json) or the first non-space byte ('{' or '[').
func parse(name string, data []byte) ([]parsed, []Problem) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:firstInvalid(data)], []byte("\n"))
		return nil, []Problem{{File: name, Line: line, Reason: "file is not valid UTF-8 (save it as UTF-8; Vietnamese text in other encodings is garbled)"}}
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, []Problem{{File: name, Reason: "file is empty"}}
	}
	if strings.HasSuffix(strings.ToLower(name), ".json") || trimmed[0] == '{' {
		return parseJSON(name, data)
	}
	p, probs := parseCSV(name, data)
	if p == nil {
		return nil, probs
	}
	return []parsed{*p}, probs
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

func parseCSV(name string, data []byte) (*parsed, []Problem) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, []Problem{{File: name, Line: 1, Reason: "cannot read the header: " + csvReason(err)}}
	}
	for i := range header {
		header[i] = strings.ToLower(strings.TrimSpace(header[i]))
	}
	kind, unknown := kindOf(header)
	if kind == "" {
		return nil, []Problem{{File: name, Line: 1, Reason: "unrecognised header " + strings.Join(header, ",") + "; expected the columns of one of: " + kindList()}}
	}
	var probs []Problem
	if len(unknown) > 0 {
		probs = append(probs, Problem{File: name, Line: 1, Reason: fmt.Sprintf("unknown column(s) %s for a %s file", strings.Join(unknown, ", "), kind)})
	}
	p := &parsed{file: name, kind: kind}
	for {
		line, _ := r.FieldPos(0)
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			l := line
			if errors.As(err, &pe) {
				l = pe.StartLine
			}
			probs = append(probs, Problem{File: name, Line: l, Reason: csvReason(err)})
			return p, probs
		}
		line, _ = r.FieldPos(0)
		if len(row) == 1 && strings.TrimSpace(row[0]) == "" {
			continue
		}
		if len(row) != len(header) {
			probs = append(probs, Problem{File: name, Line: line, Reason: fmt.Sprintf("has %d fields, the header has %d", len(row), len(header))})
			continue
		}
		rec := record{line: line, fields: make(map[string]string, len(row))}
		for i, v := range row {
			rec.fields[header[i]] = v
		}
		p.records = append(p.records, rec)
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
		kind := Kind(key)
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
			rec := record{line: line, fields: map[string]string{}}
			for k, v := range obj {
				if !known[k] {
					probs = append(probs, Problem{File: name, Line: line, Field: k, Reason: "unknown field for " + key})
					continue
				}
				s, ok := jsonText(v)
				if !ok {
					probs = append(probs, Problem{File: name, Line: line, Field: k, Reason: "must be a string, number, boolean or list of strings"})
					continue
				}
				rec.fields[k] = s
			}
			p.records = append(p.records, rec)
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
