package warehouse

import (
	"context"
	"errors"
	"time"
)

// Optional capabilities: what an engine may offer beside Store. A caller asks for one with
// a type assertion on its Store (store.(warehouse.LoadHistory)) and does without when the
// engine lacks it; Limited passes each through, so wrapping a store hides none of them.

// LoadHistory says whether a load was committed under a file name (bundled data is loaded as
// "bundle:<digest>", once per change of the bundle). Without it the bundle is loaded at every
// start, which changes nothing but costs the time of a load.
type LoadHistory interface {
	HasLoad(ctx context.Context, file string) (bool, error)
}

// Backups back the database up into a folder and restore it from one (the embedded engine;
// a ClickHouse server is backed up with its own BACKUP). Limited does not pass it through:
// a backup is not a query, and the serving process hands the engine's Backups to the
// admin listener itself.
type Backups interface {
	// Backup writes the database into dir, which must be absolute and either absent or an
	// empty folder, and returns what the backup holds, as read back from it.
	Backup(ctx context.Context, dir string) (*BackupManifest, error)
	// Restore replaces the database with the backup in dir after checking every table's
	// checksum against its manifest.
	Restore(ctx context.Context, dir string) (*BackupManifest, error)
}

// BackupManifest describes one backup (manifest.json in its folder).
type BackupManifest struct {
	Format        int          `json:"format"`
	Database      string       `json:"database"`
	Created       time.Time    `json:"created"`
	Engine        string       `json:"engine"`
	SchemaVersion int          `json:"schema_version"`
	DataVersion   uint64       `json:"data_version"`
	Archive       string       `json:"archive"` // the engine's archive, a file in the same folder
	Tables        []TableCheck `json:"tables"`
}

// Rows is the number of rows of every table the backup holds.
func (m *BackupManifest) Rows() uint64 {
	var n uint64
	for _, t := range m.Tables {
		n += t.Rows
	}
	return n
}

// TableCheck is one table's row count and content checksum: the sum (modulo 2^64) of every
// row's cityHash64(tuple(*)), the same whatever the order or the parts the rows are stored
// in. Not groupBitXor(cityHash64(*)): cityHash64(*) is NULL for a row holding a NULL (and
// such rows would not count), and XOR cancels a pair of identical rows.
type TableCheck struct {
	Name     string `json:"name"`
	Rows     uint64 `json:"rows"`
	Checksum uint64 `json:"checksum"`
}

// ErrBackupInDataFolder is the cause of a refused backup folder inside the data folder: the
// backup would be lost with the folder it is meant to replace, and later backups would copy
// the earlier ones.
var ErrBackupInDataFolder = errors.New("backup folder inside the data folder")

// RejectionRecorder notes a refused ingest (file, problem count, first problem) for operators.
type RejectionRecorder interface {
	RecordRejection(ctx context.Context, file string, problems int, first string) error
}

// CellReader reads, in one query for many metrics, what the service's metric cache keeps of
// each (service/slices.go): every current observation that is not SYNTHETIC and, when
// Synthetic is set, the preferred SYNTHETIC observation of each subject and start year by
// that order. Warming the cache after a load then costs one pass over the rows instead of
// two per metric (69 metrics at scale L: 62 s per metric, ~4 s for all with chsql.CellsSQL).
// ReadCells falls back to those per-metric queries on a store without it.
type CellReader interface {
	// Cells calls each once per metric of q.MetricIDs that has rows, in no particular order
	// of metrics; obs is what ReadCells's per-metric fallback would pass (see there).
	Cells(ctx context.Context, q CellQuery, each func(metric string, obs []Observation) error) error
}

// CellQuery says which metrics' cells to read; no metrics means none.
type CellQuery struct {
	MetricIDs []string
	// Synthetic, when set, adds the preferred SYNTHETIC observation of each subject and
	// start year, as ObservationFilter.OnePerCell picks it.
	Synthetic *CellOrder
}

// ReadCells reads q through s's CellReader, or else metric by metric with Observations: for
// each metric, its current observations that are not SYNTHETIC (ordered by ID), followed,
// when q.Synthetic is set, by its SYNTHETIC observations one per cell (ordered as
// OnePerCell orders them). Metrics without rows are skipped. An error from each stops the
// read and is returned.
func ReadCells(ctx context.Context, s Store, q CellQuery, each func(metric string, obs []Observation) error) error {
	if r, ok := s.(CellReader); ok {
		return r.Cells(ctx, q, each)
	}
	return readCellsEach(ctx, s, q, each)
}

func readCellsEach(ctx context.Context, s Store, q CellQuery, each func(metric string, obs []Observation) error) error {
	for _, m := range q.MetricIDs {
		obs, err := s.Observations(ctx, ObservationFilter{MetricIDs: []string{m}})
		if err != nil {
			return err
		}
		if q.Synthetic != nil {
			syn, err := s.Observations(ctx, ObservationFilter{MetricIDs: []string{m}, IncludeSynthetic: true,
				Statuses: []Status{StatusSynthetic}, OnePerCell: q.Synthetic})
			if err != nil {
				return err
			}
			obs = append(obs, syn...)
		}
		if len(obs) == 0 {
			continue
		}
		if err := each(m, obs); err != nil {
			return err
		}
	}
	return nil
}
