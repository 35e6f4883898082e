//go:build !linux

package main

import "syscall"

// peerProcAttr: the peer runs on Linux only (startPeer says so before getting here).
func peerProcAttr(uid, gid int, death syscall.Signal) *syscall.SysProcAttr { return nil }
