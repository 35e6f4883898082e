package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/cadrestat/cadrestat/server"
)

// EngineLibrary is the chDB build the embedded engine is pinned to (scripts/fetch-engine.sh
// fetches exactly this; a test keeps the two in step).
const EngineLibrary = "@chdb/lib-linux-x64-gnu@26.7.3-stable.1"

func engineName(ef engineFlags) string {
	if ef.engine == "clickhouse" {
		return "clickhouse server at " + ef.chAddr
	}
	return "embedded chDB " + EngineLibrary
}

// versionCmd prints the build: module version, VCS revision and dirty flag, Go version,
// and the pinned engine library. -json prints the same as GET /version.
func versionCmd(args []string) error {
	fs := flag.NewFlagSet("version", flag.ExitOnError)
	asJSON := fs.Bool("json", false, "print as JSON (as GET /version does)")
	fs.Parse(args)
	b := server.BuildInfo("embedded chDB " + EngineLibrary)
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(b)
	}
	rev := b.Revision
	if rev == "" {
		rev = "(no VCS information)"
	} else if b.Modified {
		rev += " (modified)"
	}
	fmt.Printf("cadrestat %s\nmodule   %s\nrevision %s\nbuilt    %s\ngo       %s\nengine   %s\n", b.Version, b.Module, rev, b.Time, b.Go, b.Engine)
	return nil
}
