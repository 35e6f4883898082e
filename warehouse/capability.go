package warehouse

import "context"

// Optional capabilities: what an engine may offer beside Store. A caller asks for one with
// a type assertion on its Store (store.(warehouse.LoadHistory)) and does without when the
// engine lacks it; Limited passes each through, so wrapping a store hides none of them.

// LoadHistory says whether a load was committed under a file name (bundled data is loaded as
// "bundle:<digest>", once per change of the bundle). Without it the bundle is loaded at every
// start, which changes nothing but costs the time of a load.
type LoadHistory interface {
	HasLoad(ctx context.Context, file string) (bool, error)
}

// RejectionRecorder notes a refused ingest (file, problem count, first problem) for operators.
type RejectionRecorder interface {
	RecordRejection(ctx context.Context, file string, problems int, first string) error
}
