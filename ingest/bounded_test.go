package ingest

import (
	"bytes"
	"strings"
	"testing"
)

const tooLong = "record longer than 1 MiB (unbalanced quote?)"

// TestRecordLengthLimit: a record (the header too) that reaches MaxRecordBytes without
// ending is refused at the line it starts on, with the same message whatever the file's
// kind; the rows before it are still checked and their problems reported.
func TestRecordLengthLimit(t *testing.T) {
	big := strings.Repeat("x", MaxRecordBytes+10)
	row := "VN63-92,female_share,2020,20,,,,PUBLISHED,src,q,\n"
	cases := []struct {
		name, data string
		want       []string
	}{
		{"ErrHeaderWithoutNewline", "subject,metric," + big, []string{"f.csv:1: " + tooLong}},
		{"ErrHeaderAfterBlankLines", "\n \n" + `subject,"metric` + "\n" + big + "\n", []string{"f.csv:3: " + tooLong}},
		{"ErrUnbalancedQuote", obsHeader + row + `VN63-92,female_share,2021,20,,,,PUBLISHED,src,"oops,` + "\n" + strings.Repeat(row, MaxRecordBytes/len(row)+10),
			[]string{"f.csv:3: " + tooLong}},
		{"ErrRowsBeforeAreStillChecked", obsHeader + strings.Replace(row, "VN63-92", "VN63-99", 1) + `VN63-92,female_share,2021,20,,,,PUBLISHED,src,"oops,` + "\n" + strings.Repeat(row, MaxRecordBytes/len(row)+10),
			[]string{`f.csv:2: subject: unknown province "VN63-99" (use an ID such as VN63-92, group:<id> or VN)`, "f.csv:3: " + tooLong}},
		{"ErrLastRecordWithoutNewline", obsHeader + row + big, []string{"f.csv:3: " + tooLong}},
		{"ErrInASourcesFile", srcHeaderURL + `s,"T` + "\n" + big, []string{"f.csv:2: " + tooLong}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, probs := Prepare([]File{{Name: "f.csv", Data: []byte(tc.data)}}, catalog())
			var got []string
			for _, p := range probs {
				got = append(got, p.String())
			}
			if b != nil || strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if last := probs[len(probs)-1]; last.Code != CodeRecordTooLong {
				t.Fatalf("code %q, want %q", last.Code, CodeRecordTooLong)
			}
		})
	}
}

// TestChunksRecordLimitEdge: a record of exactly MaxRecordBytes (its newline included)
// is read, one byte more is refused, and the buffer never holds more than twice the limit.
func TestChunksRecordLimitEdge(t *testing.T) {
	for _, tc := range []struct {
		name string
		size int
		ok   bool
	}{{"AtTheLimit", MaxRecordBytes, true}, {"OneByteOver", MaxRecordBytes + 1, false}} {
		t.Run(tc.name, func(t *testing.T) {
			rec := `"` + strings.Repeat("a\n", (tc.size-3)/2) + strings.Repeat("a", (tc.size-3)%2) + "\"\n"
			if len(rec) != tc.size {
				t.Fatalf("record of %d bytes", len(rec))
			}
			body := &csvBody{file: "f.csv", ncols: 1, line: 2, r: strings.NewReader("x\n" + rec + "y\n")}
			var got bytes.Buffer
			biggest := 0
			err := body.chunks(func(ch chunk) bool {
				got.Write(ch.data)
				biggest = max(biggest, cap(ch.data))
				return true
			}, nil)
			if tc.ok && (err != nil || got.String() != "x\n"+rec+"y\n") {
				t.Fatalf("err %v, read %d bytes", err, got.Len())
			}
			if !tc.ok && (err == nil || readProblem("f.csv", err).String() != "f.csv:3: "+tooLong || got.String() != "x\n") {
				t.Fatalf("err %v, read %q…", err, got.String()[:min(got.Len(), 10)])
			}
			if biggest > 2*MaxRecordBytes {
				t.Fatalf("a buffer of %d bytes", biggest)
			}
		})
	}
}

// TestJSONSizeLimit: a JSON file is read whole, so it is bounded; the refusal is coded.
func TestJSONSizeLimit(t *testing.T) {
	data := append([]byte(`{"observations": [`), bytes.Repeat([]byte(" "), MaxJSONBytes)...)
	_, probs := Prepare([]File{{Name: "o.json", Data: append(data, "]}"...)}}, catalog())
	want := "o.json: a JSON file is limited to 64 MiB (it is read whole into memory); write larger data as CSV"
	if len(probs) != 1 || probs[0].String() != want || probs[0].Code != CodeJSONTooLarge {
		t.Fatalf("problems %v", probs)
	}
}
