// Command cadrestat is the one binary: serve, ingest, migrate, synth, backup, restore,
// health, version. Each subcommand is a Main in its own file; it only parses flags and
// environment, opens an engine and wires packages together.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/cadrestat/cadrestat/warehouse"
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

// command is one subcommand, shaped as in github.com/benbjohnson/wtf's cmd/wtfd: its Main
// reads its flags (ParseFlags; a bad flag exits 2, -h exits 0, as the flag package does),
// does its work (Run, which for serve lasts until ctx ends), and releases what it holds
// (Close, always called once ParseFlags succeeded).
type command interface {
	ParseFlags(ctx context.Context, args []string) error
	Run(ctx context.Context) error
	Close() error
}

// commands makes the Main of each subcommand by name.
var commands = map[string]func() command{
	"serve":   func() command { return NewServeMain() },
	"ingest":  func() command { return &IngestMain{} },
	"migrate": func() command { return &MigrateMain{} },
	"synth":   func() command { return &SynthMain{} },
	"health":  func() command { return &HealthMain{} },
	"backup":  func() command { return &BackupMain{} },
	"restore": func() command { return &RestoreMain{} },
	"version": func() command { return &VersionMain{} },
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	name := os.Args[1]
	switch name {
	case "-h", "--help", "help":
		fmt.Print(usage)
		return
	case "-version", "--version":
		name = "version"
	}
	newCommand, ok := commands[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "cadrestat: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, newCommand(), os.Args[2:]); err != nil {
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

// run parses, runs and closes one command; Run's error wins over Close's.
func run(ctx context.Context, m command, args []string) error {
	if err := m.ParseFlags(ctx, args); err != nil {
		return err
	}
	err := m.Run(ctx)
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	return err
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

func logger() *slog.Logger {
	level := slog.LevelInfo
	if os.Getenv("CADRESTAT_LOG") == "debug" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}
