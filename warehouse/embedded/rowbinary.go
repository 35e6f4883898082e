package embedded

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/cadrestat/cadrestat/warehouse/chsql"
)

// Results come back as RowBinaryWithNamesAndTypes: a header with each column's type, then
// rows in ClickHouse's binary layout. Decoding it straight into the scan targets costs a
// fraction of JSON (no per-field parsing or boxing); the header's types are checked against
// the targets, so a query and its Scan can never silently disagree.

type binReader struct {
	buf []byte
	pos int
	err error
}

func (r *binReader) need(n int) bool {
	if r.err == nil && r.pos+n > len(r.buf) {
		r.err = errors.New("rowbinary: truncated result")
	}
	return r.err == nil
}

func (r *binReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.buf[r.pos:])
	if n <= 0 {
		r.err = errors.New("rowbinary: bad length")
		return 0
	}
	r.pos += n
	return v
}

func (r *binReader) str() string {
	n := int(r.uvarint())
	if !r.need(n) {
		return ""
	}
	s := string(r.buf[r.pos : r.pos+n])
	r.pos += n
	return s
}

func (r *binReader) fixed(n int) []byte {
	if !r.need(n) {
		return make([]byte, n)
	}
	b := r.buf[r.pos : r.pos+n]
	r.pos += n
	return b
}

// decodeRowBinary walks the rows of out, calling each with a Row that decodes on Scan.
func decodeRowBinary(out []byte, each func(chsql.Row) error) error {
	r := &binReader{buf: out}
	if len(out) == 0 {
		return nil
	}
	n := int(r.uvarint())
	types := make([]colType, n)
	for i := 0; i < n; i++ {
		r.str() // name
	}
	for i := 0; i < n; i++ {
		name := r.str()
		t, ok := colTypes[name]
		if !ok && r.err == nil {
			return warehouse.Wrap(fmt.Errorf("rowbinary: unsupported column type %s (cast it in the SQL)", name), warehouse.ErrInternal, "cannot decode warehouse result")
		}
		types[i] = t
	}
	if r.err != nil {
		return warehouse.Wrap(r.err, warehouse.ErrInternal, "cannot decode warehouse result")
	}
	for r.pos < len(r.buf) {
		row := &binRow{r: r, types: types}
		if err := each(row); err != nil {
			return err
		}
		if !row.scanned {
			_ = row.Scan(make([]any, n)...) // skip the row; a truncated one sets r.err, checked next
		}
		if r.err != nil {
			return warehouse.Wrap(r.err, warehouse.ErrInternal, "cannot decode warehouse result")
		}
	}
	return nil
}

// colType is a column type the decoder understands, resolved once per result.
type colType struct {
	name string
	kind int
	size int // fixed width of unsigned integers
}

const (
	tString = iota
	tFloat64
	tNullableFloat64
	tUInt
	tInt64
	tArrayString
)

var colTypes = map[string]colType{
	"String": {"String", tString, 0}, "Float64": {"Float64", tFloat64, 8}, "Nullable(Float64)": {"Nullable(Float64)", tNullableFloat64, 8},
	"UInt8": {"UInt8", tUInt, 1}, "UInt16": {"UInt16", tUInt, 2}, "UInt32": {"UInt32", tUInt, 4}, "UInt64": {"UInt64", tUInt, 8},
	"Int64": {"Int64", tInt64, 8}, "Array(String)": {"Array(String)", tArrayString, 0},
}

type binRow struct {
	r       *binReader
	types   []colType
	scanned bool
}

// Scan decodes the row into dest; a nil dest skips its column.
func (b *binRow) Scan(dest ...any) error {
	b.scanned = true
	if len(dest) != len(b.types) {
		return warehouse.Errorf(warehouse.ErrInternal, "scan: %d columns into %d values", len(b.types), len(dest))
	}
	for i, t := range b.types {
		if err := b.value(t, dest[i]); err != nil {
			return warehouse.Wrap(err, warehouse.ErrInternal, "cannot decode warehouse result")
		}
	}
	return b.r.err
}

func (b *binRow) value(ct colType, d any) error {
	r := b.r
	t := ct.name
	switch ct.kind {
	case tString:
		s := r.str()
		if p, ok := d.(*string); ok {
			*p = s
		} else if d != nil {
			return mismatch(t, d)
		}
	case tFloat64:
		v := math.Float64frombits(binary.LittleEndian.Uint64(r.fixed(8)))
		switch p := d.(type) {
		case *float64:
			*p = v
		case **float64:
			*p = &v
		case nil:
		default:
			return mismatch(t, d)
		}
	case tNullableFloat64:
		isNull := r.fixed(1)[0] == 1
		var v *float64
		if !isNull {
			f := math.Float64frombits(binary.LittleEndian.Uint64(r.fixed(8)))
			v = &f
		}
		if p, ok := d.(**float64); ok {
			*p = v
		} else if d != nil {
			return mismatch(t, d)
		}
	case tUInt:
		raw := r.fixed(ct.size)
		var v uint64
		for i := ct.size - 1; i >= 0; i-- {
			v = v<<8 | uint64(raw[i])
		}
		if p, ok := d.(*uint64); ok {
			*p = v
		} else if d != nil {
			return mismatch(t, d)
		}
	case tInt64:
		v := int64(binary.LittleEndian.Uint64(r.fixed(8)))
		if p, ok := d.(*int64); ok {
			*p = v
		} else if d != nil {
			return mismatch(t, d)
		}
	case tArrayString:
		n := int(r.uvarint())
		if n > len(r.buf) {
			return errors.New("rowbinary: bad array length")
		}
		out := make([]string, n)
		for i := range out {
			out[i] = r.str()
		}
		if p, ok := d.(*[]string); ok {
			*p = out
		} else if d != nil {
			return mismatch(t, d)
		}
	}
	return nil
}

func mismatch(t string, d any) error {
	return fmt.Errorf("rowbinary: column of type %s scanned into %T", t, d)
}
