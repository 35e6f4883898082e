package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/cadrestat/cadrestat/internal/testenv"
)

// TestIngestReportListsEveryProblem: --report prints every problem of every file at once as
// JSON, loads nothing and exits 1.
func TestIngestReportListsEveryProblem(t *testing.T) {
	testenv.Engine(t)
	bin := buildBinary(t)
	dir := t.TempDir()
	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, []byte("subject,metric,period,value,numerator,denominator,qualifier,status,source,quote,note\n"+
		"VN63-99,staff_cut,2020,1,,,,PUBLISHED,seed-000,q,\n"+
		"VN63-92,staff_cut,2020,-4,,,,PUBLISHED,seed-000,q,\n"+
		"VN63-92,female_provincial_committee_share,1800,20,,,,PUBLISHED,seed-000,q,\n"), 0o644)
	// The catalogue the rows refer to comes with the bundled files in the same load.
	c := exec.Command(bin, "ingest", "-data", dir, "--report", "../../data", bad)
	var out bytes.Buffer
	c.Stdout = &out
	err := c.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v", err)
	}
	var rep struct {
		Problems []struct {
			File   string
			Line   int
			Field  string
			Reason string
		}
		Rows int
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, out.String())
	}
	if len(rep.Problems) != 3 || rep.Rows != 0 {
		t.Fatalf("report: %+v", rep)
	}
	want := []struct {
		line  int
		field string
	}{{2, "subject"}, {3, "value"}, {4, "period"}}
	for i, w := range want {
		if p := rep.Problems[i]; p.File != bad || p.Line != w.line || p.Field != w.field || p.Reason == "" {
			t.Errorf("problem %d = %+v, want line %d field %s", i, p, w.line, w.field)
		}
	}
	// Nothing was loaded: the folder's warehouse is still empty.
	out.Reset()
	c = exec.Command(bin, "ingest", "-data", dir, "--report", "../../data")
	c.Stdout = &out
	if err := c.Run(); err != nil {
		t.Fatalf("loading the bundle alone: %v %s", err, out.String())
	}
	var ok struct{ DataVersion uint64 }
	json.Unmarshal(out.Bytes(), &ok)
	if ok.DataVersion != 1 {
		t.Fatalf("data version after the first good load = %d; the refused load must not count", ok.DataVersion)
	}
}
