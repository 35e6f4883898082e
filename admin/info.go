package admin

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// Info is admin.json, written in the data folder by a serving process so the local tools
// (ingest, backup, restore) can find it and hand it work; the file is readable by the
// owner only.
type Info struct {
	Addr  string `json:"addr"`
	Token string `json:"token"`
	PID   int    `json:"pid"`
}

// InfoPath is where a serving process on dataDir writes its Info.
func InfoPath(dataDir string) string { return filepath.Join(dataDir, "admin.json") }

// ReadInfo reads the Info a serving process wrote in dataDir, if there is one.
func ReadInfo(dataDir string) (Info, bool) {
	var info Info
	raw, err := os.ReadFile(InfoPath(dataDir))
	if err != nil || json.Unmarshal(raw, &info) != nil || info.Addr == "" {
		return info, false
	}
	return info, true
}

// Running reads dataDir's Info and tells whether the listener it names answers (an
// admin.json left by a killed server names none).
func Running(dataDir string) (Info, bool) {
	info, ok := ReadInfo(dataDir)
	if !ok {
		return info, false
	}
	resp, err := (&http.Client{Timeout: 2 * time.Second}).Get("http://" + info.Addr + "/")
	if err != nil {
		return info, false
	}
	resp.Body.Close()
	return info, true
}

// writePrivate replaces path with data, readable by the owner only, whatever file was
// there: os.WriteFile keeps an existing file's mode, so a stale world-readable admin.json
// (left by a kill -9) would expose the new token. The data go to a new 0600 file in the
// same directory, are synced, and the file is renamed over path.
func writePrivate(path string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	// CreateTemp makes 0600 already; say so explicitly rather than rely on it.
	if err = f.Chmod(0o600); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	// Make the rename itself durable; a directory that cannot be synced is not an error.
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
