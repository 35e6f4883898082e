package embedded

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/cadrestat/cadrestat/warehouse/chsql"
)

// A backup's verify step and a restore each read the archive into a scratch database, a
// full copy of the data: <db>_verify_<12 hex> and <db>_restore_<12 hex> (suffix()). Each is
// dropped on every way out of Backup and Restore, and any that a killed process left are
// dropped when the store is opened (dropScratch).

// scratchPattern matches the scratch databases of db: kind is verify or restore.
func scratchPattern(db, kind string) string {
	return "^" + regexp.QuoteMeta(db) + "_" + kind + "_[0-9a-f]{12}$"
}

// dropDB drops a scratch database, even when ctx has ended (a cancelled backup must not
// leave its copy behind).
func (s *Store) dropDB(ctx context.Context, name string) error {
	return s.Exec(context.WithoutCancel(ctx), "DROP DATABASE IF EXISTS "+name+" SYNC")
}

// dropScratch drops the scratch databases of s.DB left by a backup or restore that did not
// finish. A restore's scratch is kept while a <db>_before_restore_ database exists: a
// restore killed between its two renames leaves the restored data only there (README,
// Backups, says how to finish by hand), and that is not for a start-up to throw away.
func (s *Store) dropScratch(ctx context.Context) error {
	verify, err := s.databases(ctx, scratchPattern(s.DB, "verify"))
	if err != nil {
		return err
	}
	restore, err := s.databases(ctx, scratchPattern(s.DB, "restore"))
	if err != nil {
		return err
	}
	if len(restore) > 0 {
		before, err := s.databases(ctx, "^"+regexp.QuoteMeta(s.DB)+"_before_restore_[0-9a-f]{12}$")
		if err != nil {
			return err
		}
		if len(before) > 0 {
			restore = nil
		}
	}
	var errs []error
	for _, db := range append(verify, restore...) {
		errs = append(errs, s.dropDB(ctx, db))
	}
	return errors.Join(errs...)
}

// databases lists the databases whose names match the regular expression re.
func (s *Store) databases(ctx context.Context, re string) ([]string, error) {
	var out []string
	err := s.Ex.Select(ctx, chsql.Query{
		SQL:    "SELECT name FROM system.databases WHERE match(name, {re:String}) ORDER BY name",
		Params: []chsql.Param{{Name: "re", Value: re}},
	}, func(r chsql.Row) error {
		var n string
		err := r.Scan(&n)
		if chsql.ValidIdent(n) { // the name goes into DROP DATABASE unquoted
			out = append(out, n)
		}
		return err
	})
	return out, err
}

// ErrBackupInDataFolder is warehouse.ErrBackupInDataFolder.
var ErrBackupInDataFolder = warehouse.ErrBackupInDataFolder

// outsideData refuses a backup folder inside the store's data folder (symbolic links
// resolved; a folder not yet made is resolved through its nearest existing parent).
func (s *Store) outsideData(dir string) error {
	if s.dataDir == "" {
		return nil
	}
	data, err := filepath.EvalSymlinks(s.dataDir)
	if err != nil {
		return nil
	}
	target := resolveExisting(dir)
	rel, err := filepath.Rel(data, target)
	if err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
		return warehouse.Wrap(ErrBackupInDataFolder, warehouse.ErrInvalid,
			"backup folder "+dir+" is inside the data folder "+s.dataDir+": put backups on another folder (better, another disk)")
	}
	return nil
}

// resolveExisting resolves the symbolic links of the longest existing prefix of the
// absolute path p and appends the rest.
func resolveExisting(p string) string {
	rest := ""
	for cur := filepath.Clean(p); ; cur = filepath.Dir(cur) {
		if real, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(real, rest)
		}
		if cur == filepath.Dir(cur) {
			return filepath.Clean(p)
		}
		rest = filepath.Join(filepath.Base(cur), rest)
	}
}

// writeArchive has the engine write the database's archive to dir/ArchiveName readable by
// the owner only, even in a folder others can read: the engine creates it with its own
// mode, so it is written in a private (0700) folder inside dir, made 0600 there, and only
// then moved into place.
func (s *Store) writeArchive(ctx context.Context, dir string) (string, error) {
	stage, err := os.MkdirTemp(dir, ".partial-")
	if err != nil {
		return "", warehouse.Wrap(err, warehouse.ErrUnavailable, "cannot write in backup folder "+dir)
	}
	defer os.RemoveAll(stage)
	staged := filepath.Join(stage, ArchiveName)
	if err := ctx.Err(); err != nil {
		return "", translate(ctx, err)
	}
	if err := s.conn.BackupDatabase(s.DB, staged); err != nil {
		return "", translate(ctx, err)
	}
	archive := filepath.Join(dir, ArchiveName)
	if err := os.Chmod(staged, 0o600); err != nil {
		return "", warehouse.Wrap(err, warehouse.ErrUnavailable, "cannot make the backup archive private")
	}
	if err := os.Rename(staged, archive); err != nil {
		return "", warehouse.Wrap(err, warehouse.ErrUnavailable, "cannot move the backup archive into "+dir)
	}
	return archive, nil
}
