package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/cadrestat/cadrestat/warehouse/clickhouse"
	"github.com/cadrestat/cadrestat/warehouse/embedded"
)

// engineFlags are shared by every command.
type engineFlags struct {
	engine, dataDir, db          string
	chAddr, chUser, chPassword   string
	chCluster                    string
	chTLS                        bool
	chDialTimeout, chReadTimeout time.Duration
	chMaxOpen, chMaxIdle         int
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

// access is what a command does with the warehouse it opens.
type access int

const (
	// readWrite opens the warehouse to write it: opening creates or upgrades its schema.
	readWrite access = iota
	// readOnly connects to a ClickHouse server without touching its schema, and succeeds
	// while the server is down (the process serves anyway and catches up).
	readOnly
)

// serveAccess is how serve opens the engine: the embedded engine's folder is serve's own
// (it loads the bundle there and takes ingest's hand-offs); a ClickHouse server is written
// by `cadrestat migrate` and `cadrestat ingest` as a writer user, so serve only reads it.
func (e *engineFlags) serveAccess() access {
	if e.engine == "clickhouse" {
		return readOnly
	}
	return readWrite
}

// open opens the engine the flags name, for a: the one place an engine is chosen. On error
// the store is a nil interface, never a nil pointer in one (Close methods check for nil).
func (e *engineFlags) open(ctx context.Context, a access) (warehouse.Store, error) {
	switch {
	case e.engine == "embedded" && a == readWrite:
		s, err := embedded.Open(ctx, e.dataDir, e.db)
		if err != nil {
			return nil, err
		}
		return s, nil
	case e.engine == "clickhouse" && a == readWrite:
		s, err := clickhouse.Open(ctx, e.chConfig())
		if err != nil {
			return nil, err
		}
		return s, nil
	case e.engine == "clickhouse":
		s, err := clickhouse.Connect(ctx, e.chConfig())
		if err != nil {
			return nil, err
		}
		return s, nil
	case e.engine == "embedded":
		return nil, errors.New("the embedded engine has no read-only access: one process holds its folder")
	default:
		return nil, fmt.Errorf("unknown engine %q (use embedded or clickhouse)", e.engine)
	}
}

// closeStore closes a store a command opened, if it opened one. Its error is not the
// command's: what the command did is committed and reported by then (and the exit status
// of cadrestat never depended on it).
func closeStore(s warehouse.Store) error {
	if s != nil {
		_ = s.Close()
	}
	return nil
}
