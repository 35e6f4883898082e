package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/cadrestat/cadrestat/warehouse/chsql"
)

// MigrateMain is `cadrestat migrate`: it creates or upgrades the warehouse schema.
type MigrateMain struct {
	ef    engineFlags
	store warehouse.Store
}

func (m *MigrateMain) ParseFlags(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ExitOnError)
	m.ef.register(fs)
	return fs.Parse(args)
}

func (m *MigrateMain) Run(ctx context.Context) error {
	s, err := m.ef.open(ctx, readWrite) // opening migrates
	if err != nil {
		return err
	}
	m.store = s
	fmt.Printf("schema at version %d\n", chsql.SchemaVersion())
	return nil
}

func (m *MigrateMain) Close() error { return closeStore(m.store) }
