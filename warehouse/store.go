package warehouse

import "context"

// Store is the warehouse as the rest of cadrestat sees it. Every engine implements it; one
// contract test suite (warehouse/storetest) runs against each.
type Store interface {
	// Migrate brings the schema to this binary's version; running it twice changes nothing.
	Migrate(ctx context.Context) error
	// Ping reports whether the warehouse answers.
	Ping(ctx context.Context) error
	// DataVersion increases with every committed load; caches key on it.
	DataVersion(ctx context.Context) (uint64, error)
	// Catalog returns all dimension data (provinces, groups, metrics, sources, targets).
	Catalog(ctx context.Context) (*Catalog, error)
	// Observations returns the current revision of every observation matching f.
	Observations(ctx context.Context, f ObservationFilter) ([]Observation, error)
	// CountObservations counts what Observations would return without its limit.
	CountObservations(ctx context.Context, f ObservationFilter) (int, error)
	// Revisions returns every committed revision of the given observation IDs, newest first.
	Revisions(ctx context.Context, ids []string) (map[string][]Observation, error)
	// Load validates nothing (ingest does) and writes a batch atomically: all or nothing.
	Load(ctx context.Context, b *Batch) (*LoadResult, error)
	Close() error
}

// ObservationFilter selects observations. Empty fields do not filter.
type ObservationFilter struct {
	MetricIDs        []string
	SubjectIDs       []string
	SourceIDs        []string
	Statuses         []Status
	PeriodLabels     []string
	YearFrom, YearTo int // on the period's start year; 0 = open
	IncludeSynthetic bool
	AfterID          string // keyset cursor: rows with id > AfterID
	Limit            int    // 0 = no limit
	// OnePerCell, when set, keeps only the preferred observation of each subject and start
	// year (the cursor and limit are then ignored): the engine picks, so a metric with 150
	// sources per cell sends one row per cell instead of 150.
	OnePerCell *CellOrder
}

// CellOrder ranks the observations of one cell, best first: by status, then exact values
// before bounds, then by period kind, then by source, each in the order listed (every
// stored value is listed: ingest accepts no other statuses or period kinds, and the
// sources list comes from the catalogue).
type CellOrder struct {
	Statuses    []Status
	PeriodKinds []PeriodKind
	Sources     []string
}

// LineageLink says a VN63 unit went into a VN34 unit.
type LineageLink struct{ From, To string }

// Batch is one load: any mix of dimension rows and observations, written all or nothing.
type Batch struct {
	File         string
	Provinces    []Province
	Lineage      []LineageLink
	Groups       []Group
	Metrics      []Metric
	Sources      []Source
	Targets      []Target
	Observations []Observation
	// More, when set, streams further observations after Observations, chunk by chunk, so a
	// load of millions of rows never holds them all. It calls yield for each chunk in order;
	// an error (its own or yield's) fails the load and nothing of it stays.
	More func(yield func([]Observation) error) error
}

// Rows counts the rows a batch holds (not those More will stream).
func (b *Batch) Rows() int {
	return len(b.Provinces) + len(b.Lineage) + len(b.Groups) + len(b.Metrics) + len(b.Sources) + len(b.Targets) + len(b.Observations)
}

// LoadResult tells what a load changed.
type LoadResult struct {
	LoadID      string
	DataVersion uint64
	Rows        int
	Changed     int // rows that were new or differed from the current revision
}

// Catalog builds an indexed catalogue from the batch's own dimension rows (used to generate
// synthetic data from the bundled files without a warehouse).
func (b *Batch) Catalog() *Catalog {
	c := &Catalog{Provinces: b.Provinces, Groups: b.Groups, Metrics: b.Metrics, Sources: b.Sources, Targets: b.Targets}
	c.Index()
	return c
}
