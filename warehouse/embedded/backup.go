package embedded

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/cadrestat/cadrestat/warehouse/chsql"
	"github.com/cadrestat/cadrestat/warehouse/embedded/chdb"
)

// A backup is a folder holding the engine's own archive of the database (BACKUP DATABASE
// through chdb_backup_database_n, a .tar: this chDB is built without minizip, so .zip is
// refused) and manifest.json, which lists every table with its row count and checksum as
// read back from the archive itself. Restore checks those checksums before it replaces
// anything.

// ArchiveName is the engine archive inside a backup folder; ManifestName its manifest.
const (
	ArchiveName  = "warehouse.tar"
	ManifestName = "manifest.json"
)

// Manifest and TableCheck are the warehouse's: a backup is one of its named capabilities.
type (
	Manifest   = warehouse.BackupManifest
	TableCheck = warehouse.TableCheck
)

var _ warehouse.Backups = (*Store)(nil)

// Backup writes the database into dir, which must be absolute and either absent or an
// empty folder. It is safe while the store serves: the engine backs up a consistent set of
// parts per table while queries go on, and rows of a load still in progress (whose loads
// row is not yet written) are removed by Recover when the backup is restored.
func (s *Store) Backup(ctx context.Context, dir string) (*Manifest, error) {
	if err := emptyTarget(dir); err != nil {
		return nil, err
	}
	if err := s.outsideData(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, warehouse.Wrap(err, warehouse.ErrUnavailable, "cannot create backup folder "+dir)
	}
	archive, err := s.writeArchive(ctx, dir)
	if err != nil {
		return nil, err
	}
	// Read the archive back into a scratch database: the checksums describe what the
	// archive holds (not the live tables, which a load may have changed meanwhile), and a
	// backup that cannot be restored fails now rather than on the day it is needed. A
	// failed backup leaves the folder empty, to be used again.
	tables, dv, err := s.verifyArchive(ctx, s.DB, archive)
	if err != nil {
		os.Remove(archive)
		return nil, err
	}
	m := &Manifest{Format: 1, Database: s.DB, Created: time.Now().UTC().Truncate(time.Second), Engine: "embedded (chDB " + engineVersion(s.conn) + ")",
		SchemaVersion: chsql.SchemaVersion(), DataVersion: dv, Archive: ArchiveName, Tables: tables}
	raw, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, ManifestName), append(raw, '\n'), 0o600); err != nil {
		return nil, warehouse.Wrap(err, warehouse.ErrUnavailable, "cannot write the backup manifest")
	}
	return m, nil
}

// Restore replaces the database with the backup in dir. The archive is restored into a
// scratch database and its checksums compared with the manifest's; only then is the current
// database swapped out (RENAME DATABASE) and dropped, and the result migrated to this
// binary's schema and cleared of any load that was in progress when the backup was taken.
// It must not run while the store serves requests: queries in flight would see the swap, and
// a server's caches would keep the old data (cadrestat refuses it while serving).
func (s *Store) Restore(ctx context.Context, dir string) (*Manifest, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	scratch, err := s.restoreChecked(ctx, m, filepath.Join(dir, m.Archive))
	if err != nil {
		return nil, err
	}
	old := s.DB + "_before_restore_" + suffix()
	if err := s.Exec(ctx, "RENAME DATABASE "+s.DB+" TO "+old); err != nil {
		_ = s.dropDB(ctx, scratch) // cleanup; the error above is the one to return
		return nil, err
	}
	if err := s.Exec(ctx, "RENAME DATABASE "+scratch+" TO "+s.DB); err != nil {
		// Put the current database back.
		return nil, errors.Join(err, s.Exec(context.WithoutCancel(ctx), "RENAME DATABASE "+old+" TO "+s.DB), s.dropDB(ctx, scratch))
	}
	if err := s.Exec(ctx, "DROP DATABASE "+old+" SYNC"); err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		return nil, err
	}
	if err := s.Recover(ctx); err != nil {
		return nil, err
	}
	return m, nil
}

// ReadManifest reads and checks the manifest of the backup in dir.
func ReadManifest(dir string) (*Manifest, error) {
	raw, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return nil, warehouse.Wrap(err, warehouse.ErrInvalid, fmt.Sprintf("%s is not a cadrestat backup (no readable %s)", dir, ManifestName))
	}
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, warehouse.Wrap(err, warehouse.ErrInvalid, "unreadable backup manifest in "+dir)
	}
	if m.Format != 1 || !chsql.ValidIdent(m.Database) || m.Archive != filepath.Base(m.Archive) || m.Archive == "" || len(m.Tables) == 0 {
		return nil, warehouse.Errorf(warehouse.ErrInvalid, "the backup manifest in %s is not one this cadrestat wrote (format %d)", dir, m.Format)
	}
	if m.SchemaVersion > chsql.SchemaVersion() {
		return nil, warehouse.Errorf(warehouse.ErrInvalid, "the backup in %s has schema version %d, newer than this cadrestat's %d: restore it with a newer cadrestat", dir, m.SchemaVersion, chsql.SchemaVersion())
	}
	if _, err := os.Stat(filepath.Join(dir, m.Archive)); err != nil {
		return nil, warehouse.Wrap(err, warehouse.ErrInvalid, "the backup archive "+m.Archive+" is missing from "+dir)
	}
	return &m, nil
}

