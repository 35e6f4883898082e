// Command gencoverage rewrites the generated part of docs/coverage.md from the bundled data
// (run from the repository root: go run ./data/gencoverage). The hand-written sections of
// the file, outside the markers, are kept.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/cadrestat/cadrestat/data"
)

func main() {
	path := flag.String("o", "docs/coverage.md", "the coverage document to update")
	flag.Parse()
	gen, err := data.Coverage()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gencoverage:", err)
		os.Exit(1)
	}
	old, err := os.ReadFile(*path)
	if err != nil && !os.IsNotExist(err) {
		fmt.Fprintln(os.Stderr, "gencoverage:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*path, []byte(data.ReplaceCoverage(string(old), gen)), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gencoverage:", err)
		os.Exit(1)
	}
}
