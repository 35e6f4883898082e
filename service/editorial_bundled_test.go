package service

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/cadrestat/cadrestat/data"
	"github.com/cadrestat/cadrestat/internal/testenv"
	"github.com/cadrestat/cadrestat/warehouse"
)

// The judgements of issue 25 on the bundled data, through the real embedded engine: one
// load shared by the tests of this file (loading takes seconds on the shared machine).
var bundled struct {
	once sync.Once
	svc  *Service
	err  error
}

func bundledSvc(t *testing.T) *Service {
	t.Helper()
	bundled.once.Do(func() {
		svc := New(testenv.Store(t), nil)
		rep, err := svc.LoadBundled(context.Background(), data.Files(), data.Digest())
		if err == nil && !rep.OK() {
			err = warehouse.Errorf(warehouse.ErrInvalid, "bundled data refused: %+v", rep)
		}
		bundled.svc, bundled.err = svc, err
	})
	if bundled.err != nil {
		t.Fatal(bundled.err)
	}
	return bundled.svc
}

// Chỉ thị 35-CT/TW's "≥ 15 % by 2020" judges the 2020–2025 congresses: the committees
// elected in 2025 are not judged by it (HCMC is not "met by 7.94"), the answer names it as
// considered and says why, and targetAttainment counts nobody met or below against it.
func TestBundledDirective35DoesNotJudgeThe2025Term(t *testing.T) {
	svc := bundledSvc(t)
	ctx := context.Background()
	args := CompareArgs{Metric: "female_provincial_committee_share", Year: 2025, Map: warehouse.VN34}
	c, err := svc.Compare(ctx, args)
	if err != nil {
		t.Fatal(err)
	}
	hcmc := rowNamed(t, c, "Hồ Chí Minh")
	if hcmc.Fig.Value == nil || hcmc.Fig.Observation.Period.Label != "term:2025-2030" {
		t.Fatalf("HCMC's figure: %+v", hcmc.Fig)
	}
	if hcmc.Status != NoTarget || hcmc.Target != nil || hcmc.Gap != nil {
		t.Errorf("HCMC 2025: %s against %v gap %v, want NO_TARGET", hcmc.Status, hcmc.Target, hcmc.Gap)
	}
	if hcmc.TargetConsidered == nil || hcmc.TargetConsidered.ID != "t-female-committee-15" ||
		!strings.Contains(hcmc.TargetNote, "35-CT/TW") || !strings.Contains(hcmc.TargetNote, "judges term:2020-2025, not term:2025-2030") {
		t.Errorf("HCMC 2025: considered %v, note %q", hcmc.TargetConsidered, hcmc.TargetNote)
	}
	a, err := svc.TargetAttainment(ctx, args)
	if err != nil {
		t.Fatal(err)
	}
	if a.Met+a.Below+a.Above+a.Unknown != 0 || a.Target != nil || a.National.Status == TargetMet || a.National.Status == TargetBelow {
		t.Errorf("attainment 2025: met %d below %d above %d unknown %d, target %v, national %s", a.Met, a.Below, a.Above, a.Unknown, a.Target, a.National.Status)
	}
	// The same directive still judges the 2020–2025 committees it was written for.
	a, err = svc.TargetAttainment(ctx, CompareArgs{Metric: "female_provincial_committee_share", Year: 2020, Map: warehouse.VN63})
	if err != nil {
		t.Fatal(err)
	}
	if a.Target == nil || a.Target.ID != "t-female-committee-15" || a.Met+a.Below == 0 {
		t.Errorf("attainment 2020: target %v, met %d below %d", a.Target, a.Met, a.Below)
	}
}

// rowNamed finds a row by the unit's name.
func rowNamed(t *testing.T, c *Comparison, name string) *Row {
	t.Helper()
	for _, r := range c.Rows {
		if strings.Contains(r.Province.Name, name) {
			return r
		}
	}
	t.Fatalf("no row named %s", name)
	return nil
}
