//go:build !linux

package main

import (
	"errors"
	"os"
	"syscall"
)

// procAttr: no parent-death signal off Linux (the peer runs on Linux only; startPeer says so).
func procAttr(uid, gid int, death syscall.Signal) *syscall.SysProcAttr { return nil }

func childPeakRSSMiB(ps *os.ProcessState) float64 { return -1 }

func resetPeakRSS(pid int) error { return errors.New("resetting VmHWM needs Linux") }
