package chsql

import (
	"encoding/binary"
	"strings"

	"github.com/cadrestat/cadrestat/warehouse"
)

// A column is described once, with the Go field it holds: its name and ClickHouse type make
// the DDL and the structure of a load's files; the field gives the value a load writes
// (RowBinary for the embedded engine, boxed for the server engine's Insert), the target a
// read scans into, and the row's content hash. Adding a column to a table is one line in
// tables.go (plus its migration, which TestMigrationsBuildTheDescribedSchema checks).

// kind is a column's ClickHouse type together with the Go type of its field.
type kind uint8

const (
	kString  kind = iota // String over a string
	kFloat               // Nullable(Float64) over *float64
	kStrings             // Array(String) over []string
	kUInt16              // UInt16 over int (years)
	kBool                // UInt8 over bool
	kInt64               // Int64 over int
)

var chType = [...]string{kString: "String", kFloat: "Nullable(Float64)", kStrings: "Array(String)", kUInt16: "UInt16", kBool: "UInt8", kInt64: "Int64"}

// column is one content column of table rows of type T. Exactly one accessor is set, the
// one of its kind; it returns a pointer to the row's field, for writing and for scanning.
type column[T any] struct {
	name string
	kind kind
	str  func(*T) *string
	num  func(*T) **float64
	strs func(*T) *[]string
	int  func(*T) *int
	flag func(*T) *bool

	// since is the migration that added the column (0: the table was created with it). A
	// later column is hashed only when it, or another column of its migration, is set: a
	// row written before the column existed keeps its stored hash, so reloading the files
	// an older folder was loaded from changes nothing.
	since int
	// unhashed leaves the column out of the content hash (an identity, not content).
	unhashed bool
	// hashWith, when set, replaces the kind's way of hashing the field: the text to hash
	// (history: see sources).
	hashWith func(*T) string
	// writeOnly columns are written but never read back (lineage's id repeats from_id).
	writeOnly bool
}

func text[T any](name string, f func(*T) *string) column[T] {
	return column[T]{name: name, kind: kString, str: f}
}

func number[T any](name string, f func(*T) **float64) column[T] {
	return column[T]{name: name, kind: kFloat, num: f}
}

func texts[T any](name string, f func(*T) *[]string) column[T] {
	return column[T]{name: name, kind: kStrings, strs: f}
}

func year[T any](name string, f func(*T) *int) column[T] {
	return column[T]{name: name, kind: kUInt16, int: f}
}

func boolean[T any](name string, f func(*T) *bool) column[T] {
	return column[T]{name: name, kind: kBool, flag: f}
}

func integer[T any](name string, f func(*T) *int) column[T] {
	return column[T]{name: name, kind: kInt64, int: f}
}

func (c column[T]) addedIn(migration int) column[T] { c.since = migration; return c }
func (c column[T]) notHashed() column[T]            { c.unhashed = true; return c }
func (c column[T]) notRead() column[T]              { c.writeOnly = true; return c }
func (c column[T]) hashedAs(f func(*T) string) column[T] {
	c.hashWith = f
	return c
}

// ddl is the column as CREATE TABLE and file() write it: "name Type".
func (c *column[T]) ddl() string { return c.name + " " + chType[c.kind] }

// read is the column as a SELECT lists it. Integers are cast to 64 bits: the server
// engine's driver scans a column only into its exact Go type and the embedded engine's
// decoder unsigned integers only into uint64, so one cast reads the same on both.
func (c *column[T]) read() string {
	switch c.kind {
	case kUInt16, kBool:
		return "toUInt64(" + c.name + ")"
	case kInt64:
		return "toInt64(" + c.name + ")"
	}
	return c.name
}

// box returns the field as the Go value the server engine's Insert sends for the type.
func (c *column[T]) box(r *T) any {
	switch c.kind {
	case kString:
		return *c.str(r)
	case kFloat:
		return *c.num(r)
	case kStrings:
		if v := *c.strs(r); v != nil {
			return v
		}
		return []string{} // the driver refuses a nil slice for an array
	case kUInt16:
		return uint16(*c.int(r))
	case kBool:
		return b2u(*c.flag(r))
	default: // kInt64
		return int64(*c.int(r))
	}
}

// isSet reports whether the field holds anything but its zero value.
func (c *column[T]) isSet(r *T) bool {
	switch c.kind {
	case kString:
		return *c.str(r) != ""
	case kFloat:
		return *c.num(r) != nil
	case kStrings:
		return len(*c.strs(r)) > 0
	case kUInt16, kInt64:
		return *c.int(r) != 0
	default: // kBool
		return *c.flag(r)
	}
}

// target returns where a scan of the column (as read lists it) puts its value in row, and,
// for a cast integer, the conversion into the field to run after the scan.
func (c *column[T]) target(row *T) (dest any, after func()) {
	switch c.kind {
	case kString:
		return c.str(row), nil
	case kFloat:
		return c.num(row), nil
	case kStrings:
		return c.strs(row), nil
	case kUInt16:
		u, f := new(uint64), c.int(row)
		return u, func() { *f = int(*u) }
	case kBool:
		u, f := new(uint64), c.flag(row)
		return u, func() { *f = *u == 1 }
	default: // kInt64
		v, f := new(int64), c.int(row)
		return v, func() { *f = int(*v) }
	}
}

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// put encodes the field as RowBinary (rowbinary.go) and, when h is set, adds it to a
// content hash: one read of the field for both (two cost a load ~35 % more Go time per
// row). Numbers, flags and years are hashed in float64's shortest 'g' form and arrays
// joined by commas, as the first version hashed them.
func (c *column[T]) put(b []byte, h *warehouse.Hasher, r *T) []byte {
	if h != nil && c.hashWith != nil {
		h.String(c.hashWith(r))
		h = nil
	}
	switch c.kind {
	case kString:
		v := *c.str(r)
		if h != nil {
			h.String(v)
		}
		return appendString(b, v)
	case kFloat:
		v := *c.num(r)
		if h != nil {
			h.Number(v)
		}
		return appendNullableFloat(b, v)
	case kStrings:
		v := *c.strs(r)
		if h != nil {
			h.String(strings.Join(v, ","))
		}
		return appendStrings(b, v)
	case kUInt16:
		v := *c.int(r)
		if h != nil {
			h.Int(v)
		}
		return binary.LittleEndian.AppendUint16(b, uint16(v))
	case kBool:
		v := b2u(*c.flag(r))
		if h != nil {
			h.Int(int(v))
		}
		return append(b, v)
	default:
		v := *c.int(r)
		if h != nil {
			h.Int(v)
		}
		return binary.LittleEndian.AppendUint64(b, uint64(int64(v)))
	}
}
