package chsql

import (
	"bytes"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
)

func TestAppendRowBinary(t *testing.T) {
	v := 1.5
	t.Run("OK", func(t *testing.T) {
		got, err := AppendRowBinary(nil, []any{"ư", uint8(1), uint16(2020), uint64(1), &v, (*float64)(nil), []string{"a", ""}})
		want := []byte{
			2, 0xc6, 0xb0, // "ư": length 2, UTF-8 bytes
			1,          // UInt8
			0xe4, 0x07, // 2020 little-endian
			1, 0, 0, 0, 0, 0, 0, 0, // UInt64 1
			0, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f, // not NULL, 1.5
			1,            // NULL
			2, 1, 'a', 0, // Array(String) ["a", ""]
		}
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("got % x, %v\nwant % x", got, err, want)
		}
	})
	t.Run("ErrUnknownType", func(t *testing.T) {
		if _, err := AppendRowBinary(nil, []any{3.5}); err == nil || err.Error() != "rowbinary: cannot encode float64" {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("ObservationMatchesBoxedRow", func(t *testing.T) {
		n, d := 3.0, 20.0
		o := warehouse.Observation{SubjectKind: "province", SubjectID: "VN63-92", MetricID: "m", Period: warehouse.Period{Kind: "YEAR", Start: 2020, End: 2020, Label: "2020"},
			Value: &v, Numerator: &n, Denominator: &d, Qualifier: "EXACT", Status: "PUBLISHED", SourceID: "s", Quote: "trích\tdẫn\n", Note: ""}
		boxed, err := AppendRowBinary(nil, []any{warehouse.ObservationID("VN63-92", "m", "2020", "s"), o.SubjectKind, o.SubjectID, o.MetricID, string(o.Period.Kind), uint16(2020), uint16(2020), o.Period.Label,
			o.Value, o.Numerator, (*float64)(&d), string(o.Qualifier), string(o.Status), o.SourceID, o.Quote, o.Note, ObservationHash(&o), "load", uint64(7)})
		if err != nil {
			t.Fatal(err)
		}
		if got := observations.appendRow(nil, &o, "load", 7); !bytes.Equal(got, boxed) {
			t.Fatalf("observation row\n got % x\nwant % x", got, boxed)
		}
	})
}

func BenchmarkAppendObservationRow(b *testing.B) {
	v := 12.5
	o := warehouse.Observation{ID: "5950392af8ea2af2", SubjectKind: "province", SubjectID: "VN63-01", MetricID: "female_share",
		Period: warehouse.Period{Kind: "YEAR", Start: 2020, End: 2020, Label: "2020"}, Value: &v, Qualifier: "EXACT", Status: "SYNTHETIC", SourceID: "synthetic", Note: "synthetic (seed 1)"}
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		buf = observations.appendRow(buf[:0], &o, "00937fd5781478db", 1)
	}
}
