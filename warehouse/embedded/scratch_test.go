package embedded_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/internal/testenv"
	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/cadrestat/cadrestat/warehouse/embedded"
	"github.com/cadrestat/cadrestat/warehouse/embedded/chdb"
	"github.com/cadrestat/cadrestat/warehouse/storetest"
)

// scratchOf lists the databases whose names start with db+"_" (scratch copies, and the
// old database a restore sets aside).
func scratchOf(t *testing.T, s *embedded.Store, db string) []string {
	t.Helper()
	out, err := embedded.Conn(s).Query("SELECT name FROM system.databases WHERE startsWith(name, '"+db+"_') ORDER BY name", "TabSeparated")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(out))
}

// Scratch copies a killed backup or restore left behind (here made by hand, as a kill -9
// in the verify step leaves them: a database holding a table) are dropped when the store
// is opened; a restore's scratch is kept while a database set aside by a restore killed
// between its renames exists, since the restored data are then only there.
func TestScratchDroppedAtOpen(t *testing.T) {
	ctx := context.Background()
	s := testenv.Store(t)
	conn := embedded.Conn(s)
	mk := func(name string) {
		t.Helper()
		for _, q := range []string{"CREATE DATABASE " + name, "CREATE TABLE " + name + ".x (a UInt8) ENGINE = MergeTree ORDER BY a", "INSERT INTO " + name + ".x VALUES (1)"} {
			if _, err := conn.Query(q, "TabSeparated"); err != nil {
				t.Fatal(err)
			}
		}
		t.Cleanup(func() { conn.Query("DROP DATABASE IF EXISTS "+name+" SYNC", "TabSeparated") })
	}
	verify, restore := s.DB+"_verify_0123456789ab", s.DB+"_restore_0123456789ab"
	mk(verify)
	mk(restore)
	mk(s.DB + "_verify_notascratch") // not a name backup gives: kept
	if _, err := embedded.OnConn(ctx, conn, s.DB); err != nil {
		t.Fatal(err)
	}
	if got := scratchOf(t, s, s.DB); !slices.Equal(got, []string{s.DB + "_verify_notascratch"}) {
		t.Fatalf("after open: %v, want only the database that is not a scratch copy", got)
	}

	mk(restore)
	before := s.DB + "_before_restore_0123456789ab"
	mk(before)
	if _, err := embedded.OnConn(ctx, conn, s.DB); err != nil {
		t.Fatal(err)
	}
	if got := scratchOf(t, s, s.DB); !slices.Contains(got, restore) || !slices.Contains(got, before) {
		t.Fatalf("with a restore cut between its renames: %v, want %s and %s kept", got, restore, before)
	}
}

// A backup or restore that fails leaves no scratch database: a damaged archive (RESTORE
// fails half-way), a manifest that does not match, a cancelled verify.
func TestFailedBackupAndRestoreLeaveNoScratch(t *testing.T) {
	ctx := context.Background()
	s := testenv.Store(t)
	if _, err := s.Load(ctx, storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(t.TempDir(), "b")
	if _, err := s.Backup(ctx, good); err != nil {
		t.Fatal(err)
	}
	if got := scratchOf(t, s, s.DB); len(got) != 0 {
		t.Fatalf("after a backup: %v", got)
	}
	archive, _ := os.ReadFile(filepath.Join(good, embedded.ArchiveName))
	manifest, _ := os.ReadFile(filepath.Join(good, embedded.ManifestName))
	for name, edit := range map[string]func(a, m []byte) ([]byte, []byte){
		"cut archive": func(a, m []byte) ([]byte, []byte) { return a[:len(a)*2/3], m },
		"wrong rows": func(a, m []byte) ([]byte, []byte) {
			return a, []byte(strings.Replace(string(m), `"rows": 1`, `"rows": 7`, 1))
		},
	} {
		dir := t.TempDir()
		a, m := edit(archive, manifest)
		os.WriteFile(filepath.Join(dir, embedded.ArchiveName), a, 0o600)
		os.WriteFile(filepath.Join(dir, embedded.ManifestName), m, 0o600)
		if _, err := s.Restore(ctx, dir); err == nil {
			t.Fatalf("%s: restored", name)
		}
		if got := scratchOf(t, s, s.DB); len(got) != 0 {
			t.Fatalf("%s: a failed restore left %v", name, got)
		}
	}
	// Cancelled (a client gone, a deadline) once the scratch copy is made, while its
	// checksums are read.
	for name, run := range map[string]func(context.Context) error{
		"restore": func(c context.Context) error { _, err := s.Restore(c, good); return err },
		"backup":  func(c context.Context) error { _, err := s.Backup(c, filepath.Join(t.TempDir(), "c")); return err },
	} {
		cancelled, cancel := context.WithCancel(ctx)
		embedded.SetSent(s, func(sql string, _ []chdb.Param) {
			if strings.Contains(sql, "cityHash64") {
				cancel()
			}
		})
		err := run(cancelled)
		embedded.SetSent(s, nil)
		if err == nil {
			t.Fatalf("a %s cancelled during its checks succeeded", name)
		}
		if got := scratchOf(t, s, s.DB); len(got) != 0 {
			t.Fatalf("a %s cancelled during its checks left %v", name, got)
		}
	}
}

// The archive is readable by its owner only, even in a backup folder that already existed
// readable by all, and no staging folder is left beside it.
func TestBackupArchiveIsPrivate(t *testing.T) {
	s := testenv.Store(t)
	dir := filepath.Join(t.TempDir(), "open")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755) // whatever the umask
	if _, err := s.Backup(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, embedded.ArchiveName))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("archive: %v %v, want -rw-------", err, st.Mode())
	}
	names, _ := os.ReadDir(dir)
	if len(names) != 2 {
		t.Fatalf("backup folder holds %v, want the archive and the manifest", names)
	}
}

// A backup folder inside the data folder (directly, or through a symbolic link) is
// refused with its own cause, before anything is written.
func TestBackupRefusesDataFolder(t *testing.T) {
	s := testenv.Store(t)
	data := t.TempDir()
	embedded.SetDataDir(s, data)
	link := filepath.Join(t.TempDir(), "link")
	os.Symlink(data, link)
	for _, dir := range []string{data, filepath.Join(data, "backups", "today"), filepath.Join(link, "b")} {
		_, err := s.Backup(context.Background(), dir)
		if !errors.Is(err, embedded.ErrBackupInDataFolder) || warehouse.KindOf(err) != warehouse.ErrInvalid || !strings.Contains(warehouse.ErrorMessage(err), "is inside the data folder") {
			t.Errorf("Backup(%s) = %v", dir, err)
		}
	}
	if _, err := os.Stat(filepath.Join(data, "backups")); !os.IsNotExist(err) {
		t.Fatalf("a refused backup made its folder: %v", err)
	}
	if _, err := s.Backup(context.Background(), filepath.Join(t.TempDir(), "elsewhere")); err != nil {
		t.Fatalf("a folder outside: %v", err)
	}
}
