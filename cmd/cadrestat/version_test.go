package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/server"
)

// The engine library named by `version` is the one scripts/fetch-engine.sh fetches.
func TestEngineLibraryMatchesTheFetchScript(t *testing.T) {
	script, err := os.ReadFile("../../scripts/fetch-engine.sh")
	if err != nil {
		t.Fatal(err)
	}
	version := EngineLibrary[strings.LastIndex(EngineLibrary, "@")+1:]
	if !strings.Contains(string(script), `VERSION="`+version+`"`) {
		t.Fatalf("scripts/fetch-engine.sh does not fetch %s", EngineLibrary)
	}
}

func TestVersionCommand(t *testing.T) {
	bin := buildBinary(t)
	out, err := exec.Command(bin, "version", "-json").Output()
	if err != nil {
		t.Fatal(err)
	}
	var b server.Build
	if err := json.Unmarshal(out, &b); err != nil || b.Module != "github.com/cadrestat/cadrestat" || !strings.HasPrefix(b.Go, "go1.") || !strings.Contains(b.Engine, EngineLibrary) {
		t.Fatalf("version -json: %s (%v)", out, err)
	}
	text, err := exec.Command(bin, "version").Output()
	if err != nil || !strings.Contains(string(text), "engine   embedded chDB "+EngineLibrary) {
		t.Fatalf("version: %s %v", text, err)
	}
}
