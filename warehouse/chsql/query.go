package chsql

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Query is one SQL statement with ClickHouse server-side parameters: the SQL refers to
// them as {name:Type} and values travel separately, so no user text is ever spliced into SQL.
type Query struct {
	SQL    string
	Params []Param
	// Settings are engine settings for this query alone (names and values written by this
	// program, never by a user), e.g. optimize_aggregation_in_order for CellsSQL. An engine
	// that cannot pass them (a server older than 23) runs the query without them.
	Settings map[string]string
}

// Param is one named parameter value: string, int, int64, uint64, float64 or []string.
type Param struct {
	Name  string
	Value any
}

// Row is one result row; Scan accepts *string, *float64, **float64, *uint64, *int64 and *[]string.
type Row interface {
	Scan(dest ...any) error
}

// Executor is what an engine provides: run a statement, stream the rows of a SELECT, and
// insert rows into a table. Everything else (SQL, versioning, analytics) is shared in Core.
type Executor interface {
	Exec(ctx context.Context, q Query) error
	Select(ctx context.Context, q Query, each func(Row) error) error
	Insert(ctx context.Context, table string, columns []string, rows [][]any) error
	Ping(ctx context.Context) error
	Close() error
}

// ParamText renders a parameter value in ClickHouse's text format for its type, which is
// how server-side parameters are transmitted (the server parses it as the declared type).
func ParamText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case []string:
		parts := make([]string, len(x))
		for i, s := range x {
			parts[i] = QuoteString(s)
		}
		return "[" + strings.Join(parts, ",") + "]"
	default:
		panic(fmt.Sprintf("warehouse: unsupported parameter type %T", v))
	}
}

// QuoteString returns s as a ClickHouse string literal with quotes and backslashes escaped.
func QuoteString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '\'':
			b.WriteByte('\\')
			b.WriteByte(c)
		case 0:
			b.WriteString(`\0`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

var placeholder = regexp.MustCompile(`\{([a-z_][a-z0-9_]*):([A-Za-z0-9(), ]+)\}`)

// Inline replaces every {name:Type} placeholder with a typed literal. It exists for servers
// too old for server-side parameters (ClickHouse < 19.15, e.g. Debian's 18.16); values are
// escaped and cast, never spliced raw.
func Inline(q Query) (string, error) {
	vals := make(map[string]any, len(q.Params))
	for _, p := range q.Params {
		vals[p.Name] = p.Value
	}
	var b strings.Builder
	last := 0
	for _, loc := range placeholder.FindAllStringSubmatchIndex(q.SQL, -1) {
		before := q.SQL[last:loc[0]]
		b.WriteString(before)
		last = loc[1]
		name, typ := q.SQL[loc[2]:loc[3]], q.SQL[loc[4]:loc[5]]
		v, ok := vals[name]
		if !ok {
			return "", fmt.Errorf("warehouse: no value for parameter %s", name)
		}
		switch x := v.(type) {
		case []string:
			s := ParamText(x)
			if len(x) > 0 && strings.HasSuffix(strings.TrimRight(q.SQL[:loc[0]], " "), " IN") {
				// After IN, a tuple: old servers only accept tuples there, modern ones both.
				s = "(" + s[1:len(s)-1] + ")"
			}
			b.WriteString(s)
		case string:
			fmt.Fprintf(&b, "CAST(%s AS %s)", QuoteString(x), typ)
		default:
			fmt.Fprintf(&b, "CAST(%s AS %s)", QuoteString(ParamText(x)), typ)
		}
	}
	b.WriteString(q.SQL[last:])
	return b.String(), nil
}

// SettingsClause renders extra settings (e.g. max_execution_time) as a SETTINGS clause.
func SettingsClause(extra map[string]string) string {
	if len(extra) == 0 {
		return ""
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + extra[k]
	}
	return " SETTINGS " + strings.Join(parts, ", ")
}

var identRE = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// ValidIdent reports whether s may be used as a database name: identifiers are never
// parameters in ClickHouse, so they are checked against this allow-list pattern.
func ValidIdent(s string) bool { return identRE.MatchString(s) }

// MaxQueryMemory bounds the engine memory of one statement, in bytes (ClickHouse's
// max_memory_usage; 0 leaves the engine's own default). Both engines send it with every
// statement, so a query that would need more fails (UNAVAILABLE, "narrow it down") instead
// of growing the process; sorts spill to disk past half of it. `serve -query-memory` sets it.
var MaxQueryMemory int64 = 1 << 30

// MemorySettings are the per-statement memory settings for MaxQueryMemory (nil when 0).
func MemorySettings() map[string]int64 {
	if MaxQueryMemory <= 0 {
		return nil
	}
	return map[string]int64{"max_memory_usage": MaxQueryMemory, "max_bytes_before_external_sort": MaxQueryMemory / 2}
}
