package chsql

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/cadrestat/cadrestat/warehouse"
)

// Rows are written for a load in ClickHouse's RowBinary format: values in column order,
// strings as a LEB128 length and bytes, numbers little-endian, Nullable as a 0/1 byte
// before the value, arrays as a length and elements. Compared with text it costs Go no
// escaping or number formatting and ClickHouse no parsing (measured on a 10-million-row
// load: encoding and escaping TabSeparated took ~9 of the ~56 CPU seconds spent in Go).

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendStrings(b []byte, l []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(l)))
	for _, s := range l {
		b = appendString(b, s)
	}
	return b
}

func appendNullableFloat(b []byte, p *float64) []byte {
	if p == nil {
		return append(b, 1)
	}
	b = append(b, 0)
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(*p))
}

func binary64(b []byte, v uint64) []byte { return binary.LittleEndian.AppendUint64(b, v) }

// AppendRowBinary encodes one row of boxed values, as the server engine's Insert takes them
// (column.box): string (String), uint8 (UInt8), uint16 (UInt16), uint64 (UInt64), int64
// (Int64), *float64 (Nullable(Float64)) and []string (Array(String)). An engine that writes
// Insert's rows to a file uses it; the column types must match the table's.
func AppendRowBinary(b []byte, row []any) ([]byte, error) {
	for _, v := range row {
		switch x := v.(type) {
		case string:
			b = appendString(b, x)
		case uint8:
			b = append(b, x)
		case uint16:
			b = binary.LittleEndian.AppendUint16(b, x)
		case uint64:
			b = binary64(b, x)
		case int64:
			b = binary64(b, uint64(x)) // two's complement, as Int64 is stored
		case *float64:
			b = appendNullableFloat(b, x)
		case []string:
			b = appendStrings(b, x)
		default:
			return nil, fmt.Errorf("rowbinary: cannot encode %T", v)
		}
	}
	return b, nil
}

// AppendRowsBinary encodes rows one after another (AppendRowBinary), failing with a safe
// message on a value it cannot encode.
func AppendRowsBinary(b []byte, rows [][]any) ([]byte, error) {
	for _, r := range rows {
		var err error
		if b, err = AppendRowBinary(b, r); err != nil {
			return nil, warehouse.Wrap(err, warehouse.ErrInternal, "cannot encode a row for the load")
		}
	}
	return b, nil
}
