package main

import (
	"fmt"
	"os"
	"syscall"
)

// procAttr runs a child as uid/gid (when ≥ 0: PostgreSQL refuses root) and has the kernel
// send it death when the harness dies without stopping it (0: none), so a killed harness
// leaves no serve, bare reference or peer behind.
func procAttr(uid, gid int, death syscall.Signal) *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Pdeathsig: death}
	if uid >= 0 {
		a.Credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	return a
}

// childPeakRSSMiB is an exited child's peak resident set (getrusage's ru_maxrss, KiB on
// Linux); -1 when unknown.
func childPeakRSSMiB(ps *os.ProcessState) float64 {
	if ps == nil {
		return -1
	}
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return float64(ru.Maxrss) / 1024
	}
	return -1
}

// resetPeakRSS sets a running process's VmHWM back to its current RSS (clear_refs "5",
// Linux ≥ 4.0), so the next VmHWM read is the peak since now.
func resetPeakRSS(pid int) error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}
