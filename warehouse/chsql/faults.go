package chsql

import "context"

// Faults make a load split or fail at chosen points, for the tests that prove a failed or
// killed load leaves the warehouse as it was. They travel in the load's context
// (WithFaults): no store carries a test switch, and a load without them runs as always.
type Faults struct {
	// PartRows, when > 0, replaces the rows per part of a load merged from files (a few rows
	// make a small load one of many parts).
	PartRows int
	// AfterWrite, when set, runs after a load has written (but not committed) a table; an
	// error from it fails the load.
	AfterWrite func(table string) error
}

type faultsKey struct{}

// WithFaults returns ctx carrying f for the loads run under it.
func WithFaults(ctx context.Context, f Faults) context.Context {
	return context.WithValue(ctx, faultsKey{}, f)
}

func faultsOf(ctx context.Context) Faults {
	f, _ := ctx.Value(faultsKey{}).(Faults)
	return f
}

// afterWrite runs the context's AfterWrite fault for table, if any.
func afterWrite(ctx context.Context, table string) error {
	if f := faultsOf(ctx).AfterWrite; f != nil {
		return f(table)
	}
	return nil
}
