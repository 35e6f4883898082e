package chdb

import (
	"fmt"
	"os"

	"github.com/ebitengine/purego"
)

func load() error {
	loadOnce.Do(func() {
		path := LibraryPath()
		if _, err := os.Stat(path); err != nil {
			loadErr = fmt.Errorf("%w at %s (set CHDB_LIB_PATH or run `%s`)", ErrLibraryMissing, path, SetupCommand)
			return
		}
		saved := saveSignals()
		defer saved.restore()
		lib, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_GLOBAL)
		if err != nil {
			loadErr = fmt.Errorf("%w: cannot load %s: %v (run `%s`)", ErrLibraryMissing, path, err, SetupCommand)
			return
		}
		for _, f := range []struct {
			fn   any
			name string
		}{
			{&chdbConnect, "chdb_connect"},
			{&chdbCloseConn, "chdb_close_conn"},
			{&chdbQueryN, "chdb_query_n"},
			{&chdbQueryWithParamsN, "chdb_query_with_params_n"},
			{&chdbResultBuffer, "chdb_result_buffer"},
			{&chdbResultLength, "chdb_result_length"},
			{&chdbResultError, "chdb_result_error"},
			{&chdbDestroyResult, "chdb_destroy_query_result"},
			{&chdbBackupDatabaseN, "chdb_backup_database_n"},
			{&chdbRestoreDatabaseN, "chdb_restore_database_n"},
		} {
			// RegisterLibFunc panics on a missing symbol: check first, so an older library
			// is an ordinary error naming what it lacks.
			if _, err := purego.Dlsym(lib, f.name); err != nil {
				loadErr = fmt.Errorf("%w: %s lacks %s (chDB too old; run `%s`)", ErrLibraryMissing, path, f.name, SetupCommand)
				return
			}
			purego.RegisterLibFunc(f.fn, lib, f.name)
		}
	})
	return loadErr
}
