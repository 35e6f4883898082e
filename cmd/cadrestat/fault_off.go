//go:build !faultinject

package main

import "context"

// withFaults is the identity in the binary that ships; fault_on.go (-tags faultinject) is
// the crash test's.
func withFaults(ctx context.Context) context.Context { return ctx }
