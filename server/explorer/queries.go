package explorer

import _ "embed"

// CompareQuery is the explorer's comparison query (compare.graphql), warmed into the
// response cache after each load.
//
//go:embed compare.graphql
var CompareQuery string

var (
	//go:embed catalog.graphql
	catalogQuery string
	//go:embed coverage.graphql
	coverageQuery string
	//go:embed series.graphql
	seriesQuery string
	//go:embed search.graphql
	searchQuery string
)

// Queries are every document the explorer sends. The page imports the same files as text
// (Vite ?raw), so a server in trusted-documents mode trusts exactly what the page runs.
func Queries() []string {
	return []string{CompareQuery, catalogQuery, coverageQuery, seriesQuery, searchQuery}
}
