package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cadrestat/cadrestat/data"
)

// TestDocumentsServed: every seed source's link opens its document as UTF-8 plain text that
// names it (issuer in Vietnamese, number, date) above its full text (data/ checks that
// every seed quote is in that text); an unknown ID is a 404 that echoes nothing of the
// request.
func TestDocumentsServed(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("GET /documents/{id}", documents())
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}
	srcs := data.Documents()
	if len(srcs) != 5 {
		t.Fatalf("%d seed documents, want 5", len(srcs))
	}
	for id, s := range srcs {
		rec := get(s.URL)
		body := rec.Body.String()
		h := rec.Header()
		if rec.Code != 200 || h.Get("Content-Type") != "text/plain; charset=utf-8" || h.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.Contains(h.Get("Content-Security-Policy"), "sandbox") || !utf8.ValidString(body) {
			t.Fatalf("%s at %s: %d %v", id, s.URL, rec.Code, h)
		}
		for _, want := range []string{"Cơ quan ban hành (issuer): " + s.Issuer, "Tiêu đề (title): " + s.Title, "Ngày (date): "} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: header lacks %q", id, want)
			}
		}
		if s.DocNumber != "" && !strings.Contains(body, "Số văn bản (number): "+s.DocNumber) {
			t.Errorf("%s: number %s not printed", id, s.DocNumber)
		}
	}
	if body := get("/documents/seed-003").Body.String(); !strings.Contains(body, "Số văn bản (number): 2336-BC/BTCTU") ||
		!strings.Contains(body, "Cơ quan ban hành (issuer): Ban Tổ chức Tỉnh ủy Quảng Ngãi") || !strings.Contains(body, "Huỳnh Đức Minh") {
		t.Errorf("seed-003 header: %.400s", body)
	}
	for _, path := range []string{"/documents/nope", "/documents/press-vote-002", "/documents/%3Cscript%3E", "/documents/..%2Fdata.go"} {
		rec := get(path)
		if rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "script") || strings.Contains(rec.Body.String(), "data.go") ||
			rec.Header().Get("Content-Type") != "text/plain; charset=utf-8" {
			t.Errorf("%s: %d %q", path, rec.Code, rec.Body.String())
		}
	}
}
