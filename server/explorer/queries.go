package explorer

import _ "embed"

// CompareQuery is the explorer's comparison query (compare.graphql), warmed into the
// response cache after each load.
//
//go:embed compare.graphql
var CompareQuery string
