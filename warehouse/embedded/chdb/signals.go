//go:build linux

package chdb

import (
	"syscall"
	"unsafe"
)

// ClickHouse installs its own handlers for SIGSEGV, SIGBUS, SIGINT, SIGTERM and others when
// the library loads and connects. Under Go that turns an ordinary nil-pointer panic into a
// hang (the handler waits for ClickHouse's crash-report thread) and breaks graceful
// shutdown. So the process's handlers are saved before the library is touched and restored
// right after: Go's runtime keeps handling signals, as every Go program expects.

type sigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

// savedSignals holds the handlers of signals 1–31 (the kernel refuses SIGKILL and SIGSTOP).
type savedSignals [32]sigaction

func saveSignals() *savedSignals {
	var s savedSignals
	for sig := 1; sig < 32; sig++ {
		_, _, _ = syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig), 0, uintptr(unsafe.Pointer(&s[sig])), 8, 0, 0) // reading a handler cannot fail for 1–31
	}
	return &s
}

func (s *savedSignals) restore() {
	for sig := 1; sig < 32; sig++ {
		if sig == int(syscall.SIGKILL) || sig == int(syscall.SIGSTOP) {
			continue
		}
		_, _, _ = syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&s[sig])), 0, 8, 0, 0) // restoring what was read: nothing to do if refused
	}
}

// changedSignals lists the signals whose handler differs from s (for tests).
func (s *savedSignals) changedSignals() []int {
	now := saveSignals()
	var out []int
	for sig := 1; sig < 32; sig++ {
		if now[sig].handler != s[sig].handler {
			out = append(out, sig)
		}
	}
	return out
}
