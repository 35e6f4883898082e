package embedded_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/internal/testenv"
	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/cadrestat/cadrestat/warehouse/chsql"
	"github.com/cadrestat/cadrestat/warehouse/embedded"
	"github.com/cadrestat/cadrestat/warehouse/storetest"
)

// TestBackupRestoreRoundTrip: a backup, then a change, then a restore gives back every
// table with the row count and checksum it had when the backup was taken.
func TestBackupRestoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := testenv.Store(t)
	if _, err := s.Load(ctx, storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordRejection(ctx, "bad.csv", 2, "it's \\ broken"); err != nil {
		t.Fatal(err)
	}
	before, err := s.Checksums(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "backup")
	m, err := s.Backup(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.Tables, before) || m.DataVersion != 1 {
		t.Fatalf("manifest: version %d, tables %+v; live tables %+v", m.DataVersion, m.Tables, before)
	}
	// Change the data: a second load and a dropped table.
	b := storetest.Fixture()
	b.File = "second"
	b.Observations[0].Value = new(float64)
	if _, err := s.Load(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := s.Exec(ctx, "DROP TABLE "+s.DB+".rejections"); err != nil {
		t.Fatal(err)
	}
	changed, _ := s.Checksums(ctx)
	if slices.Equal(changed, before) {
		t.Fatal("set-up: the change did not change any checksum")
	}
	if _, err := s.Restore(ctx, dir); err != nil {
		t.Fatal(err)
	}
	after, err := s.Checksums(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(after, before) {
		t.Fatalf("after restore:\n%+v\nwant\n%+v", after, before)
	}
	if v, err := s.DataVersion(ctx); err != nil || v != 1 {
		t.Fatalf("data version after restore = %d, %v", v, err)
	}
	var dbs []string
	s.Ex.Select(ctx, chsql.Query{SQL: "SELECT name FROM system.databases WHERE startsWith(name, {p:String})", Params: []chsql.Param{{Name: "p", Value: s.DB}}},
		func(r chsql.Row) error { var n string; err := r.Scan(&n); dbs = append(dbs, n); return err })
	if len(dbs) != 1 {
		t.Fatalf("databases left behind: %v", dbs)
	}
}

func TestBackupRefusesBadTargets(t *testing.T) {
	ctx := context.Background()
	s := testenv.Store(t)
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "x"), nil, 0o600)
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	for dir, want := range map[string]string{
		"relative/dir": "must be an absolute path",
		full:           "is not empty",
		file:           "is not a folder",
	} {
		_, err := s.Backup(ctx, dir)
		if warehouse.KindOf(err) != warehouse.ErrInvalid || !strings.Contains(warehouse.ErrorMessage(err), want) {
			t.Errorf("Backup(%s) = %v, want %q", dir, err, want)
		}
	}
}

func TestRestoreRefusesBadBackups(t *testing.T) {
	ctx := context.Background()
	s := testenv.Store(t)
	if _, err := s.Load(ctx, storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Checksums(ctx)
	good := filepath.Join(t.TempDir(), "b")
	m, err := s.Backup(ctx, good)
	if err != nil {
		t.Fatal(err)
	}
	copyDir := func(edit func(dir string)) string {
		dir := t.TempDir()
		for _, n := range []string{embedded.ManifestName, embedded.ArchiveName} {
			raw, _ := os.ReadFile(filepath.Join(good, n))
			os.WriteFile(filepath.Join(dir, n), raw, 0o600)
		}
		edit(dir)
		return dir
	}
	tampered := *m
	tampered.Tables = slices.Clone(m.Tables)
	tampered.Tables[0].Checksum++
	for name, c := range map[string]struct {
		dir, want string
	}{
		"missing":    {filepath.Join(t.TempDir(), "nothing"), "is not a cadrestat backup"},
		"no archive": {copyDir(func(d string) { os.Remove(filepath.Join(d, embedded.ArchiveName)) }), "is missing"},
		"damaged":    {copyDir(func(d string) { os.WriteFile(filepath.Join(d, embedded.ArchiveName), []byte("junk"), 0o600) }), ""},
		"tampered": {copyDir(func(d string) {
			raw, _ := json.Marshal(tampered)
			os.WriteFile(filepath.Join(d, embedded.ManifestName), raw, 0o600)
		}), "does not match its manifest"},
	} {
		_, err := s.Restore(ctx, c.dir)
		if err == nil || !strings.Contains(warehouse.ErrorMessage(err), c.want) {
			t.Errorf("%s: err = %v, want %q", name, err, c.want)
		}
		if after, _ := s.Checksums(ctx); !slices.Equal(after, before) {
			t.Fatalf("%s: a refused restore changed the data", name)
		}
	}
}
