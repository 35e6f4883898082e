package graph

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

func cost(t *testing.T, query string, vars map[string]any) int {
	t.Helper()
	doc, errs := gqlparser.LoadQueryWithRules(Schema(), query, nil)
	if errs != nil {
		t.Fatalf("%s: %v", query, errs)
	}
	return OperationCost(doc.Operations[0], vars)
}

// The cost of each shape, worked out by hand from the weights in complexity.go.
func TestOperationCost(t *testing.T) {
	ms := make([]any, 20)
	ys := make([]any, 20)
	for i := range ms {
		ms[i], ys[i] = "m", int64(2011+i)
	}
	vars := map[string]any{"ms": ms, "ys": ys}
	for _, tc := range []struct {
		name, query string
		want        int
	}{
		// No objects, no queries.
		{"Scalars", `{ dataVersion preferenceRule }`, 0},
		// 64 provinces, each an object with its 6 predecessors.
		{"Provinces", `{ provinces { id name predecessors { id } } }`, 64 * (1 + 6)},
		// A comparison: one query, the object, 64 rows each with its province.
		{"Compare", `{ compare(metric: "m", year: 2020) { year rows { rank display province { name } } } }`, 2000 + 1 + 64*(1+1)},
		// The table: one query; 64 rows of a province and 400 cells with a rank range each;
		// 400 columns of a metric, a national benchmark with its figure, a target.
		{"Table20x20", `query($ms: [ID!]!, $ys: [Int!]!) { table(metrics: $ms, years: $ys) { csvUrl
			columns { metric { id } year rankOf national { figure { display } } target { label } projected }
			rows { province { name } cells { display value rank rankRange { best worst } } } } }`,
			2000 + 1 + 400*(1+1+1+1+1) + 64*(1+1+400*(1+1))},
		// A page of 50 (the default): the page and its count are two queries; each edge an
		// object and its node a warehouse row with a long quote.
		{"Page", `{ observations { totalCount edges { cursor node { id quote } } } }`, 2*2000 + 1 + 50*(1+4+1)},
		// Without totalCount, one query.
		{"PageNoCount", `{ observations(first: 500) { edges { node { id } } } }`, 2000 + 1 + 500*(1+4)},
		// A full page of 500 (server's TestCostMeasuresWork): the page, its count and one query
		// per list of warehouse rows; per edge the edge, its node (a warehouse row) with five
		// objects, four long texts and 15 warehouse rows.
		{"FullPage", `{ observations(first: 500) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node {
			id subjectKind subjectId province { id name } metric { id nameEn unit }
			period { kind start end label } value numerator denominator qualifier status
			source { id title issuer date url } quote note revision citation
			alternatives { id value status } corroborating { id } revisions { id revision value } } } } }`,
			5*2000 + 1 + 1 + 500*(1+4+4+4+15*4)},
		// Alternatives: one batched query per level, five warehouse rows per node per level.
		{"Alternatives", `{ observations(first: 10) { edges { node { alternatives { alternatives { id } } } } } }`,
			3*2000 + 1 + 10*(1+4+5*(4+5*4))},
		// Series of 3 units over 6 years: one query, 3 series of 6 points.
		{"Series", `{ series(metric: "m", provinces: ["a", "b", "c"], from: 2016, to: 2021) { points { year value } } }`, 2000 + 3*(1+6*1)},
		// A fragment counts where it is spread.
		{"Fragment", `{ a: provinces { ...P } b: provinces { ...P } } fragment P on Province { successors { id } }`, 2 * 64 * (1 + 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := cost(t, tc.query, vars); got != tc.want {
				t.Fatalf("cost %d, want %d", got, tc.want)
			}
		})
	}
}

// Every list of objects in the schema has a bound: from the catalogue (listLengths) or from
// its root's arguments (listSized). A new list field without one would count as a single
// object, so this test makes its author choose.
func TestEveryListHasABound(t *testing.T) {
	s := Schema()
	for _, def := range s.Types {
		if def.Kind != ast.Object || strings.HasPrefix(def.Name, "__") {
			continue
		}
		for _, f := range def.Fields {
			if f.Type.Elem == nil || strings.HasPrefix(f.Name, "__") || s.Types[f.Type.Name()].IsLeafType() {
				continue
			}
			key := def.Name + "." + f.Name
			if listLengths[key] == 0 && !listSized[key] {
				t.Errorf("%s is a list with no bound in complexity.go", key)
			}
		}
	}
}
