package server

import (
	"net/http"
	"slices"

	"github.com/xuri/excelize/v2"

	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/warehouse"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// writeXLSX writes a sheet as an Excel workbook: the figures on "data" (numbers as number
// cells, so a comma-decimal spreadsheet reads 29.2 as 29,2 and SUM takes it; text as inline
// strings, which no spreadsheet runs as a formula, so text keeps its first character),
// the cited documents on "sources", and on "README" what made it and how to read it.
func writeXLSX(w http.ResponseWriter, s *sheet, _ *service.Service) {
	f := excelize.NewFile()
	defer func() { _ = f.Close() }() // frees the workbook's temporary files; nothing to report
	if err := xlsxSheets(f, s); err != nil {
		http.Error(w, "the workbook could not be written", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", xlsxType)
	_ = f.Write(w) // the client is gone or the connection broke: nothing more to tell it
}

func xlsxSheets(f *excelize.File, s *sheet) error {
	if err := f.SetSheetName("Sheet1", "data"); err != nil {
		return err
	}
	header := make([]any, len(s.cols))
	for i, c := range s.cols {
		header[i] = c.name
	}
	if err := xlsxWrite(f, "data", header, s.rows); err != nil {
		return err
	}
	if _, err := f.NewSheet("sources"); err != nil {
		return err
	}
	if err := xlsxWrite(f, "sources", sourceHeader, sourceRows(s)); err != nil {
		return err
	}
	if _, err := f.NewSheet("README"); err != nil {
		return err
	}
	var readme [][]any
	for _, kv := range readmeLines(s) {
		readme = append(readme, []any{kv[0], kv[1]})
	}
	return xlsxWrite(f, "README", []any{"item", "text"}, readme)
}

// xlsxWrite streams a header and rows (nil, string, int or float64 cells) onto a sheet.
func xlsxWrite(f *excelize.File, name string, header []any, rows [][]any) error {
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	return sw.Flush()
}

var sourceHeader = []any{"source_id", "title", "issuer", "doc_number", "date", "kind", "language", "url", "retrieved", "licence", "location"}

// sourceRows lists the documents an export's figures cite, by ID.
func sourceRows(s *sheet) [][]any {
	ids := make([]string, 0, len(s.sources))
	for id := range s.sources {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	rows := make([][]any, len(ids))
	for i, id := range ids {
		src := s.sources[id]
		rows[i] = []any{src.ID, optText(src.Title), optText(src.Issuer), optText(src.DocNumber), optText(src.Date), optText(src.Kind),
			optText(src.Language), optText(src.URL), optText(src.Retrieved), optText(src.Licence), optText(src.Location)}
	}
	return rows
}

// readmeLines says what made an export and how to read its columns.
func readmeLines(s *sheet) [][2]string {
	return [][2]string{
		{"data_version", versionString(s.version)},
		{"query", s.query},
		{"made by", "cadrestat; the same figures as the GraphQL API and the CSV/Parquet exports of this query"},
		{"value", "the figure when it is a number: exact, or approximate (qualifier APPROXIMATE, display ≈). Empty for a bound and for no figure."},
		{"lower / upper", "a bound: the source says only that the figure is above lower (display >) or below upper (display <); the other end is unknown. Never read a bound as its value."},
		{"qualifier", string(warehouse.QualExact) + ", " + string(warehouse.QualApproximate) + ", " + string(warehouse.QualLowerBound) + " or " + string(warehouse.QualUpperBound)},
		{"status", "PUBLISHED (from a published document), DERIVED (computed from published figures), PROVISIONAL (not final), SYNTHETIC (generated test data, not a real figure); a combined figure takes the weakest of its parts"},
		{"rank / rank_best / rank_worst", "rank is set only when certain; a bound, an approximation or a contested figure has only a range of ranks (best to worst) among rank_of units"},
		{"row_kind", "compare only: unit (a ranked province), national (Việt Nam) or benchmark (a region or group): leave national and benchmark rows out of sums over units"},
		{"citation", "the source document, issuer, number, date and quoted passage of the figure; a combined figure cites every part. The sources sheet lists the documents."},
		{"data_version / query", "on every row: the data version the figures were read at and the export query; the same query at the same version gives the same figures"},
	}
}
