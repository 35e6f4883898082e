package server

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/warehouse"
)

// An export is built once as a sheet of typed cells and written as CSV, XLSX or Parquet
// (exportFormats), so the three formats carry the same columns and the same figures.

type colKind int

const (
	colText colKind = iota
	colInt
	colNumber
)

type column struct {
	name string
	kind colKind
}

// sheet is one export: typed columns, rows of cells (nil, string, int or float64, by the
// column's kind), the sources its figures cite, and what made it (data version and query).
type sheet struct {
	name    string // file name without extension
	cols    []column
	rows    [][]any
	sources map[string]*warehouse.Source
	version uint64
	query   string
}

func newSheet(name string, cols []column, version uint64, query string) *sheet {
	// Every format carries the data version and the query on every row: a CSV has no place
	// for a header comment that spreadsheets and CSV readers agree on, and a column survives
	// filtering, pasting and concatenating files, where a response header does not.
	cols = append(cols, column{"data_version", colText}, column{"query", colText})
	return &sheet{name: name, cols: cols, sources: map[string]*warehouse.Source{}, version: version, query: query}
}

// add appends a row; the data version and query columns are filled here.
func (s *sheet) add(cells ...any) {
	if len(cells) != len(s.cols)-2 {
		panic(fmt.Sprintf("export %s: %d cells for %d columns", s.name, len(cells), len(s.cols)-2))
	}
	s.rows = append(s.rows, append(cells, versionString(s.version), s.query))
}

// cite records the sources of a figure for the sources sheet.
func (s *sheet) cite(svc *service.Service, v *service.Value) {
	for _, o := range v.Parts {
		if src := svc.Catalog().Source(o.SourceID); src != nil {
			s.sources[src.ID] = src
		}
	}
	if o := v.Observation; o != nil {
		if src := svc.Catalog().Source(o.SourceID); src != nil {
			s.sources[src.ID] = src
		}
	}
}

// versionString is the data version as the API shows it (String, so 64 bits survive JSON
// and spreadsheets, which keep 15 significant digits).
func versionString(v uint64) string { return strconv.FormatUint(v, 10) }

// exportQuery is the query that made an export, canonical (path and sorted parameters) so
// that two downloads of the same figures say the same thing.
func exportQuery(r *http.Request) string {
	return r.URL.Path + "?" + r.URL.Query().Encode()
}

// Cell helpers: nil for "no figure", never a zero.
func optNum(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func optInt(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func optText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// figureCells are value, lower and upper of a figure: a bound ("<10", ">98.4") has no value,
// only the end it states (upper 10, lower 98.4), so a SUM or AVERAGE never takes 10 for
// "<10"; an exact or approximate figure has a value and no bounds (its qualifier says which).
func figureCells(v *service.Value) (value, lower, upper any) {
	if v.Value == nil {
		return nil, nil, nil
	}
	switch v.Qualifier {
	case warehouse.QualLowerBound:
		return nil, *v.Value, nil
	case warehouse.QualUpperBound:
		return nil, nil, *v.Value
	}
	return *v.Value, nil, nil
}

// exportFormats are the formats every export is served in, by file extension.
var exportFormats = map[string]func(http.ResponseWriter, *sheet, *service.Service){
	"csv":     writeCSV,
	"xlsx":    writeXLSX,
	"parquet": writeParquet,
}

// serveSheet registers GET /export/NAME.EXT for each format.
func serveSheets(mux *http.ServeMux, cfg Config, name string, build func(*service.Service, *http.Request) (*sheet, error), svc *service.Service) {
	for ext, write := range exportFormats {
		mux.Handle("GET /export/"+name+"."+ext, withLimits(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s, err := build(svc, r)
			if err != nil {
				exportError(w, err)
				return
			}
			w.Header().Set("X-Data-Version", versionString(s.version))
			w.Header().Set("Content-Disposition", `attachment; filename="`+fileName(s.name)+"."+ext+`"`)
			write(w, s, svc)
		}), cfg))
	}
}

// fileName keeps a file name to safe characters (metric IDs and map names are, but the
// header must not carry a quote or a line break whatever they hold).
func fileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, s)
}

// badParam is a 400 for a malformed query parameter.
func badParam(msg string) error { return warehouse.Errorf(warehouse.ErrInvalid, "%s", msg) }
