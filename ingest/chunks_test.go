package ingest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
