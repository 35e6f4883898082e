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

func appendNullableFloat(b []byte, p *float64) []byte {
	if p == nil {
		return append(b, 1)
	}
	b = append(b, 0)
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(*p))
}

// AppendRowBinary encodes one row of the Go types tables.go produces: string (String),
// uint8 (UInt8), uint16 (UInt16), uint64 (UInt64), int64 (Int64), *float64 (Nullable(Float64)) and
// []string (Array(String)). The column types must match (the load's contract tests read
// every table back).
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
			b = binary.LittleEndian.AppendUint64(b, x)
		case int64:
			b = binary.LittleEndian.AppendUint64(b, uint64(x)) // two's complement, as Int64 is stored
		case *float64:
			b = appendNullableFloat(b, x)
		case []string:
			b = binary.AppendUvarint(b, uint64(len(x)))
			for _, s := range x {
				b = appendString(b, s)
			}
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
			return nil, warehouse.Wrap(err, warehouse.KindInternal, "cannot encode a row for the load")
		}
	}
	return b, nil
}

// appendObservationRow encodes an observation as a row of obsColumns without boxing each
// value in an interface (which allocated ~10 times a row).
func appendObservationRow(b []byte, o *warehouse.Observation, loadID string, rev uint64) []byte {
	if o.ID == "" {
		o.ID = warehouse.ObservationID(o.SubjectID, o.MetricID, o.Period.Label, o.SourceID)
	}
	b = appendString(b, o.ID)
	b = appendString(b, o.SubjectKind)
	b = appendString(b, o.SubjectID)
	b = appendString(b, o.MetricID)
	b = appendString(b, o.Period.Kind)
	b = binary.LittleEndian.AppendUint16(b, uint16(o.Period.Start))
	b = binary.LittleEndian.AppendUint16(b, uint16(o.Period.End))
	b = appendString(b, o.Period.Label)
	b = appendNullableFloat(b, o.Value)
	b = appendNullableFloat(b, o.Numerator)
	b = appendNullableFloat(b, o.Denominator)
	b = appendString(b, o.Qualifier)
	b = appendString(b, o.Status)
	b = appendString(b, o.SourceID)
	b = appendString(b, o.Quote)
	b = appendString(b, o.Note)
	b = binary.LittleEndian.AppendUint64(b, ObservationHash(o))
	b = appendString(b, loadID)
	return binary.LittleEndian.AppendUint64(b, rev)
}
