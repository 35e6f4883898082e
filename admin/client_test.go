package admin

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/ingest"
)

// writePrivate replaces whatever was at the path, and leaves no temporary file on failure.
func TestWritePrivateReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.json")
	for _, content := range []string{"one", "two"} {
		if err := writePrivate(path, []byte(content)); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(path)
		if st, _ := os.Stat(path); string(got) != content || st.Mode().Perm() != 0o600 {
			t.Fatalf("content %q mode %v; want %q 0600", got, st.Mode().Perm(), content)
		}
	}
	if err := writePrivate(filepath.Join(dir, "missing", "f.json"), []byte("x")); err == nil {
		t.Fatal("writing into a missing directory succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("%d entries in the folder; want only f.json", len(entries))
	}
}

// A file that changes size while it is uploaded fails the hand-off with the file's name,
// rather than sending a length the server would cut or a half file.
func TestUploadOfAChangingFile(t *testing.T) {
	for name, change := range map[string]func(string){
		"shrinks": func(p string) { os.Truncate(p, 3) },
		"grows":   func(p string) { f, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0); f.WriteString("more"); f.Close() },
	} {
		p := filepath.Join(t.TempDir(), "f.csv")
		if err := os.WriteFile(p, []byte(strings.Repeat("line\n", 1000)), 0o644); err != nil {
			t.Fatal(err)
		}
		u, err := newUploadBody([]ingest.File{{Name: "f.csv", Path: p}})
		if err != nil {
			t.Fatal(err)
		}
		change(p)
		_, err = io.Copy(io.Discard, u)
		u.Close()
		if err == nil || err.Error() != "cannot send f.csv: it changed while being sent; nothing was loaded" {
			t.Errorf("a file that %s: %v", name, err)
		}
	}
	if _, err := newUploadBody([]ingest.File{{Name: "gone.csv", Path: "/nonexistent/gone.csv"}}); err == nil || !strings.Contains(err.Error(), "cannot read gone.csv") {
		t.Errorf("a missing file: %v", err)
	}
}
