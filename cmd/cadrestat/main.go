// Command cadrestat is the one binary: serve, migrate, ingest. It only parses flags and
// environment, opens an engine and wires packages together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/cadrestat/cadrestat/warehouse/chsql"
	"github.com/cadrestat/cadrestat/warehouse/clickhouse"
	"github.com/cadrestat/cadrestat/warehouse/embedded"
)

const usage = `cadrestat — GraphQL analytics over party-organisation personnel statistics

usage:
  cadrestat serve   [flags]          serve GraphQL on -addr (loads the bundled data on first start)
  cadrestat ingest  [flags] FILE…    validate and load CSV/JSON files (hands them to a running serve)
  cadrestat migrate [flags]          create or upgrade the warehouse schema
  cadrestat synth   [flags]          write deterministic SYNTHETIC observations as CSV
  cadrestat health  URL              exit 0 if URL answers 200 (container healthchecks)
  cadrestat backup  [flags] DIR      embedded engine: back the database up into DIR (a running serve writes it)
  cadrestat restore [flags] DIR      embedded engine: replace the database with the backup in DIR (not while serving)
  cadrestat version [-json]          print the build: version, VCS revision, Go, engine library

Run 'cadrestat COMMAND -h' for the flags of a command. Every flag can also be set by the
environment variable shown in its help.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(ctx, os.Args[2:])
	case "ingest":
		err = ingestCmd(ctx, os.Args[2:])
	case "migrate":
		err = migrateCmd(ctx, os.Args[2:])
	case "synth":
		err = synthCmd(ctx, os.Args[2:])
	case "health":
		err = healthCmd(os.Args[2:])
	case "backup":
		err = backupCmd(ctx, os.Args[2:])
	case "restore":
		err = restoreCmd(ctx, os.Args[2:])
	case "version", "-version", "--version":
		err = versionCmd(os.Args[2:])
	case "-h", "--help", "help":
		fmt.Print(usage)
		return
	default:
		fmt.Fprintf(os.Stderr, "cadrestat: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err != nil {
		var exit exitCode
		if errors.As(err, &exit) {
			os.Exit(int(exit))
		}
		fmt.Fprintln(os.Stderr, "cadrestat:", oneLine(err))
		if os.Getenv("CADRESTAT_LOG") == "debug" {
			// The operator's own terminal: the engine's full message helps, and no client sees it.
			fmt.Fprintln(os.Stderr, "cadrestat: cause:", err)
		}
		os.Exit(1)
	}
}

// exitCode ends the program with a status after the command printed its own message.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit %d", int(e)) }

// oneLine gives the user the safe message of a warehouse error (the cause goes to logs).
func oneLine(err error) string {
	var we *warehouse.Error
	if errors.As(err, &we) {
		return we.Message
	}
	return err.Error()
}

// engineFlags are shared by every command.
type engineFlags struct {
	engine, dataDir, db              string
	chAddr, chUser, chPassword, chDB string
	chCluster                        string
	chTLS                            bool
	chDialTimeout, chReadTimeout     time.Duration
	chMaxOpen, chMaxIdle             int
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return d
	}
	return def
}

func (e *engineFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&e.engine, "engine", env("CADRESTAT_ENGINE", "embedded"), "warehouse engine: embedded | clickhouse ($CADRESTAT_ENGINE)")
	fs.StringVar(&e.dataDir, "data", env("CADRESTAT_DATA", "var/warehouse"), "embedded engine: data folder ($CADRESTAT_DATA)")
	fs.StringVar(&e.db, "database", env("CADRESTAT_DATABASE", "cadrestat"), "database name ($CADRESTAT_DATABASE)")
	fs.StringVar(&e.chAddr, "clickhouse-addr", env("CLICKHOUSE_ADDR", "127.0.0.1:9000"), "clickhouse engine: native protocol host:port, comma-separated for several ($CLICKHOUSE_ADDR)")
	fs.StringVar(&e.chUser, "clickhouse-user", env("CLICKHOUSE_USER", "default"), "clickhouse engine: user ($CLICKHOUSE_USER)")
	fs.StringVar(&e.chPassword, "clickhouse-password", env("CLICKHOUSE_PASSWORD", ""), "clickhouse engine: password ($CLICKHOUSE_PASSWORD)")
	fs.StringVar(&e.chCluster, "clickhouse-cluster", env("CLICKHOUSE_CLUSTER", ""), "clickhouse engine: cluster name; tables become ReplicatedMergeTree + Distributed ON CLUSTER ($CLICKHOUSE_CLUSTER)")
	fs.BoolVar(&e.chTLS, "clickhouse-tls", env("CLICKHOUSE_TLS", "") == "1", "clickhouse engine: use TLS ($CLICKHOUSE_TLS=1)")
	fs.DurationVar(&e.chDialTimeout, "clickhouse-dial-timeout", envDuration("CLICKHOUSE_DIAL_TIMEOUT", 5*time.Second), "clickhouse engine: connect timeout")
	fs.DurationVar(&e.chReadTimeout, "clickhouse-read-timeout", envDuration("CLICKHOUSE_READ_TIMEOUT", 60*time.Second), "clickhouse engine: read timeout")
	fs.IntVar(&e.chMaxOpen, "clickhouse-max-open", 16, "clickhouse engine: pool size")
	fs.IntVar(&e.chMaxIdle, "clickhouse-max-idle", 8, "clickhouse engine: idle connections kept")
}

func (e *engineFlags) chConfig() clickhouse.Config {
	return clickhouse.Config{
		Addrs: strings.Split(e.chAddr, ","), User: e.chUser, Password: e.chPassword, Database: e.db, TLS: e.chTLS,
		DialTimeout: e.chDialTimeout, ReadTimeout: e.chReadTimeout, MaxOpenConns: e.chMaxOpen, MaxIdleConns: e.chMaxIdle,
		Cluster: e.chCluster,
	}
}

func (e *engineFlags) open(ctx context.Context) (warehouse.Store, error) {
	switch e.engine {
	case "embedded":
		s, err := embedded.Open(ctx, e.dataDir, e.db)
		if err == nil {
			installFault(s.Core)
		}
		return s, err
	case "clickhouse":
		return clickhouse.Open(ctx, e.chConfig())
	default:
		return nil, fmt.Errorf("unknown engine %q (use embedded or clickhouse)", e.engine)
	}
}

// installFault lets the crash test stop a load at a known point: with
// CADRESTAT_FAULT_PAUSE_AFTER_WRITE=<table>, a load announces on stderr that it wrote that
// table and then waits forever, so the test can kill -9 the process mid-load.
func installFault(c *chsql.Core) {
	table := os.Getenv("CADRESTAT_FAULT_PAUSE_AFTER_WRITE")
	if table == "" {
		return
	}
	c.FailAfterWrite = func(t string) error {
		if t == table {
			fmt.Fprintln(os.Stderr, "fault: paused after writing", t)
			select {}
		}
		return nil
	}
}

func migrateCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ExitOnError)
	var ef engineFlags
	ef.register(fs)
	fs.Parse(args)
	s, err := ef.open(ctx) // opening migrates
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Printf("schema at version %d\n", chsql.SchemaVersion())
	return nil
}

func logger() *slog.Logger {
	level := slog.LevelInfo
	if os.Getenv("CADRESTAT_LOG") == "debug" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}
