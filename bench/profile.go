package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"

	"github.com/cadrestat/cadrestat/bench/internal/load"
)

var profile = flag.String("profile", "", "write a CPU profile of serve (-bin's) during the cache-miss scenario to this file")

// profiled runs f while collecting a CPU profile of the server through its admin listener
// (serve -pprof; the profile is behind the admin token in admin.json).
func profiled(dataDir string, f func() load.Result) load.Result {
	if *profile == "" {
		return f()
	}
	raw, _ := os.ReadFile(filepath.Join(dataDir, "admin.json"))
	var info struct{ Addr, Token string }
	json.Unmarshal(raw, &info)
	done := make(chan []byte)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", info.Addr, int(duration.Seconds())), nil)
		req.Header.Set("Authorization", "Bearer "+info.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench: profile:", err)
			done <- nil
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			fmt.Fprintf(os.Stderr, "bench: profile: %s: %s\n", resp.Status, b)
			b = nil
		}
		done <- b
	}()
	r := f()
	if b := <-done; b != nil {
		os.WriteFile(*profile, b, 0o644)
	}
	return r
}
