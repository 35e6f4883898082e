package main

// Hand-off memory (issue 19): the scale's observation CSV handed to a running serve by
// `cadrestat ingest -data DIR FILE`, the client's peak RSS and the server's peak growth
// measured against the file's size.

import (
	"fmt"
	"os"
	"strings"
)

// handoffReport is one hand-off of one file to one running server.
type handoffReport struct {
	Mode      string  `json:"mode"` // "by path", or "upload (-FLAG)" when the binary can force one
	FileBytes int64   `json:"file_bytes"`
	Rows      int     `json:"rows"`
	Seconds   float64 `json:"seconds"`
	ClientMiB float64 `json:"client_peak_rss_mib"`
	// The server's VmHWM after the hand-off less its VmRSS before, with VmHWM reset just
	// before (HWMReset false: the reset failed and the growth may be understated by an
	// earlier peak).
	ServerGrowthMiB float64 `json:"server_peak_growth_mib"`
	HWMReset        bool    `json:"server_hwm_reset"`
	Error           string  `json:"error,omitempty"`
}

// Hand-off memory bounds (the target table's "met"): the client must not hold the file
// (the base64 hand-off peaked at 5× a 288 MB file; a client that reads nothing peaks at
// 33 MiB, measured at scale S); the server's load may use what a load may (ingest's bound).
// One file cannot show independence of its size: the figures are also printed against it.
const (
	handoffClientMaxMiB = 128
	handoffServerMaxMiB = 1024
)

func handoffs(s *server, file string) []handoffReport {
	out := []handoffReport{handoff(s, file, "by path")}
	if f := s.bin.uploadFlag(); f != "" {
		out = append(out, handoff(s, file, "upload (-"+f+")", "-"+f))
	}
	return out
}

func handoff(s *server, file, mode string, flags ...string) handoffReport {
	r := handoffReport{Mode: mode}
	if st, err := os.Stat(file); err == nil {
		r.FileBytes = st.Size()
	}
	pid := s.cmd.Process.Pid
	before := procStatusMiB(pid, "VmRSS:")
	r.HWMReset = resetPeakRSS(pid) == nil
	run, err := s.bin.ingest(append(append([]string{"-data", s.dataDir}, flags...), file)...)
	r.Seconds, r.ClientMiB, r.Rows = run.seconds, run.rssMiB, run.rows
	r.ServerGrowthMiB = procStatusMiB(pid, "VmHWM:") - before
	switch {
	case err != nil:
		r.Error = err.Error()
	case !strings.Contains(run.out, "handed to the running server"):
		r.Error = "not handed off (the client loaded the file itself?): " + strings.TrimSpace(run.out)
	}
	return r
}

func (h handoffReport) met() bool {
	return h.Error == "" && h.ClientMiB >= 0 && h.ClientMiB <= handoffClientMaxMiB && h.ServerGrowthMiB <= handoffServerMaxMiB
}

func (h handoffReport) figure() string {
	if h.Error != "" {
		return "failed: " + h.Error
	}
	mb := float64(h.FileBytes) / (1 << 20)
	return fmt.Sprintf("%s, %.0f MiB file: client %.0f MiB (%.2f× file), server +%.0f MiB (%.2f× file)%s",
		h.Mode, mb, h.ClientMiB, h.ClientMiB/mb, h.ServerGrowthMiB, h.ServerGrowthMiB/mb, map[bool]string{false: " (VmHWM not reset)", true: ""}[h.HWMReset])
}
