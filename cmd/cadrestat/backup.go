package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/cadrestat/cadrestat/server"
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
	var mf *embedded.Manifest
	var err error
	if info, ok := runningServer(m.ef); ok {
		stop := watchBackup(m.dir)
		mf, err = adminBackup(ctx, info, m.dir)
		stop(err == nil)
		if err == nil {
			fmt.Fprintf(os.Stderr, "written by the running server (pid %d)\n", info.PID)
		}
	} else {
		mf, err = withEmbedded(ctx, m.ef, func(s *embedded.Store) (*embedded.Manifest, error) {
			stop := watchBackup(m.dir)
			mf, err := s.Backup(ctx, m.dir)
			stop(err == nil)
			return mf, err
		})
	}
	if err != nil {
		return err
	}
	fmt.Printf("backup of %s (data version %d, %d tables, %d rows) written to %s\n", mf.Database, mf.DataVersion, len(mf.Tables), rows(mf), m.dir)
	return nil
}

func (m *BackupMain) Close() error { return nil }

// RestoreMain is `cadrestat restore [flags] DIR`: it replaces the embedded engine's database
// with the backup in DIR, after checking every table's checksum. Refused while a server
// runs on the data folder (see server.RestoreRefused).
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
	if info, ok := runningServer(m.ef); ok {
		// Ask it, so its answer (and the reason) is the server's own.
		_, err := adminPost(ctx, info, "/admin/restore", nil)
		if err == nil {
			err = errors.New(server.RestoreRefused)
		}
		return err
	}
	mf, err := withEmbedded(ctx, m.ef, func(s *embedded.Store) (*embedded.Manifest, error) {
		stop := watchRestore(m.dir, manifest)
		mf, err := s.Restore(ctx, m.dir)
		stop(err == nil)
		return mf, err
	})
	if err != nil {
		return err
	}
	fmt.Printf("restored %s from %s: data version %d, %d tables, %d rows, every checksum matching the backup's (taken %s)\n",
		mf.Database, m.dir, mf.DataVersion, len(mf.Tables), rows(mf), mf.Created.Format(time.RFC3339))
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

func rows(m *embedded.Manifest) uint64 {
	var n uint64
	for _, t := range m.Tables {
		n += t.Rows
	}
	return n
}

// withEmbedded opens the data folder (no server holds it) and runs f on it.
func withEmbedded(ctx context.Context, ef engineFlags, f func(*embedded.Store) (*embedded.Manifest, error)) (*embedded.Manifest, error) {
	s, err := embedded.Open(ctx, ef.dataDir, ef.db)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return f(s)
}

// runningServer reads admin.json and tells whether the server it names answers.
func runningServer(ef engineFlags) (adminInfo, bool) {
	info, ok := readAdminInfo(ef)
	if !ok {
		return info, false
	}
	c, err := (&http.Client{Timeout: 2 * time.Second}).Get("http://" + info.Addr + "/")
	if err != nil {
		return info, false // a stale admin.json from a server that died
	}
	c.Body.Close()
	return info, true
}

func adminBackup(ctx context.Context, info adminInfo, dir string) (*embedded.Manifest, error) {
	body, _ := json.Marshal(server.BackupRequest{Dir: dir})
	out, err := adminPost(ctx, info, "/admin/backup", body)
	if err != nil {
		return nil, err
	}
	var m embedded.Manifest
	if err := json.Unmarshal(out, &m); err != nil {
		return nil, fmt.Errorf("unreadable answer from the running server: %w", err)
	}
	return &m, nil
}

// adminPost sends an authenticated request to the running server's admin listener; a
// status other than 200 is an error carrying the server's message.
func adminPost(ctx context.Context, info adminInfo, path string, body []byte) ([]byte, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+info.Addr+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+info.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 6 * time.Hour}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("the running server (pid %d) did not answer: %w", info.PID, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the running server refused: %s", bytes.TrimSpace(out))
	}
	return out, nil
}
