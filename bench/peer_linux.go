package main

import "syscall"

// peerProcAttr runs a peer process as uid/gid (when ≥ 0: PostgreSQL refuses root) and has
// the kernel send it death when the harness dies without stopping it (0: none).
func peerProcAttr(uid, gid int, death syscall.Signal) *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Pdeathsig: death}
	if uid >= 0 {
		a.Credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	return a
}