// restoreChecked restores the archive into a new scratch database, checks it against the
// manifest and returns the scratch database's name.
func (s *Store) restoreChecked(ctx context.Context, m *Manifest, archive string) (string, error) {
	scratch := s.DB + "_restore_" + suffix()
	// A RESTORE that fails half-way leaves the tables it made: dropped on every failure.
	_, err := s.restoreAs(ctx, m.Database, scratch, archive)
	var got []TableCheck
	if err == nil {
		got, err = s.checksums(ctx, scratch)
	}
	if err == nil {
		err = compareTables(m.Tables, got)
	}
	if err != nil {
		_ = s.dropDB(ctx, scratch) // cleanup; the error above is the one to return
		return "", err
	}
	return scratch, nil
}

// verifyArchive restores the archive into a scratch database, reads its checksums and data
// version, and drops it.
func (s *Store) verifyArchive(ctx context.Context, db, archive string) ([]TableCheck, uint64, error) {
	scratch := s.DB + "_verify_" + suffix()
	defer func() { _ = s.dropDB(ctx, scratch) }() // also when RESTORE fails half-way; best effort
	if _, err := s.restoreAs(ctx, db, scratch, archive); err != nil {
		return nil, 0, err
	}
	tables, err := s.checksums(ctx, scratch)
	if err != nil {
		return nil, 0, err
	}
	var dv uint64
	err = s.Ex.Select(ctx, chsql.Query{SQL: "SELECT toUInt64(max(version)) FROM " + scratch + ".loads"}, func(r chsql.Row) error { return r.Scan(&dv) })
	return tables, dv, err
}

// restoreAs runs RESTORE DATABASE db AS scratch: chdb_restore_database_n restores a database
// only under its own name, so this one is SQL, with the archive path as a parameter.
func (s *Store) restoreAs(ctx context.Context, db, scratch, archive string) ([]byte, error) {
	return s.Ex.(*executor).run(ctx, "RESTORE DATABASE "+db+" AS "+scratch+" FROM File({archive:String})",
		chsql.Query{Params: []chsql.Param{{Name: "archive", Value: archive}}}, "TabSeparated")
}

// Checksums returns every table of the store's database with its row count and checksum.
func (s *Store) Checksums(ctx context.Context) ([]TableCheck, error) { return s.checksums(ctx, s.DB) }

func (s *Store) checksums(ctx context.Context, db string) ([]TableCheck, error) {
	var out []TableCheck
	err := s.Ex.Select(ctx, chsql.Query{
		SQL:    "SELECT name FROM system.tables WHERE database = {db:String} AND NOT is_temporary ORDER BY name",
		Params: []chsql.Param{{Name: "db", Value: db}},
	}, func(r chsql.Row) error {
		var t TableCheck
		err := r.Scan(&t.Name)
		out = append(out, t)
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		err := s.Ex.Select(ctx, chsql.Query{SQL: "SELECT count(), sum(cityHash64(tuple(*))) FROM " + db + "." + out[i].Name},
			func(r chsql.Row) error { return r.Scan(&out[i].Rows, &out[i].Checksum) })
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func compareTables(want, got []TableCheck) error {
	if len(want) != len(got) {
		return warehouse.Errorf(warehouse.ErrInvalid, "the backup archive holds %d tables, its manifest lists %d: the backup is damaged", len(got), len(want))
	}
	for i := range want {
		if want[i] != got[i] {
			return warehouse.Errorf(warehouse.ErrInvalid, "table %s in the backup archive does not match its manifest (%d rows, checksum %x; manifest: %d rows, %x): the backup is damaged",
				got[i].Name, got[i].Rows, got[i].Checksum, want[i].Rows, want[i].Checksum)
		}
	}
	return nil
}

// emptyTarget refuses a backup folder that is relative or holds anything.
func emptyTarget(dir string) error {
	if !filepath.IsAbs(dir) {
		return warehouse.Errorf(warehouse.ErrInvalid, "backup folder %s must be an absolute path", dir)
	}
	f, err := os.Open(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return warehouse.Wrap(err, warehouse.ErrInvalid, "cannot read backup folder "+dir)
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.IsDir() {
		return warehouse.Errorf(warehouse.ErrInvalid, "%s exists and is not a folder", dir)
	}
	if _, err := f.Readdirnames(1); err != io.EOF {
		return warehouse.Errorf(warehouse.ErrInvalid, "backup folder %s is not empty: give each backup a new folder", dir)
	}
	return nil
}

func suffix() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func engineVersion(c *chdb.Conn) string {
	out, err := c.Query("SELECT version()", "TabSeparated")
	if err != nil {
		return "unknown"
	}
	return string(trimNL(out))
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
