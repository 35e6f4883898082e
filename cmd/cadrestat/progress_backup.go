package main

import (
	"os"
	"path/filepath"
	"time"

	"github.com/cadrestat/cadrestat/internal/progress"
	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/cadrestat/cadrestat/warehouse/embedded"
)

// watchBackup draws, on a terminal, the engine's archive growing in dir as it is written
// (by this process or by a running server on the same machine): bytes written and the
// rate. The engine writes the archive in one call and says nothing as it goes, so the file
// on disk is the measure; the total is not known until it is done, and after the archive
// the backup is read back to check it (the bar's clock runs on). stop ends the bar.
func watchBackup(dir string) (stop func(ok bool)) {
	bar := progress.Stderr("backup")
	if !bar.On() {
		return func(bool) {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		archive := filepath.Join(dir, embedded.ArchiveName)
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			st, err := os.Stat(archive)
			if err != nil {
				bar.Set(progress.State{Phase: "starting"})
				continue
			}
			// Whether the engine still writes or already reads it back is not told.
			bar.Set(progress.State{Phase: "archive (written, then checked)", Bytes: st.Size()})
		}
	}()
	return func(ok bool) {
		close(done)
		<-finished
		if ok {
			bar.Done()
		} else {
			bar.Clear()
		}
	}
}

// watchRestore draws, on a terminal, that a restore of an archive of a known size is
// running and for how long: the engine restores it in one call that reports nothing, so
// there is no fraction to show.
func watchRestore(dir string, m *warehouse.BackupManifest) (stop func(ok bool)) {
	bar := progress.Stderr("restore")
	if !bar.On() {
		return func(bool) {}
	}
	phase := "restoring and checking the archive"
	if st, err := os.Stat(filepath.Join(dir, m.Archive)); err == nil {
		phase = "restoring and checking the " + progress.Bytes(st.Size()) + " archive"
	}
	bar.Set(progress.State{Phase: phase})
	return func(ok bool) {
		if ok {
			bar.Done()
		} else {
			bar.Clear()
		}
	}
}
