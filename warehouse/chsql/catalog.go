package chsql

import (
	"context"
	"sort"

	"github.com/cadrestat/cadrestat/warehouse"
)

// Catalog reads all dimension tables (a handful of small queries) and indexes them.
func (c *Core) Catalog(ctx context.Context) (*warehouse.Catalog, error) {
	cat := &warehouse.Catalog{}
	v, err := c.DataVersion(ctx)
	if err != nil {
		return nil, err
	}
	cat.Version = v
	if cat.Provinces, err = readCurrent(ctx, c, provinces); err != nil {
		return nil, err
	}
	if cat.Groups, err = readCurrent(ctx, c, groups); err != nil {
		return nil, err
	}
	if cat.Metrics, err = readCurrent(ctx, c, metrics); err != nil {
		return nil, err
	}
	if cat.Sources, err = readCurrent(ctx, c, sources); err != nil {
		return nil, err
	}
	if cat.Targets, err = readCurrent(ctx, c, targets); err != nil {
		return nil, err
	}
	links, err := readCurrent(ctx, c, lineage)
	if err != nil {
		return nil, err
	}
	sort.Slice(cat.Provinces, func(i, j int) bool {
		a, b := cat.Provinces[i], cat.Provinces[j]
		if a.Map != b.Map {
			return a.Map > b.Map // VN63 before VN34
		}
		return a.Code < b.Code
	})
	cat.Index()
	for _, l := range links {
		if to, from := cat.Province(l.To), cat.Province(l.From); to != nil && from != nil {
			to.Predecessors = append(to.Predecessors, l.From)
			from.Successors = append(from.Successors, l.To)
		}
	}
	return cat, nil
}

// catalogSQL reads the current rows of a dimension table.
func catalogSQL[T any](db string, t *table[T]) string {
	return currentSQL(db, t.name, t.readList(), "")
}

// readCurrent reads every current row of a (small) table.
func readCurrent[T any](ctx context.Context, c *Core, t *table[T]) ([]T, error) {
	var out []T
	s := t.scanner()
	err := c.Ex.Select(ctx, Query{SQL: catalogSQL(c.DB, t)}, func(r Row) error {
		v, err := s.scan(r)
		out = append(out, v)
		return err
	})
	return out, err
}
