package ingest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// passwd is a file the server can read and must never repeat: an account database.
const passwd = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n" +
	"secretuser:$6$salt$c2VjcmV0aGFzaA:19000:0:99999:7:::\n"

// TestNoFileContentInProblems: a file that is not data (an account database, named .csv,
// .json or anything, as a path or as contents, with or without a comma) is refused with
// problems that name what is wrong but hold none of its bytes: problems are answered to
// the client, logged and stored in the rejections table.
func TestNoFileContentInProblems(t *testing.T) {
	dir := t.TempDir()
	variants := map[string]string{
		"passwd":      passwd,
		"commas":      strings.ReplaceAll(passwd, ":", ","),
		"braces":      "{" + passwd,
		"jsonKey":     `{"root:x:0:0:root": []}`,
		"quoted":      `"root:x:0:0",` + "\"\n" + passwd,
		"jsonLiteral": `{"observations": [root:x:0:0]}`,
	}
	for name, text := range variants {
		for _, file := range []string{"x.csv", "x.json", "shadow"} {
			path := filepath.Join(dir, name+"-"+file)
			if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, f := range []File{{Name: file, Path: path}, {Name: file, Data: []byte(text)}} {
				_, probs := Prepare([]File{f}, catalog())
				if len(probs) == 0 {
					t.Fatalf("%s as %s: no problem", name, file)
				}
				for _, p := range probs {
					for _, secret := range []string{"root", "daemon", "secretuser", "bash", "nologin", "c2Vj", "$6$", "x:0"} {
						if strings.Contains(p.String(), secret) {
							t.Errorf("%s as %s: problem %q repeats %q from the file", name, file, p.String(), secret)
						}
					}
				}
			}
		}
	}
}

// TestLongValuesAreClipped: a value that a problem names is quoted and cut to 64
// characters, however long it is.
func TestLongValuesAreClipped(t *testing.T) {
	long := strings.Repeat("ư", 5000)
	_, probs := Prepare([]File{{Name: "f.csv", Data: []byte(strings.TrimSuffix(obsHeader, "\n") + "," + long + "\n")}}, catalog())
	want := `f.csv:1: unknown column(s) "` + strings.Repeat("ư", 64) + `"… for a observations file`
	if len(probs) == 0 || probs[0].String() != want {
		t.Fatalf("problems %.300v, want first %q", probs, want)
	}
}
