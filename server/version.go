package server

import (
	"encoding/json"
	"net/http"
	"runtime/debug"
)

// Build describes this binary, from the build information Go embeds (module version, VCS
// revision and dirty flag, Go version) and the engine it serves from.
type Build struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Revision string `json:"revision,omitempty"`
	Time     string `json:"time,omitempty"`
	Modified bool   `json:"modified"`
	Go       string `json:"go"`
	Engine   string `json:"engine,omitempty"`
}

// BuildInfo reads the embedded build information; engine names the warehouse engine.
func BuildInfo(engine string) Build {
	b := Build{Module: "github.com/cadrestat/cadrestat", Version: "(unknown)", Engine: engine}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	b.Module, b.Version, b.Go = bi.Main.Path, bi.Main.Version, bi.GoVersion
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

func versionHandler(engine string) http.Handler {
	body, _ := json.Marshal(BuildInfo(engine))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(append(body, '\n'))
	})
}
