package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/cadrestat/cadrestat/admin"
	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/cadrestat/cadrestat/warehouse/embedded"
)

// BackupMain is `cadrestat backup [flags] DIR`: a backup of the embedded engine's database
// into DIR (absolute or relative, new or empty). With a server running on the data folder
// the server writes it (over the loopback admin listener, like ingest); without one the
// folder is opened here.
type BackupMain struct {
	ef  engineFlags
	dir string
}

func (m *BackupMain) ParseFlags(ctx context.Context, args []string) (err error) {
	m.dir, err = parseBackupFlags("backup", "usage: cadrestat backup [flags] DIR   (DIR: a new or empty folder)", &m.ef, args)
	return err
}

func (m *BackupMain) Run(ctx context.Context) error {
	var mf *warehouse.BackupManifest
	var err error
	if info, ok := admin.Running(m.ef.dataDir); ok {
		stop := watchBackup(m.dir)
		mf, err = (&admin.Client{Info: info}).Backup(ctx, m.dir)
		stop(err == nil)
		if err == nil {
			fmt.Fprintf(os.Stderr, "written by the running server (pid %d)\n", info.PID)
		}
	} else {
		mf, err = withBackups(ctx, m.ef, func(s warehouse.Backups) (*warehouse.BackupManifest, error) {
			stop := watchBackup(m.dir)
			mf, err := s.Backup(ctx, m.dir)
			stop(err == nil)
			return mf, err
		})
	}
	if err != nil {
		return err
	}
	fmt.Printf("backup of %s (data version %d, %d tables, %d rows) written to %s\n", mf.Database, mf.DataVersion, len(mf.Tables), mf.Rows(), m.dir)
	return nil
}

func (m *BackupMain) Close() error { return nil }

// RestoreMain is `cadrestat restore [flags] DIR`: it replaces the embedded engine's database
// with the backup in DIR, after checking every table's checksum. Refused while a server
// runs on the data folder (see admin.RestoreRefused).
type RestoreMain struct {
	ef  engineFlags
	dir string
}

func (m *RestoreMain) ParseFlags(ctx context.Context, args []string) (err error) {
	m.dir, err = parseBackupFlags("restore", "usage: cadrestat restore [flags] DIR   (DIR: a folder written by cadrestat backup)", &m.ef, args)
	return err
}

func (m *RestoreMain) Run(ctx context.Context) error {
	manifest, err := embedded.ReadManifest(m.dir)
	if err != nil {
		return err
	}
	if info, ok := admin.Running(m.ef.dataDir); ok {
		// Ask it, so its answer (and the reason) is the server's own.
		_, err := (&admin.Client{Info: info}).Post(ctx, "/admin/restore", nil)
		if err == nil {
			err = errors.New(admin.RestoreRefused)
		}
		return err
	}
	mf, err := withBackups(ctx, m.ef, func(s warehouse.Backups) (*warehouse.BackupManifest, error) {
		stop := watchRestore(m.dir, manifest)
		mf, err := s.Restore(ctx, m.dir)
		stop(err == nil)
		return mf, err
	})
	if err != nil {
		return err
	}
	fmt.Printf("restored %s from %s: data version %d, %d tables, %d rows, every checksum matching the backup's (taken %s)\n",
		mf.Database, m.dir, mf.DataVersion, len(mf.Tables), mf.Rows(), mf.Created.Format(time.RFC3339))
	return nil
}

func (m *RestoreMain) Close() error { return nil }

// parseBackupFlags reads the flags of backup or restore and returns DIR, made absolute.
func parseBackupFlags(name, usage string, ef *engineFlags, args []string) (string, error) {
	fs := flag.NewFlagSet(name, flag.ExitOnError)
	ef.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), usage)
		fs.PrintDefaults()
	}
	fs.Parse(args)
	return backupDirArg(fs, *ef)
}

func backupDirArg(fs *flag.FlagSet, ef engineFlags) (string, error) {
	if fs.NArg() != 1 || fs.Arg(0) == "" {
		return "", fmt.Errorf("%s needs one DIR argument", fs.Name())
	}
	if ef.engine != "embedded" {
		return "", fmt.Errorf("cadrestat %s is for the embedded engine; back up a ClickHouse server with its own BACKUP (see README, Backups)", fs.Name())
	}
	return filepath.Abs(fs.Arg(0))
}

// withBackups opens the data folder (no server holds it) and runs f on the engine's backups.
func withBackups(ctx context.Context, ef engineFlags, f func(warehouse.Backups) (*warehouse.BackupManifest, error)) (*warehouse.BackupManifest, error) {
	s, err := ef.open(ctx, readWrite)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	b, ok := s.(warehouse.Backups)
	if !ok {
		return nil, fmt.Errorf("the %s engine has no cadrestat backup", ef.engine)
	}
	return f(b)
}
