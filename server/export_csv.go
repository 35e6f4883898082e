package server

import (
	"encoding/csv"
	"net/http"
	"strconv"

	"github.com/cadrestat/cadrestat/service"
)

// writeCSV writes a sheet as CSV: UTF-8 with a byte-order mark (so spreadsheet programs show
// Vietnamese correctly), numbers with a decimal point and no grouping (as CSV readers and
// pandas expect; a comma-decimal spreadsheet must be told so on import, or read the XLSX,
// whose numbers are typed), text cells neutralised against formulas.
func writeCSV(w http.ResponseWriter, s *sheet, _ *service.Service) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Write([]byte("\xef\xbb\xbf"))
	cw := csv.NewWriter(w)
	header := make([]string, len(s.cols))
	for i, c := range s.cols {
		header[i] = c.name
	}
	cw.Write(header)
	line := make([]string, len(s.cols))
	for _, row := range s.rows {
		for i, cell := range row {
			line[i] = csvCell(cell)
		}
		cw.Write(line)
	}
	cw.Flush()
}

func csvCell(cell any) string {
	switch v := cell.(type) {
	case nil:
		return ""
	case string:
		return text(v)
	case int:
		return strconv.Itoa(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	panic("export: unexpected cell type")
}
