package main

// Peak RSS of a child, measured through a small launcher. A child's ru_maxrss on Linux also
// counts the memory of whoever started it: Go starts children with vfork (the child shares
// the parent's memory until exec) and exec records that shared memory's high-water mark in
// the child's maxrss. Started from the harness (which holds the engine after timing the
// warehouse alone: ~300 MiB), a hand-off client reading nothing "peaked" at 307 MiB while
// /usr/bin/time gave 33 MiB. The launcher is this program re-executed ("rss FILE CMD…"),
// a few MiB, so the child's maxrss is its own.

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
)

// rssCommand runs name args through the launcher; peak reads the child's peak RSS (MiB, -1
// if unknown) once the command has exited.
func rssCommand(name string, args ...string) (c *exec.Cmd, peak func() float64) {
	f, err := os.CreateTemp("", "cadrestat-bench-rss-")
	if err != nil {
		return command(name, args...), func() float64 { return -1 }
	}
	f.Close()
	self, _ := os.Executable()
	c = command(self, append([]string{"rss", f.Name(), name}, args...)...)
	return c, func() float64 {
		defer os.Remove(f.Name())
		b, _ := os.ReadFile(f.Name())
		mib, err := strconv.ParseFloat(strings.TrimSpace(string(b)), 64)
		if err != nil {
			return -1
		}
		return mib
	}
}

// rssLaunch is the launcher: it runs args with this process's standard streams, passes
// SIGINT and SIGTERM on, writes the child's peak RSS in MiB to file, and exits as it did.
func rssLaunch(file string, args []string) int {
	c := exec.Command(args[0], args[1:]...)
	c.Stdin, c.Stdout, c.Stderr = os.Stdin, os.Stdout, os.Stderr
	c.SysProcAttr = procAttr(-1, -1, syscall.SIGTERM)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	if err := c.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "bench rss:", err)
		return 1
	}
	go func() {
		for s := range sig {
			c.Process.Signal(s)
		}
	}()
	err := c.Wait()
	os.WriteFile(file, []byte(fmt.Sprintf("%.1f\n", childPeakRSSMiB(c.ProcessState))), 0o644)
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return max(exit.ExitCode(), 1)
	}
	if err != nil {
		return 1
	}
	return 0
}
