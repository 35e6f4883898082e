package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/cadrestat/cadrestat/data"
	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/synth"
)

// loadBundled loads the bundled dataset (and, with a seed, synthetic rows) unless this
// exact bundle was loaded before or -no-bundled-data says not to.
func (m *ServeMain) loadBundled(ctx context.Context, svc *service.Service) error {
	if m.noBundle {
		return nil
	}
	files, digest := data.Files(), data.Digest()
	if m.synthSeed != 0 {
		// The rows go into the same load as they are, with no CSV text in between; ingest
		// still checks them as it checks any row (ingest/rows.go), and the load stays one
		// commit with the bundle.
		cat, err := bundledCatalog()
		if err != nil {
			return err
		}
		rows := synth.Generate(cat, synth.Options{Seed: m.synthSeed, From: 2010, To: 2030})
		files = append(files, ingest.File{Name: "synthetic", Rows: rows})
		digest += fmt.Sprintf("+synthetic-%d", m.synthSeed)
	}
	rep, err := svc.LoadBundled(ctx, files, digest)
	if err != nil {
		return fmt.Errorf("loading bundled data: %w", err)
	}
	if rep != nil && !rep.OK() {
		for _, p := range rep.Problems {
			m.log.Error("bundled data problem", "problem", p.String())
		}
		return errors.New("the bundled data did not validate (see log)")
	}
	if rep != nil {
		m.log.Info("bundled data loaded", "rows", rep.Rows, "changed", rep.Changed, "data_version", rep.DataVersion)
	}
	return nil
}
