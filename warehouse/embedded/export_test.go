package embedded

import (
	"github.com/cadrestat/cadrestat/warehouse/chsql"
	"github.com/cadrestat/cadrestat/warehouse/embedded/chdb"
)

// SetSent makes s call fn with every statement it sends to the engine, and its parameters.
func SetSent(s *Store, fn func(sql string, params []chdb.Param)) { s.Core.Ex.(*executor).sent = fn }

// EngineParams exposes engineParams to the benchmarks.
func EngineParams(ps []chsql.Param) []chdb.Param { return engineParams(ps) }

// Conn exposes a store's engine connections to the benchmarks.
func Conn(s *Store) *chdb.Conn { return s.conn }

// SetDataDir makes s take dir for its data folder (a test store shares a connection).
func SetDataDir(s *Store, dir string) { s.dataDir = dir }
