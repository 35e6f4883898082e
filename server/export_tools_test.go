package server_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The tools an analyst opens exports with: Debian's pandas and LibreOffice Calc, installed
// by scripts/ensure-sheet-tools.sh (make test runs it). Without them these tests fail and
// say how to install them, as the engine tests do without the engine library.
func needTool(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("this test needs %s (%v: %s); run scripts/ensure-sheet-tools.sh (Debian's python3-pandas, python3-openpyxl, libreoffice-calc-nogui)", name, err, out)
	}
}

func download(t *testing.T, dir, name string, body []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, body, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// pandas reads the CSV and the XLSX to the same numbers: value is a float column, a bound
// is NaN in value with its end in upper, and the README sheet names the data version.
// (Debian has no pyarrow, so pandas cannot read Parquet here; TestExportsAgreeAcrossFormats
// reads it with parquet-go.)
func TestExportsInPandas(t *testing.T) {
	needTool(t, "/usr/bin/python3", "-c", "import pandas, openpyxl")
	ts := newFiguresServer(t)
	dir := t.TempDir()
	const q = "?metric=female_provincial_committee_share&year=2020"
	csvBody, h := getBody(t, ts, "/export/compare.csv"+q)
	xlsxBody, _ := getBody(t, ts, "/export/compare.xlsx"+q)
	csvPath, xlsxPath := download(t, dir, "c.csv", csvBody), download(t, dir, "c.xlsx", xlsxBody)
	const script = `
import json, sys, pandas as pd
out = {}
for name, df in (("csv", pd.read_csv(sys.argv[1], encoding="utf-8-sig", dtype={"data_version": str})),
                 ("xlsx", pd.read_excel(sys.argv[2], sheet_name="data", dtype={"data_version": str}))):
    units = df[df.row_kind == "unit"].set_index("province_id")
    out[name] = {
        "dtypes": {c: str(df[c].dtype) for c in ("value", "lower", "upper", "rank_of", "year")},
        "value_08": units.loc["VN63-08", "value"],
        "value_92_isnull": bool(pd.isna(units.loc["VN63-92", "value"])),
        "upper_92": units.loc["VN63-92", "upper"],
        "sum": float(units.value.sum()),
        "kinds": sorted(set(df.row_kind)),
        "version": sorted(set(df.data_version)),
    }
readme = pd.read_excel(sys.argv[2], sheet_name="README", dtype=str).set_index("item")
out["readme_version"] = readme.loc["data_version", "text"]
print(json.dumps(out))
`
	cmd := exec.Command("/usr/bin/python3", "-c", script, csvPath, xlsxPath)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pandas: %v %s", err, out)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	version := h.Get("X-Data-Version")
	for _, format := range []string{"csv", "xlsx"} {
		var r struct {
			Dtypes        map[string]string
			Value08       float64 `json:"value_08"`
			Value92IsNull bool    `json:"value_92_isnull"`
			Upper92       float64 `json:"upper_92"`
			Sum           float64
			Kinds         []string
			Version       []string
		}
		json.Unmarshal(got[format], &r)
		for _, c := range []string{"value", "lower", "upper"} {
			if r.Dtypes[c] != "float64" {
				t.Errorf("%s: %s is %s", format, c, r.Dtypes[c])
			}
		}
		// rank_of is empty on the national and benchmark rows, so pandas reads it as float.
		if r.Dtypes["year"] != "int64" {
			t.Errorf("%s: dtypes %v", format, r.Dtypes)
		}
		// The units' values: 29.2 (Tuyên Quang) only; the four "<10" are bounds, not 10s.
		if r.Value08 != 29.2 || !r.Value92IsNull || r.Upper92 != 10 || r.Sum != 29.2 {
			t.Errorf("%s: %s", format, got[format])
		}
		if strings.Join(r.Kinds, ",") != "benchmark,national,unit" || len(r.Version) != 1 || r.Version[0] != version {
			t.Errorf("%s: kinds %v, versions %v (want %s)", format, r.Kinds, r.Version, version)
		}
	}
	if string(got["readme_version"]) != `"`+version+`"` {
		t.Errorf("README sheet version %s, want %s", got["readme_version"], version)
	}
}

// viProfile is a LibreOffice user profile whose locale is Vietnamese (comma decimals), as
// an analyst in Hà Nội has it.
func viProfile(t *testing.T) string {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "user"), 0o755)
	xcu := `<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>vi-VN</value></prop></item>
</oor:items>`
	if err := os.WriteFile(filepath.Join(dir, "user", "registrymodifications.xcu"), []byte(xcu), 0o644); err != nil {
		t.Fatal(err)
	}
	return "file://" + dir
}

