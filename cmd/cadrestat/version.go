package main

import (
	"context"
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

// VersionMain is `cadrestat version [-json]`: it prints the build: module version, VCS
// revision and dirty flag, Go version, and the pinned engine library. -json prints the same
// as GET /version.
type VersionMain struct{ asJSON bool }

func (m *VersionMain) ParseFlags(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("version", flag.ExitOnError)
	fs.BoolVar(&m.asJSON, "json", false, "print as JSON (as GET /version does)")
	return fs.Parse(args)
}

func (m *VersionMain) Run(ctx context.Context) error {
	b := server.BuildInfo("embedded chDB " + EngineLibrary)
	if m.asJSON {
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

func (m *VersionMain) Close() error { return nil }
