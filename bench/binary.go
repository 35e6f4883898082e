package main

// The cadrestat binaries under test (-bin, and -before to compare with an older one) and
// their processes: ingest runs, serve, the bare reference.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cadrestat/cadrestat/bench/internal/load"
)

// binary is one cadrestat build and the flags it knows (read from its -help), so an older
// build is measured with what it has and the output says what it lacked.
type binary struct {
	Label   string                     `json:"label"` // "after" (-bin) or "before" (-before)
	Path    string                     `json:"path"`
	Missing []string                   `json:"not_available,omitempty"`
	flags   map[string]map[string]bool // command → flag names
}

var helpFlag = regexp.MustCompile(`(?m)^\s+-([\w-]+)`)

func newBinary(label, path string) (*binary, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%s binary: %w", label, err)
	}
	b := &binary{Label: label, Path: path, flags: map[string]map[string]bool{}}
	for _, cmd := range []string{"serve", "ingest"} {
		out, _ := exec.Command(path, cmd, "-help").CombinedOutput() // -help exits 0 or 2
		b.flags[cmd] = map[string]bool{}
		for _, m := range helpFlag.FindAllStringSubmatch(string(out), -1) {
			b.flags[cmd][m[1]] = true
		}
		if len(b.flags[cmd]) == 0 {
			return nil, fmt.Errorf("%s binary %s: `%s -help` lists no flags: %s", label, path, cmd, out)
		}
	}
	return b, nil
}

func (b *binary) has(cmd, flag string) bool { return b.flags[cmd][flag] }

// lack notes something the harness could not use with this binary (once).
func (b *binary) lack(what string) {
	for _, m := range b.Missing {
		if m == what {
			return
		}
	}
	b.Missing = append(b.Missing, what)
}

// uploadFlag is an ingest flag forcing a hand-off by content (a streamed upload) instead
// of by path, if the binary has one: any flag whose name says "upload".
func (b *binary) uploadFlag() string {
	for f := range b.flags["ingest"] {
		if strings.Contains(f, "upload") {
			return f
		}
	}
	return ""
}

// command is a child of the harness that dies with it (SIGTERM: serve and ingest stop
// cleanly on it) if the harness is killed without stopping it.
func command(name string, args ...string) *exec.Cmd {
	c := exec.Command(name, args...)
	c.SysProcAttr = procAttr(-1, -1, syscall.SIGTERM)
	return c
}

// ingestRun is one `cadrestat ingest`: rows, rate, its peak RSS and its output.
type ingestRun struct {
	rows    int
	seconds float64
	rssMiB  float64
	out     string
}

func (b *binary) ingest(args ...string) (ingestRun, error) {
	c, peak := rssCommand(b.Path, append([]string{"ingest"}, args...)...)
	start := time.Now()
	out, err := c.CombinedOutput()
	r := ingestRun{seconds: time.Since(start).Seconds(), rssMiB: peak(), out: string(out)}
	if err != nil {
		return r, fmt.Errorf("%s ingest: %v: %s", b.Label, err, out)
	}
	if i := strings.Index(r.out, "loaded "); i >= 0 {
		fmt.Sscanf(r.out[i:], "loaded %d rows", &r.rows)
	}
	return r, nil
}

// server is one running `cadrestat serve` of a binary over its own data folder.
type server struct {
	bin     *binary
	dataDir string
	cmd     *exec.Cmd
	base    string // http://host:port
	readyMs float64
	warmMs  float64 // from start to the "metric cache warm" log line
	warmLog float64 // the warm-up's own duration as that line logs it (ms), -1 if absent
}

// startServe starts serve over dataDir, waits until it is ready and its metric cache is
// warm, and records both times. extra flags the binary does not know are left out (noted).
func (b *binary) startServe(dataDir string, extra []string) (*server, error) {
	port, err := load.FreePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	args := []string{"serve", "-data", dataDir, "-addr", addr, "-no-bundled-data"}
	if *profile != "" && b.Label == "after" {
		if b.has("serve", "pprof") {
			args = append(args, "-pprof")
		} else {
			b.lack("serve -pprof (no -profile)")
		}
	}
	args = append(args, b.supported("serve", extra)...)
	s := &server{bin: b, dataDir: dataDir, base: "http://" + addr, warmLog: -1}
	s.cmd = command(b.Path, args...)
	logPipe, _ := s.cmd.StderrPipe()
	start := time.Now()
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	warm := make(chan struct{})
	go func() { // the server logs when its metric cache is warm; measure after that
		sc := bufio.NewScanner(logPipe)
		closed := false
		for sc.Scan() {
			if !closed && strings.Contains(sc.Text(), "metric cache warm") {
				var line struct{ Ms *float64 }
				if json.Unmarshal(sc.Bytes(), &line) == nil && line.Ms != nil {
					s.warmLog = *line.Ms
				}
				s.warmMs = float64(time.Since(start).Milliseconds())
				close(warm)
				closed = true
			}
		}
	}()
	if err := load.WaitReady(s.base); err != nil {
		s.stop()
		return nil, fmt.Errorf("%s serve: %w", b.Label, err)
	}
	s.readyMs = float64(time.Since(start).Milliseconds())
	select {
	case <-warm:
	case <-time.After(10 * time.Minute):
		s.stop()
		return nil, fmt.Errorf("%s serve did not warm its cache in 10 minutes", b.Label)
	}
	return s, nil
}

// supported keeps the flags of extra (as "-name value" or "-name=value" pairs; a flag's
// value is the next word unless it starts with "-") that cmd of this binary knows.
func (b *binary) supported(cmd string, extra []string) []string {
	var out []string
	for i := 0; i < len(extra); i++ {
		name := strings.SplitN(strings.TrimLeft(extra[i], "-"), "=", 2)[0]
		group := []string{extra[i]}
		if !strings.Contains(extra[i], "=") && i+1 < len(extra) && !strings.HasPrefix(extra[i+1], "-") {
			group = append(group, extra[i+1])
			i++
		}
		if b.has(cmd, name) {
			out = append(out, group...)
		} else {
			b.lack(cmd + " -" + name)
		}
	}
	return out
}

func (s *server) graphql() string { return s.base + "/graphql" }

func (s *server) stop() {
	if s.cmd.Process != nil {
		s.cmd.Process.Signal(os.Interrupt)
		s.cmd.Wait()
	}
}

// startBare starts the bare net/http reference (this program, "bare ADDR FILE") serving file.
func startBare(file string) (url string, stop func(), err error) {
	port, err := load.FreePort()
	if err != nil {
		return "", nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	self, _ := os.Executable()
	c := exec.Command(self, "bare", addr, file)
	c.SysProcAttr = procAttr(-1, -1, syscall.SIGKILL)
	if err := c.Start(); err != nil {
		return "", nil, err
	}
	stop = func() { c.Process.Kill(); c.Wait() }
	if err := load.WaitReady("http://" + addr); err != nil {
		stop()
		return "", nil, err
	}
	return "http://" + addr + "/graphql", stop, nil
}
