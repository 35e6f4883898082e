package chsql

import (
	"fmt"
	"strings"

	"github.com/cadrestat/cadrestat/warehouse"
)

// table describes one data table whose rows are values of T: its content columns (then the
// version columns every data table ends with, revision.go), and how a load takes its rows
// out of a batch.
type table[T any] struct {
	name string
	cols []column[T]
	// rows returns the batch's rows of this table; more, when set, the batch's stream of
	// further rows (observations: Batch.More), nil when it has none.
	rows func(*warehouse.Batch) []T
	more func(*warehouse.Batch) func(yield func([]T) error) error
	// prepare, when set, fills in derived fields of a row before it is written (an
	// observation's ID).
	prepare func(*T)
	// stamp, when set, says where a read puts the row's revision and load id (observations:
	// the API shows them); other tables read only their content.
	stamp func(*T) (revision *uint64, loadID *string)
	// narrow, when set, widens a file stage's scope to the rows of a part (see scope).
	narrow func(*scope, []T)

	later bool // some column was added by a migration after the table was created
}

// define checks a table's description once, at start. Columns added by migrations come
// last, in the order the migrations ran: the order ALTER … ADD COLUMN left them in.
func define[T any](t *table[T]) *table[T] {
	last := 0
	for i := range t.cols {
		c := &t.cols[i]
		if c.since < last || c.since > 63 {
			panic(fmt.Sprintf("chsql: %s.%s: added by migration %d, after a column of migration %d (or out of range)", t.name, c.name, c.since, last))
		}
		last = c.since
		t.later = t.later || c.since > 0
	}
	return t
}

func (t *table[T]) tableName() string { return t.name }

// columns are the names of the columns a load writes, in the order it writes them (by
// name: the table's own order may differ, see structure).
func (t *table[T]) columns() []string {
	out := make([]string, 0, len(t.cols)+len(versionColumns))
	for i := range t.cols {
		out = append(out, t.cols[i].name)
	}
	for _, v := range versionColumns {
		name, _, _ := strings.Cut(v, " ")
		out = append(out, name)
	}
	return out
}

// fileStructure is the written columns as "name Type, …", in columns' order: the structure
// file() reads a load's RowBinary files with.
func (t *table[T]) fileStructure() string {
	parts := make([]string, 0, len(t.cols)+len(versionColumns))
	for i := range t.cols {
		parts = append(parts, t.cols[i].ddl())
	}
	return strings.Join(append(parts, versionColumns...), ", ")
}

// structure is the table's current shape as "name Type, …", in the table's own order: the
// columns it was created with, then those later migrations appended (the contract suite
// checks a migrated database has exactly this).
func (t *table[T]) structure() string {
	var parts []string
	for i := range t.cols {
		if t.cols[i].since == 0 {
			parts = append(parts, t.cols[i].ddl())
		}
	}
	return strings.Join(append(parts, versionColumns...), ", ") + t.laterColumns(1<<30)
}

// laterColumns lists, as ", name Type…", the columns later migrations added, up to migration
// upTo (cluster.go).
func (t *table[T]) laterColumns(upTo int) string {
	var b strings.Builder
	for i := range t.cols {
		if t.cols[i].since > 0 && t.cols[i].since <= upTo {
			b.WriteString(", " + t.cols[i].ddl())
		}
	}
	return b.String()
}

// readList is what a read selects: the content columns read back, then revision and load id
// when the table stamps them.
func (t *table[T]) readList() string {
	var parts []string
	for i := range t.cols {
		if !t.cols[i].writeOnly {
			parts = append(parts, t.cols[i].read())
		}
	}
	if t.stamp != nil {
		parts = append(parts, "revision", "load_id")
	}
	return strings.Join(parts, ", ")
}

// encode appends the row's content columns as RowBinary and returns its content hash: the
// hashed columns in order (hasher encoding in warehouse/hash.go). The hash is stored with
// the row, so it must never change for a row whose content did not: see column.since.
func (t *table[T]) encode(b []byte, r *T) ([]byte, uint64) {
	var set uint64 // bit m: a column added by migration m is set in r
	if t.later {
		for i := range t.cols {
			if c := &t.cols[i]; c.since > 0 && c.isSet(r) {
				set |= 1 << c.since
			}
		}
	}
	h := warehouse.NewHasher()
	for i := range t.cols {
		c := &t.cols[i]
		if c.unhashed || (c.since > 0 && set&(1<<c.since) == 0) {
			b = c.put(b, nil, r)
		} else {
			b = c.put(b, &h, r)
		}
	}
	return b, h.Sum64()
}

// hash is the row's content hash (encode's, the encoding thrown away).
func (t *table[T]) hash(r *T) uint64 {
	var buf [512]byte
	_, h := t.encode(buf[:0], r)
	return h
}

// appendRow encodes a row of every written column as RowBinary, without boxing a value in an
// interface (which allocated ~10 times an observation).
func (t *table[T]) appendRow(b []byte, r *T, loadID string, rev uint64) []byte {
	if t.prepare != nil {
		t.prepare(r)
	}
	b, h := t.encode(b, r)
	b = binary64(b, h)
	b = appendString(b, loadID)
	return binary64(b, rev)
}

// box returns a row of every written column as the server engine's Insert takes it.
func (t *table[T]) box(r *T, loadID string, rev uint64) []any {
	if t.prepare != nil {
		t.prepare(r)
	}
	out := make([]any, 0, len(t.cols)+len(versionColumns))
	for i := range t.cols {
		out = append(out, t.cols[i].box(r))
	}
	return append(out, t.hash(r), loadID, rev)
}

// scanner reads rows of the table's readList into values of T.
type scanner[T any] struct {
	row   T
	dest  []any
	after []func()
}

func (t *table[T]) scanner() *scanner[T] {
	s := &scanner[T]{}
	for i := range t.cols {
		if c := &t.cols[i]; !c.writeOnly {
			d, after := c.target(&s.row)
			s.dest = append(s.dest, d)
			if after != nil {
				s.after = append(s.after, after)
			}
		}
	}
	if t.stamp != nil {
		rev, load := t.stamp(&s.row)
		s.dest = append(s.dest, rev, load)
	}
	return s
}

// scan reads one row. The row is cleared first: a driver may leave a NULL's target as it was.
func (s *scanner[T]) scan(r Row) (T, error) { return s.scanAfter(r) }

// scanAfter reads one row whose first columns go to first and the rest as scan reads them.
func (s *scanner[T]) scanAfter(r Row, first ...any) (T, error) {
	var zero T
	s.row = zero
	dest := s.dest
	if len(first) > 0 {
		dest = append(first, s.dest...)
	}
	err := r.Scan(dest...)
	for _, f := range s.after {
		f()
	}
	return s.row, err
}
