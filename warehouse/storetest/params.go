package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/cadrestat/cadrestat/warehouse/chsql"
)

// HostileValues are strings that would change a statement if an engine spliced them into
// SQL text, or that an engine's parameter encoding could mangle: quotes and backslashes
// (alone, escaped and as an escape before a quote), NUL, tab, newline and carriage return,
// ClickHouse's \N null marker, text shaped like a {name:Type} placeholder (of a parameter
// that exists and of one that does not), invalid UTF-8, non-Latin text and a long value
// (32 kB: inlined four times with its quotes escaped, as the filters test does on a server
// without parameters, it stays under the default max_query_size of 256 KiB).
func HostileValues() []string {
	return []string{
		"", "'", `\`, `\'`, `''`, `"`, "`", "'; DROP TABLE observations; --", `x' OR 1=1 --`,
		"a\x00b", "\x00", "tab\there", "new\nline", "carriage\rreturn", `\N`, `\\N`, `\0`, `\n`,
		"{v:String}", "{x:String}", "{x:String}'", "{v:Array(String)}", "$1 ? :name @p",
		"\xff\xfe not UTF-8", "Cần Thơ – Hậu Giang · 中文 · 🙂", "\u202e\u200b",
		strings.Repeat(`'\"{v:String}`+"\x00\t\n", 32<<10/16),
	}
}

// Params proves that parameter values reach the engine as data, never as SQL: every
// hostile value round-trips unchanged through a String parameter, an Array(String)
// parameter, a row written with parameters (RecordRejection) and the filters of a real read.
// Engines call it beside Run.
func Params(t *testing.T, newStore Factory) {
	ctx := context.Background()
	t.Run("HostileStringsRoundTrip", func(t *testing.T) {
		_, core := newStore(t)
		for _, v := range HostileValues() {
			var got string
			var n uint64
			err := core.Ex.Select(ctx, chsql.Query{SQL: "SELECT {v:String}, length({v:String})", Params: []chsql.Param{{Name: "v", Value: v}}},
				func(r chsql.Row) error { return r.Scan(&got, &n) })
			if err != nil {
				t.Fatalf("%.40q: %.300v", v, err)
			}
			if got != v || n != uint64(len(v)) {
				t.Fatalf("sent %.40q (%d bytes), got %.40q (%d bytes by the engine's count)", v, len(v), got, n)
			}
		}
	})
	t.Run("HostileArrayRoundTrips", func(t *testing.T) {
		_, core := newStore(t)
		vs := HostileValues()
		var got []string
		var hit uint64
		err := core.Ex.Select(ctx, chsql.Query{
			SQL:    "SELECT {a:Array(String)}, toUInt64({p:String} IN {a:Array(String)})",
			Params: []chsql.Param{{Name: "a", Value: vs}, {Name: "p", Value: vs[7]}},
		}, func(r chsql.Row) error { return r.Scan(&got, &hit) })
		if err != nil {
			t.Fatalf("%.300v", err)
		}
		if !slices.Equal(got, vs) || hit != 1 {
			t.Fatalf("array round trip: %d of %d values back, IN = %d", len(got), len(vs), hit)
		}
	})
	t.Run("HostileValuesStoredAsData", func(t *testing.T) {
		_, core := newStore(t)
		vs := HostileValues()
		for i, v := range vs {
			if err := core.RecordRejection(ctx, v, i, v+"|"+v); err != nil {
				t.Fatalf("%.40q: %.300v", v, err)
			}
		}
		for i, v := range vs {
			var file, first string
			var problems uint64
			err := core.Ex.Select(ctx, chsql.Query{
				SQL:    "SELECT file, problems, first_problem FROM " + core.DB + ".rejections WHERE file = {f:String} AND problems = {n:UInt64}",
				Params: []chsql.Param{{Name: "f", Value: v}, {Name: "n", Value: uint64(i)}},
			}, func(r chsql.Row) error { return r.Scan(&file, &problems, &first) })
			if err != nil {
				t.Fatalf("%.40q: %.300v", v, err)
			}
			if file != v || first != v+"|"+v || problems != uint64(i) {
				t.Fatalf("stored %.40q, read back %.40q / %.40q (%d)", v, file, first, problems)
			}
		}
		var n uint64
		if err := core.Ex.Select(ctx, chsql.Query{SQL: "SELECT count() FROM " + core.DB + ".rejections"}, func(r chsql.Row) error { return r.Scan(&n) }); err != nil || n != uint64(len(vs)) {
			t.Fatalf("rejections: %d rows, %v; want %d", n, err, len(vs))
		}
	})
	t.Run("HostileFiltersMatchNothingElse", func(t *testing.T) {
		s, _ := newStore(t)
		if _, err := s.Load(ctx, Fixture()); err != nil {
			t.Fatalf("load: %v", err)
		}
		vs := HostileValues()
		obs, err := s.Observations(ctx, warehouse.ObservationFilter{
			MetricIDs: append([]string{"female_share"}, vs...), SubjectIDs: append(slices.Clone(vs), "VN63-93"),
			SourceIDs: append([]string{"src-a"}, vs...), AfterID: vs[7],
		})
		if err != nil {
			t.Fatalf("%.300v", err)
		}
		if len(obs) != 1 || obs[0].SubjectID != "VN63-93" {
			t.Fatalf("got %d observations, want the one of VN63-93", len(obs))
		}
		for _, v := range vs {
			if n, err := s.CountObservations(ctx, warehouse.ObservationFilter{SubjectIDs: []string{v}, AfterID: v}); err != nil || n != 0 {
				t.Fatalf("%.40q: %d rows, %.300v", v, n, err)
			}
		}
	})
}
