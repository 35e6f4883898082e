package data_test

import (
	"os"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/data"
)

// docs/coverage.md is current: its generated part is what the bundled data gives now.
func TestCoverageDocIsCurrent(t *testing.T) {
	doc, err := os.ReadFile("../docs/coverage.md")
	if err != nil {
		t.Fatal(err)
	}
	got, ok := data.GeneratedCoverage(string(doc))
	if !ok {
		t.Fatal("docs/coverage.md has no generated part; run go run ./data/gencoverage")
	}
	want, err := data.Coverage()
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("docs/coverage.md is out of date with the bundled data; run go run ./data/gencoverage from the repository root")
	}
	if !strings.Contains(string(doc), "## Searches that found nothing") {
		t.Fatal("docs/coverage.md lost its hand-written section on searches that found nothing")
	}
}

func TestReplaceCoverageKeepsHandWrittenText(t *testing.T) {
	doc := "# T\n\nintro\n\n" + data.CoverageBegin + "\nold\n" + data.CoverageEnd + "\n\n## Searches that found nothing\n\n- x\n"
	got := data.ReplaceCoverage(doc, "new\n")
	if g, _ := data.GeneratedCoverage(got); g != "new\n" || !strings.HasPrefix(got, "# T\n\nintro\n\n") || !strings.HasSuffix(got, "## Searches that found nothing\n\n- x\n") {
		t.Fatalf("%q", got)
	}
	if g, ok := data.GeneratedCoverage(data.ReplaceCoverage("# new file\n", "x\n")); !ok || g != "x\n" {
		t.Fatal("markers appended to a document without them")
	}
}
