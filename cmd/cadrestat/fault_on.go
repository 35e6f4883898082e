//go:build faultinject

package main

import (
	"context"
	"fmt"
	"os"

	"github.com/cadrestat/cadrestat/warehouse/chsql"
)

// withFaults lets the crash test stop a load at a known point, in a binary built with
// -tags faultinject only: with CADRESTAT_FAULT_PAUSE_AFTER_WRITE=<table>, a load announces
// on stderr that it wrote that table and then waits forever, so the test can kill -9 the
// process mid-load.
func withFaults(ctx context.Context) context.Context {
	table := os.Getenv("CADRESTAT_FAULT_PAUSE_AFTER_WRITE")
	if table == "" {
		return ctx
	}
	return chsql.WithFaults(ctx, chsql.Faults{AfterWrite: func(t string) error {
		if t == table {
			fmt.Fprintln(os.Stderr, "fault: paused after writing", t)
			select {}
		}
		return nil
	}})
}
