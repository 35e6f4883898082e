package ingest

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cadrestat/cadrestat/warehouse"
)

func TestLastRecordEnd(t *testing.T) {
	cases := []struct {
		name, in string
		want     int
	}{
		{"OK", "a,b\nc,d\ne", 8},
		{"NoNewline", "a,b", 0},
		{"NewlineInsideQuotes", "a,\"x\ny\"", 0},
		{"QuotedNewlineThenRecord", "a,\"x\ny\"\nz", 8},
		{"EscapedQuote", "a,\"say \"\"hi\"\"\"\nb", 15},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := lastRecordEnd([]byte(tc.in)); got != tc.want {
				t.Fatalf("lastRecordEnd(%q) = %d, want %d", tc.in, got, tc.want)
			}
		})
	}
}

// bigCatalog adds 100 sources to catalog(), enough distinct cells for files of many chunks.
func bigCatalog() *warehouse.Catalog {
	c := catalog()
	for i := 0; i < 100; i++ {
		c.Sources = append(c.Sources, warehouse.Source{ID: fmt.Sprintf("src%d", i)})
	}
	c.Index()
	return c
}

// bigFile writes n distinct valid observations, each quote holding a newline and doubled
// quotes (so records straddle the places a chunk may be cut), with extra rows inserted
// before the data row at the given line. It returns the text and the line of each data row.
func bigFile(n int, extra map[int]string) (string, []int) {
	var b strings.Builder
	b.WriteString(obsHeader)
	line := 2
	lines := make([]int, n)
	pad := strings.Repeat("chữ ", 60)
	for i := 0; i < n; i++ {
		if r, ok := extra[line]; ok {
			b.WriteString(r + "\n")
			line += 1 + strings.Count(r, "\n")
		}
		metric := []string{"female_share", "staff_cut"}[i%2]
		fmt.Fprintf(&b, "VN63-92,%s,range:%d-2100,20,,,,PUBLISHED,src%d,\"Trích \"\"nguyên văn\"\"\n%s %d\",\n", metric, 1945+(i/2)%150, (i/2)/150, pad, i)
		lines[i] = line
		line += 2
	}
	return b.String(), lines
}

func TestPrepareLargeFile(t *testing.T) {
	cat := bigCatalog()
	const n = 30000 // ~11 MB: several chunks
	t.Run("OK", func(t *testing.T) {
		data, _ := bigFile(n, nil)
		if len(data) < 2*chunkSize {
			t.Fatalf("test file of %d bytes does not span several chunks", len(data))
		}
		b, probs := Prepare([]File{{Name: "a.csv", Data: []byte(data)}}, cat)
		if len(probs) != 0 || len(b.Observations) != n {
			t.Fatalf("%d observations, problems %v", len(b.Observations), probs)
		}
		o := b.Observations[n-1]
		if !strings.HasSuffix(o.Quote, fmt.Sprintf(" %d", n-1)) || !strings.HasPrefix(o.Quote, "Trích \"nguyên văn\"\n") || o.SourceID != "src99" {
			t.Fatalf("last observation = %+v", o)
		}
	})
	t.Run("FromPath", func(t *testing.T) {
		data, _ := bigFile(n, nil)
		path := filepath.Join(t.TempDir(), "a.csv")
		os.WriteFile(path, []byte(data), 0o644)
		b, probs := Prepare([]File{{Name: "a.csv", Path: path}}, cat)
		if len(probs) != 0 || len(b.Observations) != n {
			t.Fatalf("%d observations, problems %v", len(b.Observations), probs)
		}
	})
	// A record may not grow past MaxRecordBytes (it could before, a chunk at a time): the
	// quote of 1.5 MiB that loaded before this limit is now refused where its record starts.
	t.Run("ErrRecordLongerThanTheLimit", func(t *testing.T) {
		long := strings.Repeat("Đại hội đại biểu, \"nhiệm kỳ\"\n", chunkSize/20)
		data := obsHeader + "VN63-92,female_share,2019,20,,,,PUBLISHED,src,\"" + strings.ReplaceAll(long, `"`, `""`) + "\",\n" +
			"VN63-92,female_share,2020,20,,,,PUBLISHED,src,q,\n"
		_, probs := Prepare([]File{{Name: "a.csv", Data: []byte(data)}}, cat)
		if len(probs) != 1 || probs[0].String() != "a.csv:2: record longer than 1 MiB (unbalanced quote?)" || probs[0].Code != CodeRecordTooLong {
			t.Fatalf("problems %v", probs)
		}
	})
	t.Run("ErrRowFarIntoTheFile", func(t *testing.T) {
		_, lines := bigFile(n, nil)
		at := lines[n-100]
		data, _ := bigFile(n, map[int]string{at: "VN63-99,female_share,2020,20,,,,PUBLISHED,src,q,"})
		_, probs := Prepare([]File{{Name: "a.csv", Data: []byte(data)}}, cat)
		want := fmt.Sprintf(`a.csv:%d: subject: unknown province "VN63-99"`, at)
		if len(probs) != 1 || !strings.HasPrefix(probs[0].String(), want) {
			t.Fatalf("problems %v, want one starting %q", probs, want)
		}
	})
	t.Run("ErrDuplicateInALaterChunk", func(t *testing.T) {
		data, lines := bigFile(n, nil)
		data += "VN63-92,female_share,range:1945-2100,21,,,,PUBLISHED,src0,q,\n"
		_, probs := Prepare([]File{{Name: "a.csv", Data: []byte(data)}}, cat)
		want := fmt.Sprintf("a.csv:%d: duplicate of line %d (same subject, metric, period and source)", lines[n-1]+2, lines[0])
		if len(probs) != 1 || probs[0].String() != want {
			t.Fatalf("problems %v, want %q", probs, want)
		}
	})
	t.Run("ErrMalformedEndsTheFile", func(t *testing.T) {
		_, lines := bigFile(n, nil)
		bad, after := lines[n/2], lines[n-10]
		data, _ := bigFile(n, map[int]string{
			bad:   `VN63-92,female_share,2020,20,,,,PUBLISHED,src,q "quoted" badly,`,
			after: "VN63-99,female_share,2020,20,,,,PUBLISHED,src,q,",
		})
		_, probs := Prepare([]File{{Name: "a.csv", Data: []byte(data)}}, cat)
		want := fmt.Sprintf(`a.csv:%d: malformed CSV: bare " in non-quoted-field`, bad)
		if len(probs) != 1 || probs[0].String() != want {
			t.Fatalf("problems %v, want only %q (rows after a malformed record are not trusted)", probs, want)
		}
	})
}

