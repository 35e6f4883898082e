package admin

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/cadrestat/cadrestat/warehouse"
)

// BackupRequest is the body of POST /admin/backup: the absolute path of a new or empty
// folder on the server's machine.
type BackupRequest struct {
	Dir string `json:"dir"`
}

// RestoreRefused is what POST /admin/restore answers (409): a restore replaces every table
// at once, while this server answers queries from them and keeps caches keyed to their data
// version, so it is only done with the server stopped (`cadrestat restore` then opens the
// folder itself).
const RestoreRefused = "restore is refused while cadrestat serves: queries in flight and the server's caches would see the data replaced under them; stop the server, run `cadrestat restore DIR`, start it again"

// The codes of backup and restore answers, in X-Cadrestat-Error (with CodeUnauthorized,
// CodeMalformed and CodeNoSpace).
const (
	CodeNoBackup       = "NO_BACKUP"       // 501: the engine has no cadrestat backup
	CodeRestoreRefused = "RESTORE_REFUSED" // 409: RestoreRefused
	// CodeBackupInDataFolder (400): the backup folder is inside the data folder.
	CodeBackupInDataFolder = "BACKUP_IN_DATA_FOLDER"
	CodeBackupRefused      = "BACKUP_REFUSED" // 400: any other unusable folder (relative, not empty)
	CodeBackupFailed       = "BACKUP_FAILED"  // 500
)

// backupFailure is the status and code of a failed backup.
func backupFailure(err error) (int, string) {
	switch {
	case errors.Is(err, warehouse.ErrBackupInDataFolder):
		return http.StatusBadRequest, CodeBackupInDataFolder
	case warehouse.KindOf(err) == warehouse.ErrInvalid:
		return http.StatusBadRequest, CodeBackupRefused
	case noSpace(err):
		return http.StatusInsufficientStorage, CodeNoSpace
	}
	return http.StatusInternalServerError, CodeBackupFailed
}

// registerBackup adds POST /admin/backup (the server, which holds the data folder, writes
// the backup through b, the engine's Backups, nil when it has none) and POST /admin/restore
// (refused) to the admin mux, behind the admin token.
func registerBackup(mux *http.ServeMux, b warehouse.Backups, token string, log *slog.Logger) {
	mux.HandleFunc("POST /admin/backup", func(w http.ResponseWriter, r *http.Request) {
		if !authorized(r, token) {
			refuse(w, http.StatusUnauthorized, CodeUnauthorized, "missing or wrong admin token")
			return
		}
		var req BackupRequest
		err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&req)
		if err != nil || req.Dir == "" {
			refuse(w, http.StatusBadRequest, CodeMalformed, "malformed backup request: want {\"dir\": \"/absolute/path\"}")
			return
		}
		if b == nil {
			refuse(w, http.StatusNotImplemented, CodeNoBackup, "this engine has no cadrestat backup: use the ClickHouse server's own (see README, Backups)")
			return
		}
		m, err := b.Backup(r.Context(), req.Dir)
		if err != nil {
			status, code := backupFailure(err)
			if status >= 500 {
				log.Error("admin backup failed", "dir", req.Dir, "err", err)
			}
			refuse(w, status, code, "backup failed: "+warehouse.ErrorMessage(err))
			return
		}
		log.Info("backup written", "dir", req.Dir, "data_version", m.DataVersion, "tables", len(m.Tables))
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(m) // a failed write: the client has gone
	})
	mux.HandleFunc("POST /admin/restore", func(w http.ResponseWriter, r *http.Request) {
		if !authorized(r, token) {
			refuse(w, http.StatusUnauthorized, CodeUnauthorized, "missing or wrong admin token")
			return
		}
		refuse(w, http.StatusConflict, CodeRestoreRefused, RestoreRefused)
	})
}
