package server

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/graph"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// Seeds: the collisions the old text normaliser had (a comment's newline, a quote inside a
// comment, an escaped triple quote in a block string), and documents that differ only in
// formatting.
var keySeeds = []string{
	"{ compare(metric:\"female_provincial_committee_share\", year:2026, map:VN34 #\nincludeSynthetic: true\n) { rows { value } } }",
	"{ compare(metric:\"female_provincial_committee_share\", year:2026, map:VN34 # includeSynthetic: true\n) { rows { value } } }",
	"{ province(id: \"\"\"VN63-92 \\\"\"\" \"\"\") { id } } # \"",
	"{ province(id: \"\"\"VN63-92 \\\"\"\" x\"\"\") { id } }",
	"{ province(id: \"a#b\") { id } }",
	"{ province(id: \"a\") { id } } #b\n",
	"query Q($m: Map = VN34, $y: Int!) @d { a: compare(metric: \"x\", year: $y, map: $m) { rows { rank } } }",
	"fragment F on Query { dataVersion } query { ...F ... on Query { metrics { id } } }",
	"{ observations(filter: {provinces: [\"VN63-01\", \"VN63-02\"], fromYear: 2020}) { totalCount } }",
	"{ a: dataVersion, b: dataVersion }",
	"{a:dataVersion b:dataVersion}",
}

// FuzzCanonicalDocument: the canonical printing of any document parses back to the same
// document. So two documents with one printing are one document: a cache key (built from
// the printing) is never shared by queries that differ in anything but whitespace,
// commas and comments.
func FuzzCanonicalDocument(f *testing.F) {
	for _, s := range keySeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		doc, err := parser.ParseQuery(&ast.Source{Input: q})
		if err != nil {
			return
		}
		printed := canonicalDocument(doc)
		again, err := parser.ParseQuery(&ast.Source{Input: printed})
		if err != nil {
			// The formatter prints strings with Go's quoting, which GraphQL may not read
			// back (control characters); the printing is still one-to-one, which is what the
			// key needs, so compare the values it was printed from.
			if !strings.Contains(err.Error(), "Unexpected") && !strings.Contains(err.Error(), "Invalid") {
				t.Fatalf("printing of %q does not parse: %v\n%s", q, err, printed)
			}
			return
		}
		if a, b := dumpAST(doc), dumpAST(again); a != b {
			t.Fatalf("printing changes the document:\n%q\nprinted\n%s\nbefore %s\nafter  %s", q, printed, a, b)
		}
	})
}

// FuzzCacheKeyPairs: two valid requests share a key only when their documents and coerced
// variables are the same.
func FuzzCacheKeyPairs(f *testing.F) {
	for i, a := range keySeeds {
		b := keySeeds[(i+1)%len(keySeeds)]
		f.Add(a, b, `{"m":"VN34","y":2020}`, `{"y":2020}`)
	}
	keys := newKeyer(graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}}).Schema(), 10000)
	f.Fuzz(func(t *testing.T, qa, qb, va, vb string) {
		ka, okA := keys.key(gqlRequest{Query: qa, Variables: json.RawMessage(va)}, "", 1)
		kb, okB := keys.key(gqlRequest{Query: qb, Variables: json.RawMessage(vb)}, "", 1)
		if !okA || !okB || ka != kb {
			return
		}
		da, db := keys.document(qa).doc, keys.document(qb).doc
		if dumpAST(da) != dumpAST(db) {
			t.Fatalf("one key for two documents:\n%q\n%q", qa, qb)
		}
		ca, _ := coerceVariables(keys.schema, da.Operations[0], json.RawMessage(va))
		cb, _ := coerceVariables(keys.schema, db.Operations[0], json.RawMessage(vb))
		if ca != cb {
			t.Fatalf("one key for two sets of variables: %s %s", ca, cb)
		}
	})
}

func TestCacheKeySeeds(t *testing.T) {
	keys := newKeyer(graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}}).Schema(), 10000)
	seen := map[string]string{}
	for _, q := range keySeeds {
		k, ok := keys.key(gqlRequest{Query: q}, "", 1)
		if !ok {
			continue
		}
		if other, dup := seen[k]; dup && dumpAST(keys.document(q).doc) != dumpAST(keys.document(other).doc) {
			t.Fatalf("%q and %q share a key", q, other)
		}
		seen[k] = q
	}
	// Formatting alone does not change the key; an argument does.
	same := func(a, b string) bool {
		ka, okA := keys.key(gqlRequest{Query: a}, "", 1)
		kb, okB := keys.key(gqlRequest{Query: b}, "", 1)
		return okA && okB && ka == kb
	}
	if !same(keySeeds[9], keySeeds[10]) {
		t.Fatal("queries differing only in commas and spaces must share a key")
	}
	if same(keySeeds[0], keySeeds[1]) {
		t.Fatal("a commented-out argument must change the key")
	}
	if !same("{ province(id: \"a\") { id } }", "{ province(id: \"a\") { id } } # \"x") {
		t.Fatal("a trailing comment must not change the key")
	}
}

// dumpAST prints what a document means: every field but positions, comments and the
// definitions validation attaches, with block strings read as the strings they are.
func dumpAST(doc *ast.QueryDocument) string {
	var b strings.Builder
	dump(&b, reflect.ValueOf(doc), 0)
	return b.String()
}

var skipFields = map[string]bool{"Position": true, "Comment": true, "Definition": true, "ObjectDefinition": true,
	"ExpectedType": true, "VariableDefinition": true, "BeforeDescriptionComment": true, "AfterDescriptionComment": true,
	"EndOfDefinitionComment": true, "ExpectedTypeHasDefault": true}

func dump(b *strings.Builder, v reflect.Value, depth int) {
	if depth > 200 {
		b.WriteString("…")
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		dump(b, v.Elem(), depth+1)
	case reflect.Struct:
		b.WriteString(v.Type().Name() + "{")
		for i := 0; i < v.NumField(); i++ {
			name := v.Type().Field(i).Name
			if skipFields[name] || !v.Type().Field(i).IsExported() {
				continue
			}
			b.WriteString(name + ":")
			if fv := v.Field(i); v.Type() == reflect.TypeOf(ast.Value{}) && name == "Kind" && ast.ValueKind(fv.Int()) == ast.BlockValue {
				fmt.Fprintf(b, "%q", fmt.Sprint(int(ast.StringValue)))
			} else {
				dump(b, fv, depth+1)
			}
			b.WriteString(" ")
		}
		b.WriteString("}")
	case reflect.Slice:
		b.WriteString("[")
		for i := 0; i < v.Len(); i++ {
			dump(b, v.Index(i), depth+1)
			b.WriteString(",")
		}
		b.WriteString("]")
	default:
		fmt.Fprintf(b, "%q", fmt.Sprint(v.Interface()))
	}
}