func TestPrepareAcrossFiles(t *testing.T) {
	row := "VN63-92,female_share,2020,20,,,,PUBLISHED,src,q,\n"
	t.Run("ErrDuplicateInAnotherFile", func(t *testing.T) {
		_, probs := Prepare([]File{{Name: "a.csv", Data: []byte(obsHeader + row)}, {Name: "b.csv", Data: []byte(obsHeader + "\n" + row)}}, catalog())
		want := "b.csv:3: duplicate of a.csv line 2 (same subject, metric, period and source)"
		if len(probs) != 1 || probs[0].String() != want {
			t.Fatalf("problems %v, want %q", probs, want)
		}
	})
	t.Run("ErrLineAfterBOMAndBlankLines", func(t *testing.T) {
		data := "\xef\xbb\xbf\n\n" + obsHeader + "VN63-99,female_share,2020,20,,,,PUBLISHED,src,q,\n"
		_, probs := Prepare([]File{{Name: "a.csv", Data: []byte(data)}}, catalog())
		want := `a.csv:4: subject: unknown province "VN63-99"`
		if len(probs) != 1 || !strings.HasPrefix(probs[0].String(), want) {
			t.Fatalf("problems %v, want %q", probs, want)
		}
	})
	t.Run("ErrEmptyBody", func(t *testing.T) {
		_, probs := Prepare([]File{{Name: "a.csv", Data: []byte(obsHeader)}}, catalog())
		if len(probs) != 1 || probs[0].String() != "a.csv: no rows to load" {
			t.Fatalf("problems %v", probs)
		}
	})
}

// referenceRecords parses a chunk with encoding/csv alone, the way files were read before
// the fast path, then applies the same rule on NUL bytes; records must give the same rows,
// lines and problems.
func referenceRecords(b *csvBody, ch chunk) ([]record, []Problem) {
	r := csv.NewReader(bytes.NewReader(ch.data))
	r.FieldsPerRecord = -1
	var recs []record
	var probs []Problem
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			return recs, probs
		}
		if err != nil {
			var pe *csv.ParseError
			errors.As(err, &pe)
			return recs, append(probs, Problem{File: b.file, Line: ch.line - 1 + pe.StartLine, Reason: csvReason(err)})
		}
		line, _ := r.FieldPos(0)
		line += ch.line - 1
		if len(row) == 1 && strings.TrimSpace(row[0]) == "" {
			continue
		}
		if len(row) != b.ncols {
			probs = append(probs, Problem{File: b.file, Line: line, Reason: fmt.Sprintf("has %d fields, the header has %d", len(row), b.ncols)})
			continue
		}
		if i := nulField(row); i >= 0 { // encoding/csv keeps NUL bytes; the rule refuses them
			probs = append(probs, Problem{File: b.file, Line: line, Field: b.cols[i], Reason: nulReason})
			continue
		}
		recs = append(recs, record{line: line, vals: row, cols: b.cols})
	}
}

func FuzzRecordsMatchEncodingCSV(f *testing.F) {
	for _, s := range []string{
		"a,b,c\n", "a,b,c\r\nd,e,f\r\n", "a,\"b\nc\",d\n\ne,f,g", "a,b\n", "  \n,,\n", "a,b\"c,d\n",
		"\"a\"\"b\",c,d\n", "a,\"b,c\"x,d\n", "a,b,c\r", "\"unterminated,b,c\n", "x,y,z\n\"a\nb\",c,d\n1,2,3\n",
		"a,b\x00,c\n", "a,\"b\x00\nc\",d\ne,f,g\n", "\x00\n", "a,b,c\x00\nd,e,f\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		if !utf8.ValidString(data) {
			return
		}
		b := &csvBody{file: "f.csv", ncols: 3, cols: []string{"a", "b", "c"}}
		ch := chunk{line: 5, data: []byte(data)}
		got, gotProbs, _ := b.records(ch)
		want, wantProbs := referenceRecords(b, ch)
		if fmt.Sprint(gotProbs) != fmt.Sprint(wantProbs) {
			t.Fatalf("%q: problems\n got %v\nwant %v", data, gotProbs, wantProbs)
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d records, encoding/csv %d", data, len(got), len(want))
		}
		for i := range got {
			if got[i].line != want[i].line || fmt.Sprint(got[i].vals) != fmt.Sprint(want[i].vals) {
				t.Fatalf("%q: record %d = line %d %q, encoding/csv line %d %q", data, i, got[i].line, got[i].vals, want[i].line, want[i].vals)
			}
		}
	})
}