// toFODS converts a file with LibreOffice Calc (vi-VN profile) to flat ODS XML.
func toFODS(t *testing.T, profile, path, infilter string) string {
	t.Helper()
	outDir := t.TempDir()
	args := []string{"-env:UserInstallation=" + profile, "--headless"}
	if infilter != "" {
		args = append(args, "--infilter="+infilter)
	}
	cmd := exec.Command("soffice", append(args, "--convert-to", "fods", "--outdir", outDir, path)...)
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "HOME="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v %s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(outDir, strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))+".fods"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// In a Vietnamese LibreOffice the XLSX's figures are numbers (29.2 is 29,2, which SUM
// takes), text that looks like a formula stays text, and the CSV is read right when its
// import language is English (the README's recipe); left to the vi-VN default, the CSV's
// 29.2 becomes text, which is why the README points spreadsheet users at the XLSX.
func TestExportsInVietnameseLibreOffice(t *testing.T) {
	needTool(t, "soffice", "--version")
	ts, svc := newServer(t)
	if rep, err := svc.Load(context.Background(), injectionFiles()); err != nil || !rep.OK() {
		t.Fatalf("load: %v %+v", err, rep)
	}
	figs := newFiguresServer(t)
	dir, profile := t.TempDir(), viProfile(t)
	const q = "?metric=female_provincial_committee_share&year=2020"
	xb, _ := getBody(t, figs, "/export/compare.xlsx"+q)
	cb, _ := getBody(t, figs, "/export/compare.csv"+q)
	float := regexp.MustCompile(`office:value-type="float" office:value="29.2"`)
	text := regexp.MustCompile(`office:value-type="string"[^>]*>\s*<text:p>29[.,]2</text:p>`)

	x := toFODS(t, profile, download(t, dir, "compare.xlsx", xb), "")
	if !float.MatchString(x) || strings.Contains(x, "table:formula=") {
		t.Errorf("xlsx in vi-VN: 29.2 is not a number cell, or a formula appeared")
	}
	if c := toFODS(t, profile, download(t, dir, "compare-en.csv", cb), "CSV:44,34,76,1,,1033"); !float.MatchString(c) {
		t.Errorf("csv imported as English in vi-VN: 29.2 is not a number cell")
	}
	if c := toFODS(t, profile, download(t, dir, "compare-vi.csv", cb), "CSV:44,34,76,1"); !text.MatchString(c) {
		t.Errorf("csv imported as Vietnamese: expected LibreOffice to read 29.2 as text (the documented pitfall); has it changed?")
	}

	ib, _ := getBody(t, ts, "/export/compare.xlsx?metric=inj_count&year=2020&provinces=VN63-97,VN63-98,VN63-99,VN63-03")
	inj := toFODS(t, profile, download(t, dir, "inj.xlsx", ib), "")
	if strings.Contains(inj, "table:formula=") || !strings.Contains(inj, "<text:p>=HYPERLINK(") || !strings.Contains(inj, "<text:p>@SUM(1+1)</text:p>") {
		t.Errorf("formula-like text must stay text in LibreOffice")
	}
}
