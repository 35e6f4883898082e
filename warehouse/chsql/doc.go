// Package chsql is the ClickHouse SQL both engines share: Core implements warehouse.Store
// over an engine's small Executor (run a statement, stream rows, insert rows). It holds the
// schema (one descriptor per table and the migrations), reads, loads through staging, the
// cluster rewrite of DDL, parameter rendering for old servers, and the mapping of ClickHouse
// exception codes to error kinds. Engines import it; nothing above the warehouse needs to.
package chsql
