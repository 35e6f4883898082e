package embedded

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse/chsql"
)

// rowBinary builds a RowBinaryWithNamesAndTypes result with columns (String, Nullable(Float64), UInt16).
func rowBinary(rows int) []byte {
	var b []byte
	str := func(s string) { b = binary.AppendUvarint(b, uint64(len(s))); b = append(b, s...) }
	b = binary.AppendUvarint(b, 3)
	for _, n := range []string{"id", "value", "year"} {
		str(n)
	}
	for _, t := range []string{"String", "Nullable(Float64)", "UInt16"} {
		str(t)
	}
	for i := 0; i < rows; i++ {
		str("Cần Thơ")
		if i%2 == 0 {
			b = append(b, 0)
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(15.5))
		} else {
			b = append(b, 1)
		}
		b = binary.LittleEndian.AppendUint16(b, 2020)
	}
	return b
}

func TestRowBinary(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		var got []string
		err := decodeRowBinary(rowBinary(2), func(r chsql.Row) error {
			var id string
			var v *float64
			var y uint64
			if err := r.Scan(&id, &v, &y); err != nil {
				return err
			}
			s := id + " null 2020"
			if v != nil {
				s = id + " 15.5 2020"
			}
			if y != 2020 {
				t.Fatalf("year %d", y)
			}
			got = append(got, s)
			return nil
		})
		if err != nil || strings.Join(got, ";") != "Cần Thơ 15.5 2020;Cần Thơ null 2020" {
			t.Fatalf("%v %v", got, err)
		}
	})
	t.Run("ErrTypeMismatch", func(t *testing.T) {
		err := decodeRowBinary(rowBinary(1), func(r chsql.Row) error {
			var id string
			var v float64 // the column is Nullable(Float64)
			var y uint64
			return r.Scan(&id, &v, &y)
		})
		if err == nil || !strings.Contains(err.Error(), "column of type Nullable(Float64) scanned into *float64") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("ErrTruncated", func(t *testing.T) {
		b := rowBinary(1)
		err := decodeRowBinary(b[:len(b)-1], func(r chsql.Row) error {
			var id string
			var v *float64
			var y uint64
			return r.Scan(&id, &v, &y)
		})
		if err == nil || !strings.Contains(err.Error(), "truncated") {
			t.Fatalf("err = %v", err)
		}
	})
}
