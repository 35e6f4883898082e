package data

import (
	"embed"
	"fmt"
	"strings"
	"sync"

	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/warehouse"
)

// The seed documents, served to readers at ingest.DocumentPath(source ID): the figures
// taken from them cite that link, never a file name.
//
//go:embed seeds/*.txt
var seedFiles embed.FS

var (
	docsOnce sync.Once
	docs     map[string]warehouse.Source
)

// Documents lists the bundled seed sources by ID.
func Documents() map[string]warehouse.Source {
	docsOnce.Do(func() {
		docs = map[string]warehouse.Source{}
		b, _ := ingest.Prepare(Files(), nil)
		if b == nil {
			return // the data tests report why
		}
		for _, s := range b.Sources {
			if s.Kind == "seed" {
				docs[s.ID] = s
			}
		}
	})
	return docs
}

// Document is the text a reader opens at /documents/<source ID>: a header naming the
// document (title, issuer, number, date, in Vietnamese) and then its full text as
// bundled. ok is false for an ID that is not a bundled seed document.
func Document(sourceID string) (text []byte, ok bool) {
	s, ok := Documents()[sourceID]
	if !ok {
		return nil, false
	}
	body, err := seedFiles.ReadFile("seeds/" + s.Location)
	if err != nil {
		return nil, false
	}
	var h strings.Builder
	line := func(label, v string) {
		if v != "" {
			fmt.Fprintf(&h, "%s: %s\n", label, v)
		}
	}
	line("Tiêu đề (title)", s.Title)
	line("Cơ quan ban hành (issuer)", s.Issuer)
	number := s.DocNumber
	if number == "" {
		number = "không ghi số (no number printed)"
	}
	line("Số văn bản (number)", number)
	date := s.Date
	switch ingest.DatePrecision(s.Date) {
	case "":
		date = "không ghi ngày (no date printed)"
	case "month":
		date += " (chỉ rõ đến tháng / month only)"
	case "year":
		date += " (chỉ rõ đến năm / year only)"
	}
	line("Ngày (date)", date)
	line("Mã nguồn (source ID)", s.ID)
	h.WriteString("Văn bản dưới đây là toàn văn như dự án lưu giữ để trích dẫn (the full text as bundled for citation).\n")
	h.WriteString(strings.Repeat("-", 72) + "\n\n")
	return append([]byte(h.String()), body...), true
}
