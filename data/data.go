// Package data embeds the bundled dataset (reference tables, metric catalogue, sources,
// targets, observations) so `serve` can load it on first start from any working directory.
package data

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"sort"

	"github.com/cadrestat/cadrestat/ingest"
)

//go:embed *.csv
var files embed.FS

// Files returns the bundled files in name order.
func Files() []ingest.File {
	entries, _ := fs.ReadDir(files, ".")
	var out []ingest.File
	for _, e := range entries {
		b, _ := files.ReadFile(e.Name())
		out = append(out, ingest.File{Name: "data/" + e.Name(), Data: b})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Digest identifies this build's bundled data, so a server loads it once per change.
func Digest() string {
	h := sha256.New()
	for _, f := range Files() {
		h.Write([]byte(f.Name))
		h.Write(f.Data)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}
